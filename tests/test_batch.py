"""Nightly batches end to end: reruns, rule changes, --since, and kill -9 midway."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checker.cli import app
from checker.pipeline import run
from tests.conftest import ROOT, SEEDS

pytestmark = pytest.mark.slow


def _no_model(*args, **kwargs):
    raise AssertionError("the spaCy model was loaded although every article was in the store")


def test_rerun_reextracts_nothing_and_loads_no_model(tmp_path, monkeypatch):
    db = tmp_path / "c.db"
    first = run([SEEDS], out_dir=tmp_path / "a", store=db, n_process=1)
    assert first.info["cache"] == {"parsed": 2, "reused": 0, "stories_reused": 0}
    monkeypatch.setattr("checker.nlp.load_pipeline", _no_model)
    # Same articles, same extraction: the stories come from the store too,
    # and so do their linked claims and conflicts.
    monkeypatch.setattr("checker.pipeline.assign_stories", _no_model)
    monkeypatch.setattr("checker.pipeline.resolve_claims", _no_model)
    monkeypatch.setattr("checker.pipeline.compare_all", _no_model)
    second = run([SEEDS], out_dir=tmp_path / "b", store=db, n_process=1)
    n_stories = len(set(first.stories.values()))
    assert second.info["cache"] == {"parsed": 0, "reused": 2, "stories_reused": n_stories}
    assert [c.to_dict() for c in second.claims] == [c.to_dict() for c in first.claims]
    assert (tmp_path / "b" / "claims.csv").read_bytes() == (tmp_path / "a" / "claims.csv").read_bytes()
    assert [c.to_dict() | {"status": "-"} for c in second.conflicts] == [
        c.to_dict() | {"status": "-"} for c in first.conflicts
    ]
    assert {c.status for c in second.conflicts} == {"unchanged"}
    assert second.info["previous"]["id"] == first.info["id"]
    assert second.info["previous"]["report"] == os.path.join("..", "a", "report.html")
    doc = json.loads((tmp_path / "b" / "conflicts.json").read_text(encoding="utf-8"))
    assert doc["run"]["changes"]["counts"] == {"new": 0, "changed": 0, "unchanged": len(first.conflicts), "resolved": 0}
    assert "cache" not in doc["run"] and "timings" not in doc["run"]


def test_compare_rule_change_recompares_without_reparsing(tmp_path, monkeypatch):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    db = tmp_path / "c.db"
    run([SEEDS], out_dir=tmp_path / "a", store=db, rules_dir=rules, n_process=1)
    with open(rules / "compare.yaml", "a", encoding="utf-8") as f:
        f.write("\nrate_tolerance: 0.3\n")
    monkeypatch.setattr("checker.nlp.load_pipeline", _no_model)
    again = run([SEEDS], out_dir=tmp_path / "b", store=db, rules_dir=rules, n_process=1)
    assert again.info["cache"]["parsed"] == 0
    assert again.info["cache"]["stories_reused"] == 0  # a compare rule changed: every story is judged again
    monkeypatch.undo()
    with open(rules / "subjects.yaml", "a", encoding="utf-8") as f:
        f.write("\nstop_heads: [thing, things, stuff]\n")
    third = run([SEEDS], out_dir=tmp_path / "c", store=db, rules_dir=rules, n_process=1)
    assert third.info["cache"]["parsed"] == 2


def test_withdrawn_and_edited_articles_show_in_changes(tmp_path):
    src = tmp_path / "in"
    shutil.copytree(SEEDS, src)
    db = tmp_path / "c.db"
    first = run([src], out_dir=tmp_path / "a", store=db, n_process=1)
    assert first.conflicts and {c.status for c in first.conflicts} == {"new"}
    victim = sorted(p for p in src.iterdir() if p.suffix == ".txt")[0]
    victim.unlink()
    second = run([src], out_dir=tmp_path / "b", store=db, n_process=1)
    ch = second.info["changes"]
    assert ch["counts"]["resolved"] >= 1
    assert {r["reason"] for r in ch["resolved"]} == {"withdrawn"}
    assert all(victim.name in r["articles"] for r in ch["resolved"])


def test_since_takes_only_new_files(tmp_path):
    src = tmp_path / "in"
    shutil.copytree(SEEDS, src)
    old, new = sorted(p for p in src.iterdir() if p.suffix == ".txt")
    past = time.time() - 3 * 86400
    os.utime(old, (past, past))
    cutoff = time.strftime("%Y-%m-%d", time.localtime(time.time() - 86400))
    res = run([src], out_dir=tmp_path / "a", store=tmp_path / "c.db", since=cutoff, n_process=1)
    assert [a.id for a in res.articles] == [new.name]
    assert res.info["since"]


def test_since_last_on_cli_takes_files_modified_after_the_previous_run(tmp_path):
    src = tmp_path / "in"
    shutil.copytree(SEEDS, src)
    past = time.time() - 86400
    for p in src.iterdir():
        os.utime(p, (past, past))
    db = tmp_path / "c.db"
    runner = CliRunner()
    res = runner.invoke(
        app, ["run", str(src), "--store", str(db), "--out", str(tmp_path / "a"), "-j", "1"], catch_exceptions=False
    )
    assert res.exit_code == 0 and res.output.startswith("2 articles"), res.output
    res = runner.invoke(app, ["run", str(src), "--store", str(db), "--since", "last", "--out", str(tmp_path / "b")])
    assert res.exit_code == 2 and "[E200]" in res.output  # nothing new since the last run
    res = runner.invoke(app, ["run", str(src), "--since", "yesterday-ish", "--out", str(tmp_path / "c"), "--no-store"])
    assert res.exit_code == 2 and "[E210]" in res.output


# --- kill -9 midway ------------------------------------------------------------------


def _sample(corpus: Path, dest: Path, n: int) -> Path:
    """``n`` labelled ecbplus-dev articles, flat: stories with real conflicts to find."""
    dest.mkdir()
    files = sorted((corpus / "ecbplus-dev" / "clusters").rglob("*.txt"))[:n]
    for p in files:
        (dest / f"{p.parent.name}_{p.name}").write_bytes(p.read_bytes())
    return dest


def _extractions(db: Path) -> int:
    try:
        con = sqlite3.connect(db, timeout=5)
        try:
            return con.execute("SELECT COUNT(*) FROM extractions").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


@pytest.mark.corpus
def test_kill_9_midway_then_rerun_equals_an_uninterrupted_run(corpus, tmp_path):
    src = _sample(corpus, tmp_path / "in", 32)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "checker.cli", "run", str(src), "-j", "2"]
    killed_db, killed_out = tmp_path / "k" / "c.db", tmp_path / "k" / "out"
    proc = subprocess.Popen(
        [*cmd, "--store", str(killed_db), "--out", str(killed_out)],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.time() + 120
        while _extractions(killed_db) < 6 and time.time() < deadline and proc.poll() is None:
            time.sleep(0.2)
        assert proc.poll() is None, "the run ended before it could be killed: " + proc.stderr.read().decode()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # orphaned workers, if any
    done = _extractions(killed_db)
    assert 6 <= done < 32
    assert not (killed_out / "conflicts.json").exists()

    resumed = run([src], out_dir=killed_out, store=killed_db, n_process=2)
    assert {k: resumed.info["cache"][k] for k in ("parsed", "reused")} == {"parsed": 32 - done, "reused": done}
    assert resumed.info["id"] == 1  # the interrupted run, finished

    clean_out = tmp_path / "u" / "out"
    clean = subprocess.run(
        [*cmd, "--store", str(tmp_path / "u" / "c.db"), "--out", str(clean_out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert clean.returncode == 0, clean.stderr
    assert (killed_out / "conflicts.json").read_bytes() == (clean_out / "conflicts.json").read_bytes()
    assert json.loads((clean_out / "conflicts.json").read_text(encoding="utf-8"))["conflicts"], (
        "no conflicts: a weak test"
    )


def test_an_edited_article_rejudges_only_its_story(tmp_path):
    """Stories whose articles did not change are taken from the store, and the
    run's result is the same as a run that judged everything afresh."""
    src = tmp_path / "in"
    shutil.copytree(SEEDS, src / "seeds")
    other = src / "other"
    other.mkdir()
    (other / "a.txt").write_text(
        "Flood in Valencia\n\nAt least 205 people died in the floods in Valencia on Tuesday, officials said.\n",
        encoding="utf-8",
    )
    (other / "b.txt").write_text(
        "Valencia floods\n\nThe floods in Valencia killed 158 people on Tuesday, the regional government said.\n",
        encoding="utf-8",
    )
    db = tmp_path / "c.db"
    first = run([src], out_dir=tmp_path / "o1", store=db, story="folder", n_process=1)
    assert first.info["cache"]["stories_reused"] == 0
    with open(other / "b.txt", "a", encoding="utf-8") as f:
        f.write("\nRescuers said 300 people were still missing.\n")
    second = run([src], out_dir=tmp_path / "o2", store=db, story="folder", n_process=1)
    assert second.info["cache"]["parsed"] == 1
    assert second.info["cache"]["stories_reused"] == 1  # the seeds' story; the floods story is judged again
    afresh = run([src], out_dir=tmp_path / "o3", store=None, story="folder", n_process=1)
    assert [c.to_dict() for c in second.claims] == [c.to_dict() for c in afresh.claims]
    assert [c.to_dict() | {"status": "-"} for c in second.conflicts] == [
        c.to_dict() | {"status": "-"} for c in afresh.conflicts
    ]
    assert any(c.text == "300" for c in second.claims)  # the edit is in
    assert (tmp_path / "o2" / "claims.csv").read_bytes() == (tmp_path / "o3" / "claims.csv").read_bytes()
