"""Scoring a run against labels in the ../shared/corpus format."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from checker.cli import app
from checker.evaluate import claim_kind, evaluate, evidence_coverage, finds, format_score


def _claim(article, start, end):
    return {"article": article, "start": start, "end": end, "text": "x"}


@pytest.fixture
def labelled(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "clusters" / "s1").mkdir(parents=True)
    (corpus / "clusters" / "s2").mkdir(parents=True)
    (corpus / "clusters" / "s1" / "a.txt").write_text("Officials said 10 people died on Monday.", encoding="utf-8")
    (corpus / "clusters" / "s1" / "b.txt").write_text("Police said 12 people died on Monday.", encoding="utf-8")
    (corpus / "clusters" / "s2" / "c.txt").write_text("A quiet day with 3 visitors.", encoding="utf-8")
    (corpus / "clusters" / "index.json").write_text(
        json.dumps(
            [
                {"cluster": "s1", "has_conflict": True, "files": ["a.txt", "b.txt"]},
                {"cluster": "s2", "has_conflict": False, "files": ["c.txt"]},
            ]
        )
    )
    gold = corpus / "gold.jsonl"
    gold.write_text(
        json.dumps(
            {
                "cluster": "s1",
                "kind": "quantity",
                "subject": "deaths",
                "values": ["10", "12"],
                "evidence": [
                    {"file": "a.txt", "quote": "10 people died"},
                    {"file": "b.txt", "quote": "12 people died"},
                ],
            }
        )
        + "\n"
    )
    nonc = corpus / "non.jsonl"
    nonc.write_text(
        json.dumps(
            {
                "cluster": "s1",
                "kind": "date",
                "subject": "day",
                "values": ["Monday", "Monday"],
                "evidence": [{"file": "a.txt", "quote": "on Monday"}, {"file": "b.txt", "quote": "on Monday"}],
            }
        )
        + "\n"
    )
    return corpus, gold, nonc


def _write_run(tmp_path, conflicts):
    run = tmp_path / "run"
    run.mkdir()
    (run / "conflicts.json").write_text(json.dumps({"run": {}, "conflicts": conflicts}))
    return run


def test_found_needs_two_evidence_quotes_under_different_values():
    spans = [("s1/a.txt", 15, 29), ("s1/b.txt", 11, 25)]
    good = {"values": [{"claims": [_claim("s1/a.txt", 15, 17)]}, {"claims": [_claim("s1/b.txt", 11, 13)]}]}
    same_value = {"values": [{"claims": [_claim("s1/a.txt", 15, 17), _claim("s1/b.txt", 11, 13)]}]}
    one_quote = {"values": [{"claims": [_claim("s1/a.txt", 15, 17)]}, {"claims": [_claim("s1/a.txt", 0, 5)]}]}
    assert finds(good, spans) and not finds(same_value, spans) and not finds(one_quote, spans)


def test_scores_recall_precision_and_bad_flags(tmp_path, labelled):
    corpus, gold, nonc = labelled
    conflicts = [
        {
            "id": "1",
            "kind": "quantity",
            "subject": "deaths",
            "story": "x",
            "values": [
                {"value": "10", "claims": [_claim("s1/a.txt", 15, 17)]},
                {"value": "12", "claims": [_claim("s1/b.txt", 11, 13)]},
            ],
        },
        {
            "id": "2",
            "kind": "date",
            "subject": "day",
            "story": "x",
            "values": [
                {"value": "Mon", "claims": [_claim("s1/a.txt", 33, 39)]},
                {"value": "Tue", "claims": [_claim("s1/b.txt", 29, 35)]},
            ],
        },
        {
            "id": "3",
            "kind": "quantity",
            "subject": "visitors",
            "story": "y",
            "values": [
                {"value": "3", "claims": [_claim("s2/c.txt", 17, 18)]},
                {"value": "4", "claims": [_claim("s1/a.txt", 15, 17)]},
            ],
        },
    ]
    run = _write_run(tmp_path, conflicts)
    score = evaluate(run, gold, nonc, corpus=corpus)
    assert (score.gold_found, score.gold_total) == (1, 1)
    assert score.by_kind == {"quantity": [1, 1]}
    assert (score.correct_flags, score.flags) == (1, 3)
    assert score.nonconflict_flags == 1
    assert score.clean_story_flags == 1 and score.cross_story == 1
    # Verbose output names the flagged non-conflict, as the labels name it.
    nc_subject = score.flagged_nonconflicts[0]["subject"]
    assert f"] {score.flagged_nonconflicts[0]['cluster']}: {nc_subject}" in format_score(score, verbose=True)
    assert "flagged labelled non-conflicts" not in format_score(score)


def test_cli_prints_figures_and_json(tmp_path, labelled):
    corpus, gold, _ = labelled
    run = _write_run(tmp_path, [])
    res = CliRunner().invoke(app, ["evaluate", str(run), "--labels", str(gold), "--corpus", str(corpus), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["recall"] == 0.0
    res = CliRunner().invoke(app, ["evaluate", str(tmp_path / "nope"), "--labels", str(gold)])
    assert res.exit_code == 2 and "[E602]" in res.output


@pytest.mark.slow
def test_ecbplus_dev_floors(tmp_path, corpus):
    """Regression floors on the real labelled stories (figures in README.md)."""
    from checker.pipeline import run

    root = corpus / "ecbplus-dev"
    run([root / "clusters"], out_dir=tmp_path / "ecb", store=None)
    score = evaluate(tmp_path / "ecb", root / "gold.jsonl", root / "nonconflicts.jsonl")
    assert score.recall >= 0.6
    assert score.precision >= 0.6
    assert score.nonconflict_flags == 0
    assert score.clean_story_flags == 0
    assert score.cross_story == 0


def _write_claims(run, rows):
    run.mkdir(exist_ok=True)
    lines = ["story,article,start,end,text,kind"] + [f"st,{a},{s},{e},x,{k}" for a, s, e, k in rows]
    (run / "claims.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return run


def test_coverage_counts_quotes_with_a_claim_of_the_labelled_kind(tmp_path, labelled):
    corpus, gold, nonc = labelled
    # "10 people died" (a.txt 15-29) has a quantity; "12 people died" (b.txt 12-26) only a date;
    # "on Monday" in a.txt (30-39) has a date, the one in b.txt (27-36) none.
    run = _write_claims(
        tmp_path / "run",
        [
            ("s1/a.txt", 15, 17, "quantity"),
            ("s1/b.txt", 11, 13, "date"),
            ("s1/a.txt", 33, 39, "date"),
            ("s1/b.txt", 0, 6, "date"),
        ],
    )
    cov = evidence_coverage(run, [gold, nonc], corpus)
    assert cov.by_kind == {"quantity": [1, 2], "date": [1, 2]}
    assert {(u["kind"], u["file"]) for u in cov.uncovered} == {("quantity", "b.txt"), ("date", "b.txt")}
    assert claim_kind("name_spelling") == "name" and claim_kind("date") == "date"


def test_coverage_cli(tmp_path, labelled):
    corpus, gold, nonc = labelled
    run = _write_claims(tmp_path / "run", [("s1/a.txt", 15, 17, "quantity")])
    res = CliRunner().invoke(
        app,
        [
            "evaluate",
            str(run),
            "--labels",
            str(gold),
            "--nonconflicts",
            str(nonc),
            "--corpus",
            str(corpus),
            "--coverage",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["by_kind"]["quantity"] == {"covered": 1, "total": 2, "share": 0.5}
    assert out["by_kind"]["date"]["covered"] == 0
    res = CliRunner().invoke(app, ["evaluate", str(tmp_path / "nope"), "--labels", str(gold), "--coverage"])
    assert res.exit_code == 2 and "[E602]" in res.output


#: Evidence-coverage floors on ecbplus-dev and ecbplus-train together (README, Quality):
#: raise them as extraction improves; the target is 0.90 for every kind.
COVERAGE_FLOORS = {"quantity": 0.90, "date": 0.93, "location": 0.93, "name_spelling": 0.95, "title": 0.90}


@pytest.mark.slow
@pytest.mark.corpus
def test_ecbplus_evidence_coverage_floors(tmp_path, corpus):
    from checker.evaluate import Coverage
    from checker.pipeline import run

    total = Coverage()
    for name in ("ecbplus-dev", "ecbplus-train"):
        root = corpus / name
        run([root / "clusters"], out_dir=tmp_path / name, store=None)
        cov = evidence_coverage(tmp_path / name, [root / "gold.jsonl", root / "nonconflicts.jsonl"], root)
        assert not cov.unresolved_quotes
        for kind, (c, t) in cov.by_kind.items():
            tally = total.by_kind.setdefault(kind, [0, 0])
            tally[0] += c
            tally[1] += t
    low = {k: round(total.share(k), 3) for k, floor in COVERAGE_FLOORS.items() if total.share(k) < floor}
    assert not low, f"evidence coverage below the floor: {low}"


def test_editors_decisions_measure_precision(tmp_path):
    from checker.decisions import record_decision

    db = tmp_path / "checker.db"
    record_decision(db, {"conflict": "a1", "status": "confirmed", "kind": "quantity", "who": "ed"})
    record_decision(db, {"conflict": "b2", "status": "dismissed", "kind": "quantity", "who": "ed"})
    record_decision(db, {"conflict": "c3", "status": "confirmed", "kind": "title", "who": "ed"})
    record_decision(db, {"conflict": "d4", "status": "follow_up", "kind": "title", "who": "ed"})
    res = CliRunner().invoke(app, ["evaluate", "--decisions", "--store", str(db), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert (out["confirmed"], out["dismissed"]) == (2, 1)
    assert out["by_kind"]["quantity"]["precision"] == 0.5
    res = CliRunner().invoke(app, ["evaluate"])
    assert res.exit_code == 2 and "[E605]" in res.output


def test_a_location_claim_covers_a_place_spelling_labelled_name_spelling(tmp_path):
    from checker.evaluate import answering_kinds

    corpus = tmp_path / "corpus"
    (corpus / "clusters" / "s1").mkdir(parents=True)
    (corpus / "clusters" / "s1" / "a.txt").write_text("The bout was held in Bern.", encoding="utf-8")
    (corpus / "clusters" / "s1" / "b.txt").write_text("The bout was held in Berne.", encoding="utf-8")
    labels = corpus / "non.jsonl"
    labels.write_text(
        json.dumps(
            {
                "cluster": "s1",
                "kind": "name_spelling",
                "subject": "city",
                "values": ["Bern", "Berne"],
                "evidence": [{"file": "a.txt", "quote": "in Bern"}, {"file": "b.txt", "quote": "in Berne"}],
            }
        )
        + "\n"
    )
    # a.txt "Bern" (21-25) carries a location claim; b.txt "Berne" only a date claim.
    run = _write_claims(tmp_path / "run", [("s1/a.txt", 21, 25, "location"), ("s1/b.txt", 21, 26, "date")])
    cov = evidence_coverage(run, [labels], corpus)
    assert cov.by_kind == {"name_spelling": [1, 2]}
    assert answering_kinds("name_spelling") == {"name", "location"}
    assert answering_kinds("date") == {"date"}


@pytest.mark.slow
def test_story_out_floors(corpus, rules):
    """The README's headline (story-out over the 21 labelled stories) must not slip back.

    Floors are issue #11's targets, met on 2026-12-04 (recall 0.74, precision 0.94,
    every kind at or above 0.67, no labelled non-conflict flagged, no conflict across
    two stories), a little under the figures: a change that loses three labelled finds,
    flags a labelled non-conflict or merges two stories fails here before the README.
    """
    from checker.evaluate import evaluate_folds
    from checker.resolve.training import load_labelled

    lab = load_labelled([corpus / "ecbplus-dev", corpus / "ecbplus-train"], rules, None)
    p = evaluate_folds(lab, rules, 7, in_sample=False).pooled
    assert p.recall >= 0.70, p.recall
    assert p.precision >= 0.85, p.precision
    assert p.nonconflict_flags == 0 and p.clean_story_flags == 0 and p.cross_story == 0
    for kind, (found, total) in p.by_kind.items():
        assert found / total >= 0.50, (kind, found, total)
