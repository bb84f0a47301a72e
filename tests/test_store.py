"""The store: cache keys, the lock, run bookkeeping, and what changed between runs.

None of these load the spaCy model: conflicts and extraction results are
built by hand.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest
from typer.testing import CliRunner

from checker.cli import app
from checker.engine import ArticleResult
from checker.errors import StoreError
from checker.rules import load_rules
from checker.store import (
    CacheKey,
    Store,
    changes_between,
    compare_version,
    diff_runs,
    extraction_version,
    extractor_sources,
    extractor_version,
    list_runs,
)
from tests.conftest import ROOT

KEY = CacheKey("model==1", "x+1", "r1")


def _conflict(cid, subject, story, values, kind="quantity"):
    """A conflicts.json conflict: values is {value: [(article, start, end), ...]}."""
    return {
        "id": cid,
        "kind": kind,
        "subject": subject,
        "story": story,
        "severity": "high",
        "explanation": "",
        "values": [
            {"value": v, "claims": [{"article": a, "start": s, "end": e, "text": v} for a, s, e in claims]}
            for v, claims in values.items()
        ],
    }


# --- cache keys ----------------------------------------------------------------


def _rules_copy(tmp_path):
    d = tmp_path / "rules"
    d.mkdir()
    for p in (ROOT / "rules").glob("*.yaml"):
        (d / p.name).write_bytes(p.read_bytes())
    return d


def test_compare_only_rules_do_not_change_the_extraction_version(tmp_path):
    d = _rules_copy(tmp_path)
    base = load_rules(d)
    with open(d / "compare.yaml", "a", encoding="utf-8") as f:
        f.write("\nrate_tolerance: 0.5\n# a comment\n")
    edited = load_rules(d)
    assert extraction_version(edited) == extraction_version(base)
    assert compare_version(edited) != compare_version(base)


def test_extraction_rules_and_rounding_change_the_extraction_version(tmp_path):
    d = _rules_copy(tmp_path)
    base = extraction_version(load_rules(d))
    with open(d / "subjects.yaml", "a", encoding="utf-8") as f:
        f.write("\n# only a comment\n")
    assert extraction_version(load_rules(d)) == base, "comments must not invalidate the cache"
    text = (d / "compare.yaml").read_text(encoding="utf-8")
    (d / "compare.yaml").write_text(text.replace("rounding: true", "rounding: false"), encoding="utf-8")
    assert extraction_version(load_rules(d)) != base


def test_the_extractor_version_covers_every_module_extraction_imports(monkeypatch):
    # The currency, name and gazetteer modules are imported by extract/, not named
    # by hand; a change to them, or to their data, or a new quantulum3 must key new claims.
    files, packages = extractor_sources()
    names = {p.name for p in files}
    assert {"currency_names.py", "names.py", "places.py", "currency_signs.json", "quantities.py"} <= names
    assert "report.py" not in names and "serve.py" not in names
    assert "quantulum3" in packages and "spacy" in packages
    before = extractor_version()
    bumped = dict(packages, quantulum3=packages["quantulum3"] + ".post1")
    monkeypatch.setattr("checker.store.extractor_sources", lambda: (files, bumped))
    assert extractor_version() != before


def test_cache_round_trip_and_key_isolation(tmp_path):
    with Store(tmp_path / "c.db") as st:
        res = [ArticleResult("a.txt", "h1", [{"kind": "quantity", "value": [1, 2]}], {"e:kyiv": 2})]
        st.put_extractions(res, {"h1": "some text here"}, KEY)
        got = st.cached(["h1", "h2"], KEY)
        assert set(got) == {"h1"}
        assert got["h1"][0] == '[{"kind":"quantity","value":[1,2]}]'
        assert st.cached(["h1"], CacheKey("model==1", "x+1", "r2")) == {}
        assert st.stats()["articles"] == 1


# --- the lock --------------------------------------------------------------------


def test_second_run_on_a_store_is_refused_with_exit_code_5(tmp_path):
    db = tmp_path / "c.db"
    with Store(db, lock=True):
        with pytest.raises(StoreError) as err:
            Store(db, lock=True)
        assert err.value.exit_code == 5 and "[E401]" in str(err.value)
        assert f"pid {os.getpid()}" in str(err.value)
        # Reading (checker runs, checker diff) needs no lock.
        assert list_runs(db) == []
    with Store(db, lock=True):
        pass


def test_cli_exits_5_when_the_store_is_locked(tmp_path):
    db = tmp_path / "c.db"
    with Store(db, lock=True):
        res = CliRunner().invoke(
            app, ["run", str(ROOT / "examples" / "seeds"), "--store", str(db), "--out", str(tmp_path / "o")]
        )
    assert res.exit_code == 5, res.output
    assert "[E401]" in res.output and "Traceback" not in res.output


def test_a_killed_holder_leaves_no_stale_lock(tmp_path):
    db = tmp_path / "c.db"
    code = textwrap.dedent(
        f"""
        import sys, time
        from checker.store import Store
        st = Store({str(db)!r}, lock=True)
        print("locked", flush=True)
        time.sleep(60)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert proc.stdout.readline().strip() == "locked"
        with pytest.raises(StoreError):
            Store(db, lock=True)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    with Store(db, lock=True) as st:  # the kernel released it with the process
        assert st.lock is not None


# --- runs -------------------------------------------------------------------------


def test_an_interrupted_run_is_resumed_under_its_id(tmp_path):
    with Store(tmp_path / "c.db", lock=True) as st:
        first = st.begin_run(["in"], "/out", {"since": None})
    # killed here: the run stays 'running'
    with Store(tmp_path / "c.db", lock=True) as st:
        assert st.begin_run(["in"], "/out", {"since": None}) == first
        st.finish_run(first, {"articles": 1, "conflicts": 0}, [], {"a": "h"})
        second = st.begin_run(["in"], "/out", {"since": None})
        assert second == first + 1
    with Store(tmp_path / "c.db", lock=True) as st:
        # a different run starts: the dead one is marked interrupted, not resumed
        third = st.begin_run(["other"], "/out", {})
        assert third == second + 1
        statuses = {r["id"]: r["status"] for r in st.runs()}
        assert statuses == {first: "complete", second: "interrupted", third: "running"}


def test_previous_run_is_the_last_complete_one_over_the_same_inputs(tmp_path):
    with Store(tmp_path / "c.db", lock=True) as st:
        a = st.begin_run(["in"], None, {})
        st.finish_run(a, {}, [], {})
        b = st.begin_run(["elsewhere"], None, {})
        st.finish_run(b, {}, [], {})
        c = st.begin_run([str(tmp_path / ".." / tmp_path.name / ".." / tmp_path.name / "in")], None, {})
        assert st.previous_run(c) is None
        d = st.begin_run(["in"], None, {})
        assert st.previous_run(d)["id"] == a


# --- what changed --------------------------------------------------------------------


def test_unchanged_changed_new_and_resolved():
    prev = [
        _conflict("t1", "north korean troops", "nk-aaaaaa", {"10,000": [("a", 0, 6)], "12,000": [("b", 5, 11)]}),
        _conflict("d1", "toll", "quake-bbbbbb", {"5": [("c", 1, 2)], "7": [("d", 1, 2)]}),
        _conflict("g1", "price", "oil-cccccc", {"$5": [("e", 1, 3)], "$6": [("f", 1, 3)]}),
        _conflict("w1", "fans", "cup-dddddd", {"50": [("g", 1, 3)], "60": [("h", 1, 3)]}),
    ]
    cur = [
        # a new article joined: the story id changed, a value was added
        _conflict(
            "t9",
            "north korean troops",
            "nk-eeeeee",
            {"10,000": [("a", 0, 6)], "12,000": [("b", 5, 11)], "11,000": [("x", 3, 9)]},
        ),
        _conflict("d1", "toll", "quake-bbbbbb", {"5": [("c", 1, 2)], "7": [("d", 1, 2)]}),
        _conflict("n1", "ships", "sea-ffffff", {"2": [("y", 1, 2)], "3": [("z", 1, 2)]}),
    ]
    cur_arts = {k: "h" + k for k in "abcdxyz"} | {"e": "edited", "f": "hf", "h": "hh"}
    prev_arts = {k: "h" + k for k in "abcdefgh"}
    changes, ids = changes_between(cur, prev, cur_arts, prev_arts)
    assert ids == [("t1", "changed"), ("d1", "unchanged"), ("n1", "new")]
    assert changes["counts"] == {"new": 1, "changed": 1, "unchanged": 1, "resolved": 2}
    (chg,) = changes["changed"]
    assert chg["added_values"] == ["11,000"] and chg["added_articles"] == ["x"]
    resolved = {r["id"]: r for r in changes["resolved"]}
    assert resolved["g1"]["reason"] == "corrected" and resolved["g1"]["articles"] == ["e"]
    assert resolved["w1"]["reason"] == "withdrawn" and resolved["w1"]["articles"] == ["g"]
    assert changes["new"] == [{"id": "n1", "kind": "quantity", "subject": "ships", "story": "sea-ffffff"}]


def test_a_since_window_does_not_resolve_what_it_did_not_reread():
    prev = [_conflict("w1", "fans", "cup", {"50": [("g", 1, 3)], "60": [("h", 1, 3)]})]
    changes, _ = changes_between([], prev, {"new": "h"}, {"g": "hg", "h": "hh"}, windowed=True)
    assert changes["resolved"] == [] and changes["counts"]["not_rechecked"] == 1


def test_one_previous_conflict_is_carried_to_one_current_conflict():
    prev = [_conflict("t1", "troops", "s1", {"1": [("a", 0, 1)], "2": [("b", 0, 1)]})]
    cur = [
        _conflict("t1", "troops", "s1", {"1": [("a", 0, 1)], "2": [("b", 0, 1)]}),
        _conflict("t2", "troops", "s1", {"1": [("a", 0, 1)], "3": [("c", 0, 1)]}),
    ]
    _, ids = changes_between(cur, prev, {}, {})
    assert ids == [("t1", "unchanged"), ("t2", "new")]


def test_runs_and_diff_commands(tmp_path):
    db = tmp_path / "c.db"
    with Store(db, lock=True) as st:
        a = st.begin_run(["in"], str(tmp_path / "r1"), {})
        st.finish_run(
            a,
            {"articles": 2, "conflicts": 1, "seconds": 1.5},
            [_conflict("t1", "troops", "s", {"1": [("a", 0, 1)], "2": [("b", 0, 1)]})],
            {"a": "ha", "b": "hb"},
        )
        b = st.begin_run(["in"], str(tmp_path / "r2"), {})
        st.finish_run(
            b,
            {"articles": 1, "conflicts": 0, "changes": {"counts": {"new": 0, "changed": 0, "resolved": 1}}},
            [],
            {"a": "ha"},
        )
    res = CliRunner().invoke(app, ["runs", "--store", str(db)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[1].split()[:2] == [str(b), "complete"] and lines[2].split()[:2] == [str(a), "complete"]
    res = CliRunner().invoke(app, ["diff", str(a), str(b), "--store", str(db)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert "1 resolved" in res.output and "- t1 quantity 'troops' (withdrawn: b)" in res.output
    assert diff_runs(db, a, b)["resolved"][0]["reason"] == "withdrawn"
    res = CliRunner().invoke(app, ["diff", str(a), "99", "--store", str(db)])
    assert res.exit_code == 2 and "[E406]" in res.output
    res = CliRunner().invoke(app, ["runs", "--store", str(tmp_path / "none.db")])
    assert res.exit_code == 2 and "[E404]" in res.output


def test_a_store_from_the_previous_schema_is_upgraded_in_place(tmp_path):
    import sqlite3

    db = tmp_path / "c.db"
    Store(db).close()
    con = sqlite3.connect(db)
    con.execute("DROP TABLE story_results")
    con.execute("PRAGMA user_version=2")
    con.commit()
    con.close()
    st = Store(db)
    try:
        st.put_story_results([("k", "[]", "[]")])
        assert st.story_results(["k", "missing"]) == {"k": ("[]", "[]")}
    finally:
        st.close()
    assert sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0] == 3
