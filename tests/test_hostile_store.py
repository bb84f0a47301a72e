"""Hostile output folders, stores, dates and decisions files: one coded line and the documented exit code.

Faults are injected where the system would raise them (a write failing with
ENOSPC, SQLite reporting a full disk or a damaged file, a rename failing
halfway), never by filling a real disk. Runs use the regex stand-in extractor
(tests/reportdata.py), so no spaCy is loaded.
"""

from __future__ import annotations

import errno
import functools
import json
import sqlite3
import tempfile

import pytest
from typer.testing import CliRunner

from checker import pipeline
from checker.cli import app
from checker.decisions import DecisionError, decision_history, import_decisions, read_decisions_file
from checker.errors import CheckerError, StoreError
from checker.pipeline import run
from checker.rules import load_rules
from checker.store import Store, store_failure
from tests.conftest import ROOT
from tests.reportdata import regex_extractor
from tests.test_report import ARTICLES, _jsonl

runner = CliRunner()


@functools.lru_cache(maxsize=1)
def _rules():
    return load_rules(ROOT / "rules")


def _run(inputs, **kwargs):
    """pipeline.run with the project's rules loaded once for the module."""
    return run(inputs, rules=_rules(), **kwargs)


def _one_line(res, code: str) -> str:
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"[{code}]"), res.output
    assert "Traceback" not in res.output and "[E000]" not in res.output
    return lines[0]


@pytest.fixture
def src(tmp_path):
    return _jsonl(tmp_path / "in.jsonl", ARTICLES)


class Counting:
    """The stand-in extractor, counting calls: work done before a check failed shows."""

    def __init__(self):
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return regex_extractor(*args, **kwargs)


# --- --out -----------------------------------------------------------------------


def test_out_under_a_file_fails_before_any_work(tmp_path, src):
    (tmp_path / "afile").write_text("x")
    ext = Counting()
    with pytest.raises(CheckerError) as exc:
        _run([src], out_dir=tmp_path / "afile" / "out", extractor=ext, store=tmp_path / "c.db")
    assert exc.value.code == "E260" and exc.value.exit_code == 2 and "afile" in str(exc.value)
    assert ext.calls == 0
    assert not (tmp_path / "c.db").exists()  # not even the store was opened


def test_out_that_is_a_file_fails_before_any_work(tmp_path, src):
    (tmp_path / "out").write_text("x")
    with pytest.raises(CheckerError) as exc:
        _run([src], out_dir=tmp_path / "out", extractor=regex_extractor)
    assert exc.value.code == "E260"


def test_out_that_cannot_be_written_fails_before_any_work(tmp_path, src, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", refuse)  # as a read-only folder would (we may be root)
    ext = Counting()
    with pytest.raises(CheckerError) as exc:
        _run([src], out_dir=tmp_path / "out", extractor=ext)
    assert exc.value.code == "E260" and "Permission denied" in str(exc.value)
    assert ext.calls == 0


def test_unwritable_out_through_the_cli_is_exit_2_and_one_line(tmp_path):
    (tmp_path / "afile").write_text("x")
    res = runner.invoke(app, ["run", str(tmp_path), "--no-store", "--out", str(tmp_path / "afile" / "out")])
    assert res.exit_code == 2
    assert "afile" in _one_line(res, "E260")


# --- disk full and half-done writes ---------------------------------------------


def _snapshot(out):
    return {p.name: p.read_bytes() for p in out.iterdir()}


def _full_disk_on(monkeypatch, victim: str):
    """Writes of ``victim``'s temporary file fail with ENOSPC after a first chunk."""
    real_open = open

    class Full:
        def __init__(self, f):
            self.f = f

        def write(self, text):
            self.f.write(text[:100])
            raise OSError(errno.ENOSPC, "No space left on device")

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

    def fake_open(path, mode="r", *args, **kwargs):
        f = real_open(path, mode, *args, **kwargs)
        return Full(f) if str(path).endswith(victim + ".tmp") else f

    monkeypatch.setattr(pipeline, "open", fake_open, raising=False)


@pytest.mark.parametrize("victim", ["claims.csv", "report.html", "conflicts.json"])
def test_disk_full_leaves_the_previous_files_and_no_tmp(tmp_path, src, monkeypatch, victim):
    out, db = tmp_path / "out", tmp_path / "c.db"
    first = _run([src], out_dir=out, extractor=regex_extractor, store=db)
    before = _snapshot(out)
    _jsonl(src, [ARTICLES[0], ARTICLES[1] | {"text": ARTICLES[1]["text"].replace("20 boats", "25 boats")}, ARTICLES[2]])
    _full_disk_on(monkeypatch, victim)
    with pytest.raises(CheckerError) as exc:
        _run([src], out_dir=out, extractor=regex_extractor, store=db)
    assert exc.value.code == "E261" and exc.value.exit_code == 2 and "No space left" in str(exc.value)
    assert _snapshot(out) == before, "a failed write must leave the previous run's files untouched"
    assert not list(out.glob("*.tmp"))
    with Store(db) as st:
        runs = st.runs()
    assert runs[0]["status"] == "running"  # unfinished: it resumes
    monkeypatch.undo()
    again = _run([src], out_dir=out, extractor=regex_extractor, store=db)
    assert again.info["id"] == runs[0]["id"] != first.info["id"]
    assert _snapshot(out) != before and not list(out.glob("*.tmp"))


@pytest.mark.parametrize("fail_on", ["claims.csv", "report.html", "conflicts.json"])
def test_a_new_conflicts_json_always_has_its_report(tmp_path, src, monkeypatch, fail_on):
    out = tmp_path / "out"
    _run([src], out_dir=out, extractor=regex_extractor)
    before = _snapshot(out)
    _jsonl(src, ARTICLES[:2])
    real_replace = pipeline.os.replace

    def replace(a, b):
        if str(b).endswith(fail_on):
            raise OSError(errno.EIO, "Input/output error")
        real_replace(a, b)

    monkeypatch.setattr(pipeline.os, "replace", replace)
    with pytest.raises(CheckerError) as exc:
        _run([src], out_dir=out, extractor=regex_extractor)
    assert exc.value.code == "E261"
    after = _snapshot(out)
    assert after["conflicts.json"] == before["conflicts.json"]  # renamed last: still the old one
    assert not list(out.glob("*.tmp"))


# --- the store failing mid-run ---------------------------------------------------


@pytest.mark.parametrize(
    "error, hint",
    [
        (sqlite3.OperationalError("database or disk is full"), "free some space"),
        (sqlite3.DatabaseError("database disk image is malformed"), "damaged"),
        (sqlite3.OperationalError("disk I/O error"), "check the disk"),
    ],
)
def test_store_failing_mid_run_is_exit_5_with_a_line(tmp_path, src, monkeypatch, error, hint):
    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr(Store, "finish_run", broken)
    with pytest.raises(StoreError) as exc:
        _run([src], out_dir=tmp_path / "out", extractor=regex_extractor, store=tmp_path / "c.db")
    assert exc.value.code == "E409" and exc.value.exit_code == 5
    assert str(tmp_path / "c.db") in str(exc.value) and hint in str(exc.value)


def test_a_bug_in_sql_is_not_dressed_up_as_a_store_failure(tmp_path):
    assert store_failure(tmp_path / "c.db", sqlite3.IntegrityError("UNIQUE constraint failed")) is None
    assert store_failure(tmp_path / "c.db", sqlite3.ProgrammingError("bad binding")) is None


def _damage(db):
    """Keep the first page (header and schema), overwrite the rest: opens fine, fails when read."""
    with sqlite3.connect(db) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = db.read_bytes()
    page = 4096
    db.write_bytes(data[:page] + b"\xff" * (len(data) - page))


def test_a_damaged_store_is_exit_5_not_a_traceback(tmp_path, src):
    db = tmp_path / "c.db"
    _run([src], out_dir=tmp_path / "out", extractor=regex_extractor, store=db)
    _run([src], out_dir=tmp_path / "out", extractor=regex_extractor, store=db)
    _damage(db)
    with pytest.raises(StoreError) as exc:
        _run([src], out_dir=tmp_path / "out", extractor=regex_extractor, store=db)
    assert exc.value.code in ("E403", "E409") and exc.value.exit_code == 5
    for args, code in (
        (["runs"], "E409"),
        (["diff", "1", "2"], "E409"),
        (["decisions", "export"], "E451"),
        (["evaluate", "--decisions"], "E451"),
    ):
        res = runner.invoke(app, [*args, "--store", str(db)])
        assert res.exit_code == 5, (args, res.output)
        assert "damaged" in _one_line(res, code)


def test_a_truncated_store_is_exit_5(tmp_path, src):
    db = tmp_path / "c.db"
    _run([src], out_dir=tmp_path / "out", extractor=regex_extractor, store=db)
    with sqlite3.connect(db) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.write_bytes(db.read_bytes()[: db.stat().st_size // 2])
    res = runner.invoke(app, ["runs", "--store", str(db)])
    assert res.exit_code == 5
    _one_line(res, "E403")


def test_a_lock_path_that_is_a_folder_is_exit_5(tmp_path, src):
    (tmp_path / "c.db.lock").mkdir()
    with pytest.raises(StoreError) as exc:
        _run([src], out_dir=tmp_path / "out", extractor=regex_extractor, store=tmp_path / "c.db")
    assert exc.value.code == "E410" and exc.value.exit_code == 5 and "c.db.lock" in str(exc.value)


# --- --since ------------------------------------------------------------------------


@pytest.mark.parametrize("since", ["0001-01-01", "9999-12-31T23:59:59-12:00", "nan", "inf", "-inf", "1e300", "-1e300"])
def test_out_of_range_since_is_one_line_before_any_work(tmp_path, src, since):
    db = tmp_path / "c.db"
    ext = Counting()
    with pytest.raises(CheckerError) as exc:
        _run([src], out_dir=tmp_path / "out", extractor=ext, store=db, since=since)
    assert exc.value.code == "E210" and exc.value.exit_code == 2 and "out of range" in str(exc.value)
    assert ext.calls == 0 and not db.exists()  # no run was begun


def test_out_of_range_since_through_the_cli(tmp_path):
    res = runner.invoke(
        app, ["run", str(tmp_path), "--no-store", "--out", str(tmp_path / "o"), "--since", "0001-01-01"]
    )
    assert res.exit_code == 2
    _one_line(res, "E210")


def test_a_since_in_range_still_works(tmp_path, src):
    got = _run([src], out_dir=tmp_path / "out", extractor=regex_extractor, since="1971-01-01")
    assert len(got.articles) == len(ARTICLES)


# --- decisions files -----------------------------------------------------------------


def _decisions(tmp_path, text: str):
    p = tmp_path / "d.json"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    "text, code, why",
    [
        ('{"decisions":' + "[" * 100_000 + "]" * 100_000 + "}", "E454", "nested too deeply"),
        (
            '{"decisions":[{"conflict":"c1","status":"confirmed","note":"\\ud800"}]}',
            "E452",
            "'note' holds a lone surrogate",
        ),
        (
            '{"decisions":[{"conflict":"c1","status":"confirmed","who":"x\\udfff"}]}',
            "E452",
            "'who' holds a lone surrogate",
        ),
        ('{"decisions":[{"conflict":"c\\ud800","status":"confirmed"}]}', "E452", "lone surrogate"),
        (
            '{"decisions":[{"conflict":"c1","status":"confirmed","values":[{"value":"\\ud800"}]}]}',
            "E452",
            "lone surrogate",
        ),
        (
            '{"decisions":[{"conflict":"c1","status":"confirmed","at":"9999-12-31T23:59:59-05:00"}]}',
            "E452",
            "out of range",
        ),
        (
            '{"decisions":[{"conflict":"c1","status":"confirmed","at":"0001-01-01T00:00:00+05:00"}]}',
            "E452",
            "out of range",
        ),
        ('{"decisions":[{"conflict":"c1","status":"confirmed","at":"99999-01-01"}]}', "E452", "not an ISO 8601 time"),
    ],
)
def test_hostile_decisions_files_are_one_line_and_import_nothing(tmp_path, text, code, why):
    p = _decisions(tmp_path, text)
    db = tmp_path / "c.db"
    with pytest.raises(DecisionError) as exc:
        read_decisions_file(p)
    assert exc.value.code == code and why in str(exc.value)
    res = runner.invoke(app, ["decisions", "import", str(p), "--store", str(db)])
    assert res.exit_code == 2
    _one_line(res, code)
    assert decision_history(db) == []


def test_a_good_decision_beside_a_bad_one_is_not_imported_either(tmp_path):
    good = {"conflict": "c1", "status": "confirmed", "note": "fine"}
    p = _decisions(
        tmp_path, json.dumps({"decisions": [good]})[:-2] + ', {"conflict":"c2","status":"confirmed","note":"\\ud800"}]}'
    )
    with pytest.raises(DecisionError):
        import_decisions(p, tmp_path / "c.db")
    assert decision_history(tmp_path / "c.db") == []


def test_evaluate_since_out_of_range_is_one_line(tmp_path):
    db = tmp_path / "c.db"
    import_decisions(_decisions(tmp_path, '{"decisions":[{"conflict":"c1","status":"confirmed"}]}'), db)
    res = runner.invoke(app, ["evaluate", "--decisions", "--store", str(db), "--since", "0001-01-01T00:00:00+05:00"])
    assert res.exit_code == 2
    assert "--since" in _one_line(res, "E452")


def test_decisions_export_to_an_unwritable_file_is_one_line(tmp_path):
    (tmp_path / "afile").write_text("x")
    res = runner.invoke(
        app, ["decisions", "export", "--store", str(tmp_path / "c.db"), "--out", str(tmp_path / "afile" / "d.json")]
    )
    assert res.exit_code == 2
    _one_line(res, "E455")
