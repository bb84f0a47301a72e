"""Decisions: saved with who and when, carried into the next run, imported and exported, used as labels."""

from __future__ import annotations

import json
import sqlite3

import pytest
from typer.testing import CliRunner

from checker import decisions as dec
from checker.cli import app
from checker.models import Conflict, ValueGroup


def _conflict(cid: str, *values: tuple[str, float | None, float | None], kind: str = "quantity") -> Conflict:
    groups = [ValueGroup(value=v, low=lo, high=hi, claims=[{"display": v, "text": v}]) for v, lo, hi in values]
    return Conflict(id=cid, kind=kind, subject="boats", story="s1", severity="high", explanation="", values=groups)


@pytest.fixture
def db(tmp_path):
    return tmp_path / "reports" / "checker.db"


def test_record_and_latest(db):
    dec.record_decision(
        db,
        {
            "conflict": "a1",
            "status": "follow_up",
            "note": "call the ministry",
            "who": "ana",
            "at": "2024-11-05T10:00:00Z",
        },
    )
    dec.record_decision(
        db,
        {
            "conflict": "a1",
            "status": "confirmed",
            "note": "ministry confirmed 12",
            "who": "ben",
            "at": "2024-11-05T11:00:00+00:00",
        },
    )
    latest = dec.latest_decisions(db)
    assert latest["a1"]["status"] == "confirmed"
    assert latest["a1"]["who"] == "ben"
    assert latest["a1"]["at"] == "2024-11-05T11:00:00Z"
    # History is kept: nothing is overwritten.
    assert [d["status"] for d in dec.decision_history(db, "a1")] == ["follow_up", "confirmed"]


def test_clearing_a_decision(db):
    dec.record_decision(db, {"conflict": "a1", "status": "dismissed", "at": "2024-11-05T10:00:00Z"})
    dec.record_decision(db, {"conflict": "a1", "status": "open", "at": "2024-11-05T10:05:00Z"})
    assert dec.latest_decisions(db) == {}
    assert dec.latest_decisions(db, include_cleared=True)["a1"]["status"] == "open"


@pytest.mark.parametrize(
    "entry, code",
    [
        ({"conflict": "a1", "status": "maybe"}, "E453"),
        ({"status": "confirmed"}, "E452"),
        ({"conflict": "a1", "status": "confirmed", "at": "yesterday"}, "E452"),
        ({"conflict": "a1", "status": "confirmed", "note": 12}, "E452"),
        ({"conflict": "x" * 500, "status": "confirmed"}, "E452"),
    ],
)
def test_invalid_decisions_are_refused(db, entry, code):
    with pytest.raises(dec.DecisionError) as err:
        dec.record_decision(db, entry)
    assert err.value.code == code


def test_apply_without_store_changes_nothing(tmp_path):
    cs = [_conflict("a1", ("12", 12, 12), ("20", 20, 20))]
    assert dec.apply_decisions(cs, tmp_path / "none.db") is cs
    assert cs[0].decision is None
    assert not (tmp_path / "none.db").exists()


def test_dismissed_stays_dismissed_unless_a_new_value_joins(db):
    seen = dec.value_keys(
        [ValueGroup("12", [{"display": "12"}], 12, 12), ValueGroup("about 20", [{"display": "about 20"}], 18, 22)]
    )
    dec.record_decision(db, {"conflict": "same", "status": "dismissed", "values": seen, "who": "ana"})
    dec.record_decision(db, {"conflict": "joined", "status": "dismissed", "values": seen, "who": "ana"})
    dec.record_decision(db, {"conflict": "kept", "status": "confirmed", "values": seen, "who": "ana"})
    run2 = [
        # "20" sits inside "about 20": the same value, more precisely.
        _conflict("same", ("12", 12, 12), ("20", 20, 20)),
        _conflict("joined", ("12", 12, 12), ("about 20", 18, 22), ("35", 35, 35)),
        _conflict("kept", ("12", 12, 12), ("about 20", 18, 22), ("35", 35, 35)),
        _conflict("fresh", ("1", 1, 1), ("2", 2, 2)),
    ]
    out = dec.apply_decisions(run2, db)
    by = {c.id: c for c in out}
    assert by["same"].decision["status"] == "dismissed" and not by["same"].decision["reopened"]
    assert by["joined"].decision["reopened"] and by["joined"].decision["new_values"] == ["35"]
    # A confirmation is not reopened, but the editor sees what joined.
    assert by["kept"].decision["status"] == "confirmed" and not by["kept"].decision["reopened"]
    assert by["kept"].decision["new_values"] == ["35"]
    assert by["fresh"].decision is None
    dropped = dec.apply_decisions([_conflict("same", ("12", 12, 12), ("20", 20, 20))], db, drop_dismissed=True)
    assert dropped == []


def test_values_match_by_surface_form_and_not_by_open_interval():
    seen = dec.value_keys([{"value": "more than 10,000", "low": 10000, "high": float("inf"), "claims": []}])
    cur = dec.value_keys([{"value": "15,000", "low": 15000, "high": 15000, "claims": []}])
    assert dec.new_values(seen, cur) == ["15,000"]
    seen = dec.value_keys([{"value": "deputy minister", "claims": [{"display": "Deputy Minister"}]}])
    cur = dec.value_keys([{"value": "deputy minister", "claims": []}, {"value": "minister", "claims": []}])
    assert dec.new_values(seen, cur) == ["minister"]
    assert dec.new_values(None, cur) == []


def test_export_import_round_trip(db, tmp_path):
    dec.record_decision(db, {"conflict": "a1", "status": "confirmed", "note": "ok", "who": "ana", "kind": "quantity"})
    dec.record_decision(db, {"conflict": "b2", "status": "dismissed", "who": "ben", "kind": "title"})
    f = tmp_path / "decisions.json"
    f.write_text(json.dumps(dec.export_decisions(db)))
    other = tmp_path / "other.db"
    got = dec.import_decisions(f, other)
    assert (got.added, got.skipped) == (2, 0)
    again = dec.import_decisions(f, other)
    assert (again.added, again.skipped) == (0, 2)
    assert {k: v["status"] for k, v in dec.latest_decisions(other).items()} == {"a1": "confirmed", "b2": "dismissed"}


def test_import_is_all_or_nothing(db, tmp_path):
    f = tmp_path / "bad.json"
    f.write_text(
        json.dumps({"decisions": [{"conflict": "a1", "status": "confirmed"}, {"conflict": "b", "status": "??"}]})
    )
    with pytest.raises(dec.DecisionError, match="decision 2"):
        dec.import_decisions(f, db)
    assert dec.latest_decisions(db) == {}
    f.write_text("not json")
    with pytest.raises(dec.DecisionError, match="E454"):
        dec.import_decisions(f, db)


def test_labels_and_precision(db):
    for cid, status, kind in [
        ("a", "confirmed", "quantity"),
        ("b", "dismissed", "quantity"),
        ("c", "confirmed", "title"),
        ("d", "follow_up", "title"),
    ]:
        dec.record_decision(db, {"conflict": cid, "status": status, "kind": kind, "who": "ana"})
    labels = dec.decisions_as_labels(db)
    assert [(x["conflict"], x["label"]) for x in labels] == [("a", True), ("b", False), ("c", True)]
    p = dec.label_precision(labels)
    assert p["precision"] == pytest.approx(2 / 3, abs=1e-4)
    assert p["by_kind"]["quantity"]["precision"] == 0.5
    assert p["by_kind"]["title"] == {"labelled": 1, "confirmed": 1, "dismissed": 0, "precision": 1.0}
    dec.record_decision(db, {"conflict": "e", "status": "dismissed", "at": "2030-01-02T00:00:00Z"})
    assert [x["conflict"] for x in dec.decisions_as_labels(db, since="2030-01-01")] == ["e"]


def test_table_lives_beside_the_store_tables(db):
    """The decisions table sits in the store's file without touching its tables."""
    from checker.store import Store

    with Store(db):
        pass
    dec.record_decision(db, {"conflict": "a1", "status": "confirmed"})
    tables = {r[0] for r in sqlite3.connect(db).execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"decisions", "runs", "conflicts"} <= tables


def test_cli_import_and_export(db, tmp_path):
    f = tmp_path / "in.json"
    f.write_text(
        json.dumps(
            {
                "decisions": [
                    {
                        "conflict": "a1",
                        "status": "dismissed",
                        "who": "ana",
                        "at": "2024-11-05T10:00:00Z",
                        "note": "same figure, other scope",
                    }
                ]
            }
        )
    )
    runner = CliRunner()
    r = runner.invoke(app, ["decisions", "import", str(f), "--store", str(db)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert "1 decisions imported" in r.output
    out = tmp_path / "out.json"
    r = runner.invoke(app, ["decisions", "export", "--store", str(db), "--out", str(out)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text())
    assert doc["decisions"][0]["conflict"] == "a1" and doc["decisions"][0]["note"] == "same figure, other scope"
    r = runner.invoke(app, ["decisions", "import", str(tmp_path / "missing.json"), "--store", str(db)])
    assert r.exit_code == 2 and "E454" in r.output
