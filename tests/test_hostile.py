"""Hostile input: every bad input is that input's one line, never the run's end, and nothing hangs.

The corpus is built in a temporary folder by tests/hostile.py (sparse files
cost no disk). Each test runs under an alarm: a read that blocks (a FIFO,
/dev/zero) fails the test instead of hanging the suite.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from checker.csvsafe import safe_cell, safe_csv_frame
from checker.ingest import printable, read_bounded, read_inputs
from checker.pipeline import run
from tests import hostile
from tests.conftest import ROOT
from tests.reportdata import regex_extractor

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGALRM") or not hasattr(os, "mkfifo"), reason="needs POSIX")


@contextlib.contextmanager
def _deadline(seconds: int):
    """Fail (not hang) when the block takes longer than ``seconds``: a read that blocks is a bug."""

    def hung(*_):
        raise TimeoutError(f"hung for {seconds} s: a hostile input blocked the run")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.fixture(autouse=True)
def _no_hang():
    with _deadline(120):
        yield


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    with _deadline(60):
        inputs, cases = hostile.build(root, huge=False)
    return root, inputs, cases


@pytest.fixture(scope="module")
def ingested(corpus):
    _, inputs, _ = corpus
    with _deadline(60):
        return read_inputs(inputs)


def _case_names() -> list[str]:
    """The cases' names, for the parametrisation (the corpus itself is built once per module)."""
    if not hasattr(os, "mkfifo"):
        return []
    with tempfile.TemporaryDirectory() as tmp:
        return [c.name for c in hostile.build(Path(tmp), huge=False)[1]]


CASES = _case_names()


@pytest.mark.parametrize("name", CASES)
def test_each_hostile_input_gives_its_one_line(name, corpus, ingested):
    case = next(c for c in corpus[2] if c.name == name)
    mine = [s for s in ingested.skipped if s.path == case.path and (case.line is None or s.line == case.line)]
    if case.code is None:
        assert not mine, [s.message() for s in mine]
    else:
        assert [s.code for s in mine].count(case.code) == 1, (case, [s.message() for s in mine])
    if case.id is not None:
        assert case.id in {a.id for a in ingested.articles}, sorted(a.id for a in ingested.articles)


def test_every_line_is_one_printable_line_and_the_good_inputs_are_all_read(corpus, ingested):
    _, _, cases = corpus
    for s in ingested.skipped:
        msg = s.message()
        assert "\n" not in msg and "\r" not in msg
        msg.encode("utf-8")  # no surrogates: printable, storable, writable
        assert msg.startswith(f"[{s.code}] ")
    expected = sorted(c.id for c in cases if c.id)
    assert sorted(a.id for a in ingested.articles) == expected
    for a in ingested.articles:
        a.id.encode("utf-8")
        a.text.encode("utf-8")


def test_wrong_field_types_drop_the_field_not_the_article(ingested):
    by_id = {a.id: a for a in ingested.articles}
    assert by_id["r4"].story is None and by_id["r5"].title == "Five people were hurt."
    assert by_id["r6"].source is None and by_id["r7"].url is None
    assert by_id["r9"].published is None and by_id["r10"].published is None
    assert by_id["meta/a.txt"].source == "Outlet" and by_id["meta/a.txt"].story is None
    assert by_id["meta/a.txt"].published is None


def test_duplicate_ids_are_kept_apart_and_said(ingested):
    by_id = {a.id: a for a in ingested.articles}
    assert by_id["dup"].text == hostile.TEN and by_id["dup#2"].text == hostile.TWELVE
    assert by_id["dup#3"].text == "Nine soldiers were hurt."
    lines = [s.message() for s in ingested.skipped if s.code == "E222"]
    assert any("'dup' is already used at" in m and "'dup#2'" in m for m in lines)
    assert any("same id, text and metadata); read once" in m for m in lines)
    # The same file reached twice is read once.
    assert sum(a.text.startswith("Flood toll rises") for a in ingested.articles) == 1


def test_offsets_index_the_decoded_text_whatever_the_encoding(ingested):
    by_id = {a.id: a for a in ingested.articles}
    for aid, n in (("utf16le.txt", "16"), ("utf16be.txt", "18"), ("utf32.txt", "19"), ("utf8bom.txt", "17")):
        text = by_id[aid].text
        assert text.startswith("Quake\n")  # no byte-order mark in the text
        i = text.index(n)
        assert text[i : i + 2] == n and by_id[aid].title == "Quake"
    rtl = by_id["rtl"]
    assert rtl.text == hostile.RTL_TEXT  # zero-width and RTL characters kept, offsets unchanged
    assert by_id["r11"].text == "Eleven people \ufffd were hurt."  # one character for one
    assert by_id["sep"].text == hostile.SEPARATORS_TEXT


def test_sizes_are_checked_before_reading(tmp_path, monkeypatch):
    big = tmp_path / "big.txt"
    with open(big, "wb") as f:
        f.truncate(hostile.SPARSE)
    read = []
    real = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: read.append(n) or real(fd, n))
    data, err = read_bounded(big, 5_000_000)
    assert data is None and err.code == "E205" and read == []
    # A file whose size stat cannot tell (/proc) is read at most limit + 1 bytes.
    if os.path.exists("/proc/self/status"):
        data, err = read_bounded("/proc/self/status", 10)
        assert data is None and err.code == "E205" and sum(read) <= 11


def test_a_jsonl_record_over_the_article_limit_is_its_own_line(tmp_path):
    p = tmp_path / "b.jsonl"
    p.write_text(
        json.dumps({"id": "big", "text": "x" * 2000}) + "\n" + json.dumps({"id": "ok", "text": "Fine."}) + "\n"
    )
    ing = read_inputs([p], max_bytes=1000)
    assert [a.id for a in ing.articles] == ["ok"]
    assert [(s.code, s.line) for s in ing.skipped] == [("E205", 1)]


def test_published_in_the_shapes_outlets_use_is_kept(tmp_path):
    p = tmp_path / "b.jsonl"
    dates = ["2024-11-05", "2024-11-05T18:00:00Z", "Friday, Sep 10, 2010 | Updated 9:28 AM EDT", "09/10/10 08:23 PM ET"]
    p.write_text(
        "".join(json.dumps({"id": f"a{i}", "text": "Text.", "published": d}) + "\n" for i, d in enumerate(dates))
    )
    ing = read_inputs([p])
    assert [a.published for a in ing.articles] == dates and ing.skipped == []


def test_ids_as_whole_numbers_are_text(tmp_path):
    p = tmp_path / "b.jsonl"
    p.write_text(json.dumps({"id": 41, "story": 7, "text": "Text."}) + "\n")
    a = read_inputs([p]).articles[0]
    assert (a.id, a.story) == ("41", "7")


def test_printable_names():
    assert printable(os.fsdecode(b"caf\xe9.txt")) == "caf\\xe9.txt"
    assert printable("café.txt") == "café.txt"
    assert printable("a\nb") == "a\\x0ab"
    assert printable("x\ud800y") == "x\\ud800y"
    assert printable("report\u202etxt.exe") == "report\\u202etxt.exe"  # no right-to-left override in a name


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ('=HYPERLINK("http://example.invalid","x")', '\'=HYPERLINK("http://example.invalid","x")'),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("+1+cmd", "'+1+cmd"),
        ("-2+3", "'-2+3"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-12", "-12"),
        ("+3.5e2", "+3.5e2"),
        ("Reuters", "Reuters"),
        (-5.0, -5.0),
        (None, None),
    ],
)
def test_csv_cells_that_would_run_get_a_quote(cell, written):
    assert safe_cell(cell) == written


def test_csv_frame_keeps_numbers_numbers():
    import pandas as pd

    df = safe_csv_frame(pd.DataFrame({"n": [-1.5, 2.0], "s": ["-1", "=1+1"], "mixed": [-3.0, "@x"]}))
    assert df["n"].tolist() == [-1.5, 2.0] and df["s"].tolist() == ["-1", "'=1+1"]
    assert df["mixed"].tolist() == [-3.0, "'@x"]


def _payload_extractor(articles, rules, **kw):
    """The regex stand-in, with a formula as every claim's attribution."""
    ext = regex_extractor(articles, rules, **kw)
    for c in ext.claims:
        c.attribution = "@SUM(1+1)*cmd|' /C calc'!A0"
    return ext


def test_run_completes_and_writes_every_output(corpus, tmp_path):
    """The whole run (store, conflicts.json, claims.csv, report.html) over the hostile corpus."""
    _, inputs, cases = corpus
    src = tmp_path / "more.jsonl"
    src.write_text(
        json.dumps({"id": "s", "story": "boats", "source": "Wire A", "text": "Pirates seized 12 boats."})
        + "\n"
        + json.dumps({"id": "s", "story": "boats", "source": "Wire B", "text": "Pirates seized 10 boats."})
        + "\n"
    )
    latin_out = tmp_path / os.fsdecode(b"out-\xe9") / "r"
    res = run(
        [*inputs, str(src)], out_dir=latin_out, extractor=_payload_extractor, store=tmp_path / "c.db", n_process=1
    )
    assert {c.code for c in res.skipped} >= {c.code for c in cases if c.code}
    # One id, two texts: kept apart, so their figures still conflict.
    boats = [c for c in res.conflicts if c.subject == "boats"]
    assert boats and {cl["article"] for v in boats[0].values for cl in v.claims} == {"s", "s#2"}
    missing = next(c.path for c in cases if c.code == "E201")
    doc = json.loads((latin_out / "conflicts.json").read_text(encoding="utf-8"))
    assert missing in {s["path"] for s in doc["run"]["skipped"]}
    assert missing in (latin_out / "report.html").read_text(encoding="utf-8")
    with open(latin_out / "claims.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows
    for row in rows:
        for col, cell in row.items():
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), (col, cell)
            assert not cell.startswith("-") or cell.lstrip("-").replace(".", "").isdigit(), (col, cell)
    formula = [r for r in rows if r["article"] == "'" + hostile.FORMULA_ID]
    assert formula and formula[0]["source"] == "'" + hostile.FORMULA_SOURCE
    assert {r["attribution"] for r in rows} == {"'@SUM(1+1)*cmd|' /C calc'!A0"}
    assert any(r["article"] == "caf\\xe9.txt" for r in rows)
    db = sqlite3.connect(tmp_path / "c.db")
    inputs_stored = db.execute("SELECT inputs FROM runs").fetchone()[0]
    assert "gone-\\\\xe9.txt" in inputs_stored  # JSON-escaped backslash
    db.close()


@pytest.mark.slow
def test_checker_run_over_the_hostile_corpus(tmp_path):
    """``python -m checker run`` with the model: exit 0, one stderr line per bad input, Ten/Twelve still conflict."""
    inputs, cases = hostile.build(tmp_path, huge=True)
    out = tmp_path / os.fsdecode(b"rep\xe9") / "latest"
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONWARNINGS="ignore")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "checker",
            "run",
            *inputs,
            "--out",
            os.fsencode(out),
            "--store",
            os.fsencode(tmp_path / "c.db"),
        ],
        capture_output=True,
        timeout=300,
        cwd=ROOT,
        env=env,
    )
    err = proc.stderr.decode("utf-8")  # strict: every line printable
    assert proc.returncode == 0, err[-3000:]
    lines = [x for x in err.splitlines() if x.startswith("[E")]
    for c in cases:
        if c.code is None:
            continue
        where = f"{c.path}:{c.line}: " if c.line else f"{c.path}: "
        assert [x for x in lines if x.startswith(f"[{c.code}] {where}")], (c, where)
    assert [x for x in lines if x.startswith("[E299] huge.txt:")]
    assert "Traceback" not in err and "[E000]" not in err
    doc = json.loads((out / "conflicts.json").read_text(encoding="utf-8"))
    soldiers = [c for c in doc["conflicts"] if c["kind"] == "quantity" and "troop" in c["subject"]]
    assert soldiers, [c["subject"] for c in doc["conflicts"]]
    assert {x["article"] for v in soldiers[0]["values"] for x in v["claims"]} == {"dup", "dup#2"}
    assert (out / "report.html").is_file() and (out / "claims.csv").is_file()


def test_a_folder_nested_deeper_than_the_recursion_limit_is_walked(tmp_path):
    depth = 1200  # past Python's 1,000 frames; the path stays under PATH_MAX
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        for _ in range(depth):
            os.mkdir("d", dir_fd=fd)
            fd, old = os.open("d", os.O_RDONLY, dir_fd=fd), fd
            os.close(old)
        f = os.open("deep.txt", os.O_WRONLY | os.O_CREAT, dir_fd=fd)
        os.write(f, b"Deep\nThe well is 40 metres deep.\n")
        os.close(f)
    finally:
        os.close(fd)
    try:
        ing = read_inputs([tmp_path])
        assert [a.id.count("/") for a in ing.articles] == [depth] and ing.skipped == []
    finally:  # pytest's own clean-up recurses: undo the nesting here
        leaf = os.path.join(tmp_path, *["d"] * depth)
        os.remove(os.path.join(leaf, "deep.txt"))
        for i in range(depth, 0, -1):
            os.rmdir(os.path.join(tmp_path, *["d"] * i))


def test_a_million_bad_lines_make_a_bounded_list(tmp_path):
    p = tmp_path / "b.jsonl"
    p.write_text(json.dumps({"id": "ok", "text": "Fine."}) + "\n" + "{bad\n" * 5000)
    ing = read_inputs([p])
    assert [a.id for a in ing.articles] == ["ok"]
    assert len(ing.skipped) == 101 and ing.skipped[-1].message().endswith(
        "4,900 more lines like these (E207) from line 102 on, not listed"
    )
