"""``checker serve``: the reports in the browser, with decisions saved in the store.

A small standard-library server (``http.server.ThreadingHTTPServer``):

- ``GET /`` lists the runs: those the store recorded and any other
  ``report.html`` under the reports folder;
- ``GET /r/<folder>/`` serves the report of ``<reports>/<folder>`` (and its
  ``conflicts.json`` / ``claims.csv``); ``GET /run/<id>/`` a store run whose
  folder is elsewhere. The page is the report file itself, plus three
  ``<meta>`` tags that switch its script to saving decisions here;
- ``GET /api/decisions?run=<ref>`` the decisions on that run's conflicts;
  ``POST /api/decisions`` records one; ``GET /api/decisions/export`` the file
  ``checker decisions import`` reads.

Safety. It binds 127.0.0.1 unless told otherwise. Requests whose ``Host`` is
not this server are refused (DNS rebinding). A POST needs the per-server
CSRF token that only the served page carries (sent in the ``X-Checker-CSRF``
header, which a cross-site form cannot set), a JSON body, and, when the
browser says where it comes from, the same origin. Bound beyond loopback,
every request needs the access token (``?token=`` once, then a
``SameSite=Strict`` cookie): the URL to open is printed at start.
"""

from __future__ import annotations

import hmac
import html
import ipaddress
import json
import logging
import re
import secrets
import sys
from dataclasses import dataclass, field
from http import HTTPStatus
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from checker.decisions import (
    DecisionError,
    carried_decision,
    decisions_for,
    export_decisions,
    record_decision,
    value_keys,
)
from checker.errors import CheckerError
from checker.report import SERVE_SLOT, _env

log = logging.getLogger("checker.serve")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
MAX_BODY = 256 * 1024
COOKIE = "checker_token"
CSP_META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')
FILES = {"report.html": "text/html; charset=utf-8", "conflicts.json": "application/json", "claims.csv": "text/csv; charset=utf-8"}


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class ServeConfig:
    """What the server serves and how it guards it."""

    reports: Path
    store: Path
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    token: str | None = None
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    quiet: bool = False

    def allowed_hosts(self, port: int) -> set[str]:
        """``Host`` header values that name this server."""
        names = {self.host, f"[{self.host}]"} if ":" in self.host else {self.host}
        if is_loopback(self.host):
            names |= {"127.0.0.1", "localhost", "[::1]"}
        return {f"{n}:{port}" for n in names} | ({n for n in names} if port == 80 else set())


@dataclass
class Report:
    """One servable report: its folder, URL and what the store knows of it."""

    ref: str
    folder: Path
    run: dict[str, Any] | None = None

    @property
    def url(self) -> str:
        return "/" + quote(self.ref) + "/"


class ReportServer(ThreadingHTTPServer):
    """The HTTP server; ``config`` is shared by the request handlers."""

    daemon_threads = True

    def __init__(self, config: ServeConfig) -> None:
        self.config = config
        self._conflicts_cache: dict[Path, tuple[float, dict[str, dict[str, Any]]]] = {}
        super().__init__((config.host, config.port), Handler)

    @property
    def url(self) -> str:
        host = self.config.host
        host = f"[{host}]" if ":" in host else host
        base = f"http://{host}:{self.server_address[1]}/"
        return base + (f"?token={self.config.token}" if self.config.token else "")

    # --- reports -------------------------------------------------------------

    def reports(self) -> list[Report]:
        """Every report: store runs newest first, then other folders under ``reports``."""
        root = self.config.reports.resolve()
        out: list[Report] = []
        seen: set[Path] = set()
        for run in self._store_runs():
            d = run.get("out_dir")
            if not d or not (Path(d) / "report.html").is_file():
                continue
            folder = Path(d).resolve()
            if folder in seen:
                continue
            seen.add(folder)
            ref = "r/" + folder.relative_to(root).as_posix() if folder.is_relative_to(root) else f"run/{run['id']}"
            out.append(Report(ref, folder, run))
        if root.is_dir():
            found = sorted(root.glob("*/report.html")) + sorted(root.glob("*/*/report.html"))
            for f in sorted(found, key=lambda p: p.stat().st_mtime, reverse=True):
                folder = f.parent.resolve()
                if folder not in seen:
                    seen.add(folder)
                    out.append(Report("r/" + folder.relative_to(root).as_posix(), folder))
        return out

    def _store_runs(self) -> list[dict[str, Any]]:
        if not self.config.store.is_file():
            return []
        try:
            from checker.store import list_runs

            return [r for r in list_runs(self.config.store, limit=500) if r.get("status") == "complete"]
        except (CheckerError, OSError, ValueError) as exc:
            log.warning("cannot list the store's runs: %s", exc)
            return []

    def find(self, ref: str) -> Report | None:
        """The report a reference (``r/<folder>`` or ``run/<id>``) names, or None."""
        ref = ref.strip("/")
        root = self.config.reports.resolve()
        if ref.startswith("r/"):
            rel = ref[2:]
            if not rel or any(part in ("", ".", "..") for part in rel.split("/")):
                return None
            folder = (root / rel).resolve()
            if folder.is_relative_to(root) and (folder / "report.html").is_file():
                return Report("r/" + rel, folder)
            return None
        m = re.fullmatch(r"run/(\d+)", ref)
        if m:
            for r in self._store_runs():
                if r["id"] == int(m.group(1)) and r.get("out_dir") and (Path(r["out_dir"]) / "report.html").is_file():
                    return Report(ref, Path(r["out_dir"]).resolve(), r)
        return None

    def conflicts(self, report: Report) -> dict[str, dict[str, Any]]:
        """conflict id -> conflict (from the report's conflicts.json), cached by file time."""
        path = report.folder / "conflicts.json"
        try:
            mtime = path.stat().st_mtime
        except OSError:
            return {}
        hit = self._conflicts_cache.get(path)
        if hit and hit[0] == mtime:
            return hit[1]
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            table = {c["id"]: c for c in doc.get("conflicts", [])}
        except (OSError, ValueError, KeyError, TypeError):
            table = {}
        self._conflicts_cache[path] = (mtime, table)
        return table


class Handler(BaseHTTPRequestHandler):
    """One request: checks first (host, token, CSRF), then the route."""

    server: ReportServer
    server_version = "checker"

    def version_string(self) -> str:
        return self.server_version
    protocol_version = "HTTP/1.1"

    # --- plumbing --------------------------------------------------------------

    @property
    def cfg(self) -> ServeConfig:
        return self.server.config

    def log_message(self, format: str, *args: Any) -> None:
        if not self.cfg.quiet:
            sys.stderr.write(f"{self.log_date_time_string()} {format % args}\n")

    def _send(self, status: int, body: bytes | str, ctype: str = "text/plain; charset=utf-8",
              headers: dict[str, str] | None = None) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _json(self, status: int, obj: Any) -> None:
        self._send(status, json.dumps(obj, ensure_ascii=False), "application/json; charset=utf-8")

    def _error(self, status: int, message: str) -> None:
        if self.command == "POST":
            # The body may be unread: close rather than parse it as the next request.
            self.close_connection = True
        if self.path.startswith("/api/"):
            self._json(status, {"error": message})
        else:
            self._send(status, message + "\n")

    def _host_ok(self) -> bool:
        host = (self.headers.get("Host") or "").lower()
        if not is_loopback(self.cfg.host) and self.cfg.token:
            # Beyond loopback the token guards every request; names for the host vary.
            return True
        return host in {h.lower() for h in self.cfg.allowed_hosts(self.server.server_address[1])}

    def _token_ok(self, query: dict[str, list[str]]) -> bool | str:
        """True when no token is needed or one matches; "redirect" when it came in the URL."""
        want = self.cfg.token
        if not want:
            return True
        given = (query.get("token") or [""])[0]
        if given and hmac.compare_digest(given, want):
            return "redirect"
        auth = self.headers.get("Authorization") or ""
        if auth.startswith("Bearer ") and hmac.compare_digest(auth[7:].strip(), want):
            return True
        cookie = SimpleCookie(self.headers.get("Cookie") or "")
        return COOKIE in cookie and hmac.compare_digest(cookie[COOKIE].value, want)

    def _guard(self) -> tuple[str, dict[str, list[str]]] | None:
        """The request's path and query when it may proceed; else the refusal is sent and None returned."""
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        if not self._host_ok():
            self._error(HTTPStatus.MISDIRECTED_REQUEST, "unknown Host: open the address checker serve printed")
            return None
        tok = self._token_ok(query)
        if tok == "redirect" and self.command in ("GET", "HEAD"):
            # Trade the URL token for a cookie, and drop it from the address bar and history.
            rest = "&".join(f"{quote(k)}={quote(v)}" for k, vs in query.items() if k != "token" for v in vs)
            self._send(HTTPStatus.SEE_OTHER, "", headers={
                "Location": parts.path + (f"?{rest}" if rest else ""),
                "Set-Cookie": f"{COOKIE}={self.cfg.token}; Path=/; HttpOnly; SameSite=Strict",
            })
            return None
        if not tok:
            self._error(HTTPStatus.UNAUTHORIZED, "a token is required: open the URL checker serve printed (…/?token=…)")
            return None
        return unquote(parts.path), query

    # --- routes ----------------------------------------------------------------

    def do_HEAD(self) -> None:  # noqa: N802 (http.server's naming)
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        got = self._guard()
        if got is None:
            return
        path, query = got
        if path == "/":
            return self._index()
        if path == "/api/decisions":
            return self._get_decisions((query.get("run") or [""])[0])
        if path == "/api/decisions/export":
            return self._send(HTTPStatus.OK, json.dumps(export_decisions(self.cfg.store), ensure_ascii=False, indent=1),
                              "application/json; charset=utf-8",
                              {"Content-Disposition": 'attachment; filename="checker-decisions.json"'})
        if path == "/favicon.ico":
            return self._send(HTTPStatus.NO_CONTENT, b"")
        m = re.fullmatch(r"/((?:r/.+?)|(?:run/\d+))/(report\.html|conflicts\.json|claims\.csv)?", path)
        if not m and self.server.find(path.strip("/")) is not None:
            return self._send(HTTPStatus.MOVED_PERMANENTLY, "", headers={"Location": quote(path.rstrip("/") + "/")})
        if not m:
            return self._error(HTTPStatus.NOT_FOUND, "not found")
        report = self.server.find(m.group(1))
        if report is None:
            return self._error(HTTPStatus.NOT_FOUND, "no such report")
        name = m.group(2) or "report.html"
        if name == "report.html":
            return self._report(report)
        f = report.folder / name
        if not f.is_file():
            return self._error(HTTPStatus.NOT_FOUND, f"this run has no {name}")
        self._send(HTTPStatus.OK, f.read_bytes(), FILES[name])

    def do_POST(self) -> None:  # noqa: N802
        got = self._guard()
        if got is None:
            return
        path, _ = got
        if path != "/api/decisions":
            return self._error(HTTPStatus.NOT_FOUND, "not found")
        problem = self._csrf_problem()
        if problem:
            return self._error(HTTPStatus.FORBIDDEN, problem)
        try:
            length = int(self.headers.get("Content-Length") or "0")
        except ValueError:
            length = -1
        if length <= 0 or length > MAX_BODY:
            return self._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE if length > MAX_BODY else HTTPStatus.LENGTH_REQUIRED,
                               f"a JSON body of at most {MAX_BODY} bytes is required")
        try:
            entry = json.loads(self.rfile.read(length).decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return self._error(HTTPStatus.BAD_REQUEST, "the body is not JSON")
        if not isinstance(entry, dict):
            return self._error(HTTPStatus.BAD_REQUEST, "a decision must be a JSON object")
        report = self.server.find(str(entry.get("run") or ""))
        if report is None:
            return self._error(HTTPStatus.NOT_FOUND, "unknown run: reload the report")
        conflict = self.server.conflicts(report).get(str(entry.get("conflict") or ""))
        if conflict is None:
            return self._error(HTTPStatus.NOT_FOUND, "this run has no such conflict")
        # What the editor saw comes from the run's own file, not from the request.
        entry.update(values=conflict.get("values") or [], kind=conflict.get("kind"), story=conflict.get("story"),
                     subject=conflict.get("subject"), run=report.ref, at=None)
        try:
            saved = record_decision(self.cfg.store, entry, origin="serve")
        except DecisionError as exc:
            return self._error(HTTPStatus.BAD_REQUEST, str(exc))
        except CheckerError as exc:
            return self._error(HTTPStatus.SERVICE_UNAVAILABLE, str(exc))
        out = carried_decision(saved | {"values_signature": None}, value_keys(conflict.get("values") or []))
        self._json(HTTPStatus.OK, out | {"conflict": saved["conflict"]})

    def _csrf_problem(self) -> str | None:
        sent = self.headers.get("X-Checker-CSRF") or ""
        if not hmac.compare_digest(sent, self.cfg.csrf):
            return "missing or wrong CSRF token: reload the report from this server"
        site = self.headers.get("Sec-Fetch-Site")
        if site and site not in ("same-origin", "none"):
            return f"cross-site request refused ({site})"
        origin = self.headers.get("Origin")
        if origin and origin.lower() != f"http://{(self.headers.get('Host') or '').lower()}":
            return f"request from another origin refused ({origin})"
        if not (self.headers.get("Content-Type") or "").lower().startswith("application/json"):
            return "Content-Type must be application/json"
        return None

    def _get_decisions(self, ref: str) -> None:
        report = self.server.find(ref) if ref else None
        if ref and report is None:
            return self._error(HTTPStatus.NOT_FOUND, "no such report")
        try:
            if report is None:
                return self._json(HTTPStatus.OK, export_decisions(self.cfg.store))
            got = decisions_for(list(self.server.conflicts(report).values()), self.cfg.store)
        except CheckerError as exc:
            return self._error(HTTPStatus.SERVICE_UNAVAILABLE, str(exc))
        self._json(HTTPStatus.OK, {"decisions": got, "run": report.ref})

    def _report(self, report: Report) -> None:
        page = (report.folder / "report.html").read_text(encoding="utf-8")
        metas = (
            '<meta name="checker-api" content="/api/decisions">\n'
            f'<meta name="checker-csrf" content="{html.escape(self.cfg.csrf)}">\n'
            f'<meta name="checker-run" content="{html.escape(report.ref)}">'
        )
        # The slot is in the template's <head>; data in the page is escaped, so the first match is the real one.
        page = page.replace(SERVE_SLOT, metas, 1)
        m = CSP_META.search(page, 0, 4000)
        csp = (html.unescape(m.group(1)) + "; " if m else "default-src 'none'; ") + "frame-ancestors 'none'"
        self._send(HTTPStatus.OK, page, "text/html; charset=utf-8", {"Content-Security-Policy": csp})

    def _index(self) -> None:
        reports = self.server.reports()
        body = _env().get_template("index.html").render(reports=reports, store=str(self.cfg.store),
                                                        folder=str(self.cfg.reports))
        self._send(HTTPStatus.OK, body, "text/html; charset=utf-8",
                   {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"})


def make_server(
    reports: str | Path = "reports",
    store: str | Path | None = None,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    token: str | None = None,
    quiet: bool = False,
) -> ReportServer:
    """A server ready to ``serve_forever()``; port 0 picks a free one.

    Bound beyond loopback without ``token``, one is generated (see ``.url``).
    """
    if store is None:
        from checker.store import default_store_path

        store = default_store_path()
    if not is_loopback(host) and not token:
        token = secrets.token_urlsafe(24)
    cfg = ServeConfig(reports=Path(reports), store=Path(store), host=host, port=port, token=token, quiet=quiet)
    try:
        return ReportServer(cfg)
    except OSError as exc:
        raise CheckerError("E460", f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def serve(
    reports: str | Path = "reports",
    store: str | Path | None = None,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    token: str | None = None,
    echo: Any = print,
) -> None:
    """Serve the reports until interrupted; prints the address to open."""
    server = make_server(reports, store, host, port, token)
    if not Path(reports).is_dir():
        echo(f"note: no reports folder at {reports} yet (checker run --out {reports}/NAME writes one)")
    echo(f"checker serve: {len(server.reports())} reports from {reports}, decisions in {server.config.store}")
    if server.config.token:
        echo("every request needs the token: open the URL below (it sets a cookie)")
    echo(f"open {server.url}   (Ctrl+C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
