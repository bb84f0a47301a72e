"""``checker serve``: reports and decisions over HTTP, and the guards on them (loopback only)."""

from __future__ import annotations

import http.client
import json
import threading
from pathlib import Path

import lxml.html
import pytest

from checker import serve as serve_mod
from checker.decisions import decision_history, record_decision
from checker.pipeline import run
from tests.reportdata import regex_extractor
from tests.test_report import ARTICLES, _jsonl


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Two runs of a small story in reports/, recorded in the store."""
    root = tmp_path_factory.mktemp("serve")
    src = _jsonl(root / "in.jsonl", ARTICLES)
    reports = root / "reports"
    db = reports / "checker.db"
    run([src], out_dir=reports / "night-1", extractor=regex_extractor, store=db, n_process=1)
    run([src], out_dir=reports / "night-2", extractor=regex_extractor, store=db, n_process=1)
    # A report the store does not know (copied by hand): listed too.
    (reports / "old" / "copy").mkdir(parents=True)
    for name in ("report.html", "conflicts.json"):
        (reports / "old" / "copy" / name).write_bytes((reports / "night-1" / name).read_bytes())
    return reports, db


def _start(reports: Path, db: Path, token: str | None = None):
    server = serve_mod.make_server(reports, db, host="127.0.0.1", port=0, token=token, quiet=True)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    return server


@pytest.fixture(scope="module")
def server(site):
    s = _start(*site)
    yield s
    s.shutdown()
    s.server_close()


def request(server, method, path, body=None, headers=None, host=None):
    port = server.server_address[1]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    h = {"Host": host or f"127.0.0.1:{port}"} | (headers or {})
    data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
    if data is not None:
        h.setdefault("Content-Type", "application/json")
    conn.request(method, path, body=data, headers=h)
    r = conn.getresponse()
    out = r.status, dict(r.getheaders()), r.read()
    conn.close()
    return out


def _conflicts(reports: Path, name: str) -> list[dict]:
    return json.loads((reports / name / "conflicts.json").read_text())["conflicts"]


def _post(server, body, **headers):
    port = server.server_address[1]
    h = {"X-Checker-CSRF": server.config.csrf, "Origin": f"http://127.0.0.1:{port}"} | headers
    return request(server, "POST", "/api/decisions", body, h)


def test_index_lists_store_runs_and_other_reports(server):
    status, headers, body = request(server, "GET", "/")
    assert status == 200
    doc = lxml.html.document_fromstring(body)
    refs = doc.xpath('//tr[@class="report"]/@data-ref')
    assert refs[:2] == ["r/night-2", "r/night-1"]  # newest store run first
    assert "r/old/copy" in refs
    assert "script-src" not in headers["Content-Security-Policy"]  # no script at all on the index


def test_served_report_switches_to_the_server(server):
    status, headers, body = request(server, "GET", "/r/night-2/")
    assert status == 200
    doc = lxml.html.document_fromstring(body)
    metas = {m.get("name"): m.get("content") for m in doc.xpath("//meta[@name]")}
    assert metas["checker-api"] == "/api/decisions"
    assert metas["checker-csrf"] == server.config.csrf
    assert metas["checker-run"] == "r/night-2"
    meta_csp = doc.xpath('//meta[@http-equiv="Content-Security-Policy"]/@content')[0]
    assert headers["Content-Security-Policy"] == meta_csp + "; frame-ancestors 'none'"
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"
    assert request(server, "GET", "/r/night-2/conflicts.json")[0] == 200
    assert request(server, "GET", "/r/night-2")[0] == 301


@pytest.mark.parametrize(
    "path",
    [
        "/r/../checker.db",
        "/r/%2e%2e/night-1/",
        "/r/night-1/../../in.jsonl",
        "/r/night-1/checker.db",
        "/run/99/",
        "/etc/passwd",
        "/r//",
        "/r/night-1/report.html/..",
    ],
)
def test_nothing_outside_the_reports(server, path):
    assert request(server, "GET", path)[0] == 404


def test_post_saves_a_decision_with_the_values_the_run_showed(server, site):
    reports, db = site
    c = _conflicts(reports, "night-2")[0]
    status, _, body = _post(
        server,
        {
            "conflict": c["id"],
            "status": "follow_up",
            "note": "ask the navy",
            "who": "ana",
            "run": "r/night-2",
            "values": [{"value": "forged"}],
            "at": "1999-01-01T00:00:00Z",
        },
    )
    assert status == 200, body
    saved = json.loads(body)
    assert saved["status"] == "follow_up" and saved["who"] == "ana" and not saved["reopened"]
    row = decision_history(db, c["id"])[-1]
    assert row["note"] == "ask the navy" and row["kind"] == c["kind"] and row["run"] == "r/night-2"
    # Values and time come from the server, not from the request.
    assert [v["value"] for v in row["values"]] == [v["value"] for v in c["values"]]
    assert not row["at"].startswith("1999")
    status, _, body = request(server, "GET", "/api/decisions?run=r/night-2")
    assert json.loads(body)["decisions"][c["id"]]["note"] == "ask the navy"
    status, headers, body = request(server, "GET", "/api/decisions/export")
    assert "attachment" in headers["Content-Disposition"]
    assert any(d["conflict"] == c["id"] for d in json.loads(body)["decisions"])


@pytest.mark.parametrize(
    "change, why",
    [
        ({"X-Checker-CSRF": "guess"}, "CSRF"),
        ({"X-Checker-CSRF": ""}, "CSRF"),
        ({"Origin": "http://evil.example"}, "origin"),
        ({"Origin": "null"}, "origin"),
        ({"Sec-Fetch-Site": "cross-site"}, "cross-site"),
        ({"Content-Type": "text/plain"}, "Content-Type"),
    ],
)
def test_cross_site_posts_are_refused(server, site, change, why):
    reports, db = site
    c = _conflicts(reports, "night-2")[1]
    before = len(decision_history(db, c["id"]))
    status, _, body = _post(server, {"conflict": c["id"], "status": "dismissed", "run": "r/night-2"}, **change)
    assert status == 403 and why in json.loads(body)["error"]
    assert len(decision_history(db, c["id"])) == before


def test_bad_decisions_are_refused(server, site):
    reports, _ = site
    c = _conflicts(reports, "night-2")[0]
    assert _post(server, {"conflict": c["id"], "status": "maybe", "run": "r/night-2"})[0] == 400
    assert _post(server, {"conflict": "nope", "status": "confirmed", "run": "r/night-2"})[0] == 404
    assert _post(server, {"conflict": c["id"], "status": "confirmed", "run": "r/../x"})[0] == 404
    assert _post(server, b"{not json")[0] == 400
    assert _post(server, b"x" * (serve_mod.MAX_BODY + 1))[0] == 413


def test_unknown_host_is_refused(server):
    """DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends Host: evil.example."""
    port = server.server_address[1]
    assert request(server, "GET", "/", host=f"evil.example:{port}")[0] == 421
    assert request(server, "GET", "/api/decisions", host=f"evil.example:{port}")[0] == 421
    assert request(server, "GET", "/", host=f"localhost:{port}")[0] == 200


def test_token_guards_every_request(site):
    reports, db = site
    s = _start(reports, db, token="s3cret-but-long-enough")
    try:
        assert request(s, "GET", "/")[0] == 401
        assert request(s, "GET", "/r/night-1/")[0] == 401
        assert request(s, "GET", "/api/decisions")[0] == 401
        assert request(s, "GET", "/?token=wrong")[0] == 401
        status, headers, _ = request(s, "GET", "/r/night-1/?token=s3cret-but-long-enough")
        assert status == 303 and headers["Location"] == "/r/night-1/"
        cookie = headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        jar = {"Cookie": cookie.split(";")[0]}
        assert request(s, "GET", "/r/night-1/", headers=jar)[0] == 200
        assert request(s, "GET", "/api/decisions", headers={"Authorization": "Bearer s3cret-but-long-enough"})[0] == 200
        c = _conflicts(reports, "night-1")[0]
        body = {"conflict": c["id"], "status": "confirmed", "run": "r/night-1"}
        # The token alone is not enough to change anything: the CSRF header is still needed.
        assert request(s, "POST", "/api/decisions", body, jar)[0] == 403
        assert _post(s, body, **jar)[0] == 200
        assert _post(s, body)[0] == 401
    finally:
        s.shutdown()
        s.server_close()


def test_beyond_loopback_a_token_is_generated(monkeypatch, tmp_path):
    made = {}

    class Fake:
        def __init__(self, config):
            made["config"] = config

    monkeypatch.setattr(serve_mod, "ReportServer", Fake)
    serve_mod.make_server(tmp_path, tmp_path / "c.db", host="0.0.0.0", port=0)
    assert made["config"].token and len(made["config"].token) >= 24
    serve_mod.make_server(tmp_path, tmp_path / "c.db", host="127.0.0.1", port=0)
    assert made["config"].token is None
    assert serve_mod.is_loopback("localhost") and serve_mod.is_loopback("::1") and serve_mod.is_loopback("127.0.0.9")
    assert not serve_mod.is_loopback("0.0.0.0") and not serve_mod.is_loopback("192.168.1.4")


def test_served_decisions_carry_into_the_next_run(site, tmp_path):
    reports, db = site
    c = _conflicts(reports, "night-2")[0]
    record_decision(
        db, {"conflict": c["id"], "status": "confirmed", "who": "ben", "run": "r/night-2", "values": c["values"]}
    )
    src = _jsonl(tmp_path / "in.jsonl", ARTICLES)
    # Same inputs as the first runs (the store follows runs by their inputs).
    third = run(
        [reports.parent / "in.jsonl"], out_dir=reports / "night-3", extractor=regex_extractor, store=db, n_process=1
    )
    assert src.exists()
    got = {x.id: x.decision for x in third.conflicts}
    assert got[c["id"]]["status"] == "confirmed" and got[c["id"]]["who"] == "ben"


# --- hostile folders, paths and options -------------------------------------------


@pytest.fixture
def hostile(site, tmp_path):
    """A reports folder with links pointing out of report folders and out of --reports."""
    reports, _ = site
    root = tmp_path / "reports"
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:secret\n")
    good = root / "good"
    good.mkdir(parents=True)
    for name in ("report.html", "conflicts.json", "claims.csv"):
        (good / name).write_bytes((reports / "night-1" / name).read_bytes())
    leaky = root / "leaky"
    leaky.mkdir()
    (leaky / "report.html").write_bytes((reports / "night-1" / "report.html").read_bytes())
    (leaky / "conflicts.json").symlink_to(secret)  # conflicts.json -> a file outside
    (leaky / "claims.csv").symlink_to(good / "claims.csv")  # another report's file
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "report.html").write_bytes((reports / "night-1" / "report.html").read_bytes())
    (root / "linked").symlink_to(outside, target_is_directory=True)  # a report folder linked from outside
    (root / "dangling").mkdir()
    (root / "dangling" / "report.html").symlink_to(tmp_path / "gone.html")
    (root / "stolen").mkdir()
    (root / "stolen" / "report.html").symlink_to(secret)
    return root, secret


def test_links_never_lead_out_of_a_report_folder(hostile, caplog):
    root, secret = hostile
    with caplog.at_level("WARNING", logger="checker.serve"):
        s = _start(root, root / "checker.db")  # starts: the link out of --reports does not kill it
    try:
        status, _, body = request(s, "GET", "/")
        assert status == 200
        refs = lxml.html.document_fromstring(body).xpath('//tr[@class="report"]/@data-ref')
        assert sorted(refs) == ["r/good", "r/leaky"]
        assert request(s, "GET", "/r/good/conflicts.json")[0] == 200
        for path in (
            "/r/leaky/conflicts.json",
            "/r/leaky/claims.csv",
            "/r/linked/",
            "/r/linked/report.html",
            "/r/dangling/",
            "/r/stolen/",
            "/r/stolen/report.html",
        ):
            status, _, body = request(s, "GET", path)
            assert status == 404, path
            assert b"secret" not in body
        assert request(s, "GET", "/r/leaky/")[0] == 200  # its own report.html is fine
        # A POST naming the leaky report finds no conflicts: its conflicts.json is not read through the link.
        assert _post(s, {"conflict": "x", "status": "confirmed", "run": "r/leaky"})[0] == 404
    finally:
        s.shutdown()
        s.server_close()
    skipped = [r.getMessage() for r in caplog.records if "[E463]" in r.getMessage()]
    assert any("linked" in m and "outside" in m for m in skipped)
    assert len(skipped) == len(set(skipped))  # once per folder, however often the index is listed


def test_confined_resolves_and_refuses(tmp_path):
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "a.json").write_text("{}")
    (tmp_path / "r" / "loop").symlink_to(tmp_path / "r" / "loop")
    assert serve_mod.confined(tmp_path / "r", "a.json") == (tmp_path / "r" / "a.json").resolve()
    for name in ("loop", "missing", "../r/a.json/..", "x\x00y", "n" * 5000, "."):
        assert serve_mod.confined(tmp_path / "r", name) is None, name


def _raw(server, data: bytes) -> bytes:
    import socket

    port = server.server_address[1]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            try:
                got = sock.recv(65536)
            except (TimeoutError, ConnectionResetError):
                break
            if not got:
                break
            chunks.append(got)
            if b"\r\n\r\n" in b"".join(chunks):
                break
        return b"".join(chunks)


@pytest.mark.parametrize(
    "path", ["/r/night-1%00/", "/r/%00", "/%ff%fe/", "/r/night-1/%0a", "/r/" + "n" * 3000 + "/", "/api/decisions%00"]
)
def test_malformed_paths_get_400_not_a_dropped_connection(server, path):
    status, _, body = request(server, "GET", path)
    assert status == 400 and b"malformed path" in body
    assert request(server, "GET", "/")[0] == 200  # still serving


def test_raw_control_bytes_in_the_request_line_get_an_answer(server):
    port = server.server_address[1]
    got = _raw(server, b"GET /r/\x00night-1/ HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n" % port)
    assert got.startswith(b"HTTP/1.") and b" 400 " in got.split(b"\r\n")[0]


def test_non_ascii_secrets_are_refused_not_crashed(site):
    reports, db = site
    s = _start(reports, db, token="a-long-enough-token-0123")
    try:
        assert request(s, "GET", "/?token=%C3%A9t%C3%A9")[0] == 401
        assert request(s, "GET", "/", headers={"Cookie": "checker_token=\u00e9t\u00e9"})[0] == 401
        assert request(s, "GET", "/", headers={"Authorization": "Bearer \u00e9t\u00e9"})[0] == 401
        assert request(s, "GET", "/", headers={"Cookie": 'checker_token="unclosed'})[0] == 401
    finally:
        s.shutdown()
        s.server_close()


def test_non_ascii_csrf_header_is_refused_not_crashed(server, site):
    reports, _ = site
    c = _conflicts(reports, "night-2")[0]
    status, _, body = _post(
        server, {"conflict": c["id"], "status": "confirmed", "run": "r/night-2"}, **{"X-Checker-CSRF": "\u00e9t\u00e9"}
    )
    assert status == 403 and "CSRF" in json.loads(body)["error"]


def test_a_decision_with_a_lone_surrogate_is_400(server, site):
    reports, db = site
    c = _conflicts(reports, "night-2")[0]
    body = b'{"conflict": "%s", "status": "confirmed", "run": "r/night-2", "note": "\\ud800"}' % c["id"].encode()
    before = len(decision_history(db, c["id"]))
    status, _, out = _post(server, body)
    assert status == 400 and "surrogate" in json.loads(out)["error"]
    assert len(decision_history(db, c["id"])) == before


def test_an_unexpected_error_is_a_500_and_the_server_goes_on(server, monkeypatch):
    def boom(ref):
        raise RuntimeError("a bug")

    monkeypatch.setattr(server, "find", boom)
    status, _, body = request(server, "GET", "/r/night-1/")
    assert status == 500 and b"internal error" in body
    monkeypatch.undo()
    assert request(server, "GET", "/r/night-1/")[0] == 200


@pytest.mark.parametrize(
    "token", ["x", "short-token", "a" * 15, "sixteen chars é!", "has space in it, long", "semi;colon;token;0123"]
)
def test_weak_or_unusable_tokens_are_refused(tmp_path, token):
    with pytest.raises(serve_mod.CheckerError) as exc:
        serve_mod.make_server(tmp_path, tmp_path / "c.db", port=0, token=token)
    assert exc.value.code == "E462" and exc.value.exit_code == 2


@pytest.mark.parametrize("port", [80000, 65536, -1])
def test_ports_out_of_range_are_refused(tmp_path, port):
    with pytest.raises(serve_mod.CheckerError) as exc:
        serve_mod.make_server(tmp_path, tmp_path / "c.db", port=port)
    assert exc.value.code == "E461" and exc.value.exit_code == 2


def test_serve_options_fail_with_one_line_and_help_says_why(tmp_path):
    from typer.testing import CliRunner

    from checker.cli import app

    runner = CliRunner()
    for args, code in ((["--token", "x"], "E462"), (["--port", "80000"], "E461")):
        res = runner.invoke(app, ["serve", "--reports", str(tmp_path), *args])
        lines = [ln for ln in res.output.splitlines() if ln.strip()]
        assert res.exit_code == 2 and len(lines) == 1 and lines[0].startswith(f"[{code}]"), res.output
    assert "at least 16 characters" in " ".join(runner.invoke(app, ["serve", "--help"]).output.split())


def test_a_damaged_store_does_not_stop_the_server(site, tmp_path, caplog):
    reports, _ = site
    root = tmp_path / "reports"
    (root / "night").mkdir(parents=True)
    for name in ("report.html", "conflicts.json"):
        (root / "night" / name).write_bytes((reports / "night-1" / name).read_bytes())
    db = root / "checker.db"
    db.write_bytes(b"SQLite format 3\x00" + b"\xff" * 8000)  # a store in name only
    with caplog.at_level("WARNING", logger="checker.serve"):
        s = _start(root, db)
    try:
        status, _, body = request(s, "GET", "/")
        assert status == 200
        assert lxml.html.document_fromstring(body).xpath('//tr[@class="report"]/@data-ref') == ["r/night"]
        assert request(s, "GET", "/r/night/")[0] == 200
        assert request(s, "GET", "/api/decisions/export")[0] == 503
        assert request(s, "GET", "/api/decisions?run=r/night")[0] == 503
    finally:
        s.shutdown()
        s.server_close()
    assert any("cannot list the store's runs" in r.getMessage() for r in caplog.records)
