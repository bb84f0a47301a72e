"""The seed articles end to end through the public CLI (issue 2's acceptance test)."""

from __future__ import annotations

import csv
import json

import pytest
from typer.testing import CliRunner

from checker.cli import app
from tests.conftest import SEEDS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def seeds_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("seeds")
    res = CliRunner().invoke(app, ["run", str(SEEDS), "--out", str(out)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    doc = json.loads((out / "conflicts.json").read_text(encoding="utf-8"))
    return out, doc


def _texts(conflict):
    return {v["value"]: [c["text"] for c in v["claims"]] for v in conflict["values"]}


def test_troop_figures_are_one_conflict_with_quotes_outlets_and_sources(seeds_run):
    _, doc = seeds_run
    troops = [c for c in doc["conflicts"] if c["kind"] == "quantity" and "troop" in c["subject"]]
    assert len(troops) == 1, [c["subject"] for c in doc["conflicts"]]
    conflict = troops[0]
    assert conflict["subject"] == "north korean troops"
    claims = [c for v in conflict["values"] for c in v["claims"]]
    numbers = sorted(c["text"] for c in claims)
    assert numbers == ["10,000", "11,000", "11,000", "12,000"]
    # "about 11,000" and "11,000" agree, so they share a value; 10,000 and 12,000 stand apart.
    groups = sorted(sorted(c["text"] for c in v["claims"]) for v in conflict["values"])
    assert groups == [["10,000"], ["11,000", "11,000"], ["12,000"]]
    for c in claims:
        assert c["source"], c
        assert c["attribution"], c
    by_text = {(c["article"], c["text"]): c for c in claims}
    assert by_text[("004_8962125786f8b111.txt", "10,000")]["attribution"] == "US State Department"
    assert "Budanov" in by_text[("000_e4cda37d1f651d99.txt", "11,000")]["attribution"]
    assert by_text[("004_8962125786f8b111.txt", "12,000")]["scope"]["place"] == "russia"
    assert conflict["explanation"]
    assert conflict["id"] and conflict["severity"] and conflict["story"]


def test_barrot_office_conflict(seeds_run):
    _, doc = seeds_run
    titles = [c for c in doc["conflicts"] if c["kind"] == "title"]
    assert len(titles) == 1, titles
    assert "barrot" in titles[0]["subject"]
    quotes = " | ".join(c["text"].lower() for v in titles[0]["values"] for c in v["claims"])
    assert "foreign minister" in quotes and "prime minister" in quotes
    assert len(titles[0]["values"]) == 2


def test_sybiha_spelling_conflict(seeds_run):
    _, doc = seeds_run
    names = [c for c in doc["conflicts"] if c["kind"] == "name_spelling"]
    assert len(names) == 1, names
    shown = {c["text"] for v in names[0]["values"] for c in v["claims"]}
    assert any("Syhiha" in t for t in shown) and any("Sybiha" in t for t in shown)


def test_nothing_in_boilerplate_is_checked(seeds_run):
    out, doc = seeds_run
    text = (SEEDS / "000_e4cda37d1f651d99.txt").read_text(encoding="utf-8")
    cut = text.index("Read also:")
    with (out / "claims.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows, "claims.csv is empty"
    for r in rows:
        if r["article"] == "000_e4cda37d1f651d99.txt":
            assert int(r["start"]) < cut, r
    # Exactly the three expected discrepancies, nothing else.
    assert sorted(c["kind"] for c in doc["conflicts"]) == ["name_spelling", "quantity", "title"]


def test_offsets_index_the_text_as_read(seeds_run):
    _, doc = seeds_run
    for conflict in doc["conflicts"]:
        for v in conflict["values"]:
            for c in v["claims"]:
                text = (SEEDS / c["article"]).read_text(encoding="utf-8")
                assert text[c["start"] : c["end"]] == c["text"]


def test_report_is_self_contained_and_escaped(seeds_run):
    out, _ = seeds_run
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<script src" not in html and "<link" not in html
    assert "http://" not in html.replace("http://www.w3.org", "")
    assert "north korean troops" in html
    assert "<mark" in html


def test_extract_prints_claims_in_every_format():
    runner = CliRunner()
    res = runner.invoke(app, ["extract", str(SEEDS), "--format", "jsonl"], catch_exceptions=False)
    assert res.exit_code == 0
    rows = [json.loads(line) for line in res.output.splitlines() if line.startswith("{")]
    assert any(r["kind"] == "quantity" and r["value"] == 10000 for r in rows)
    required = {
        "article",
        "start",
        "end",
        "text",
        "sentence_start",
        "sentence_end",
        "kind",
        "subject",
        "value",
        "unit",
        "qualifier",
        "change",
        "low",
        "high",
        "attribution",
        "scope",
        "source",
        "published",
    }
    assert required <= set(rows[0])
    res = runner.invoke(app, ["extract", str(SEEDS), "--format", "csv"], catch_exceptions=False)
    assert res.exit_code == 0 and res.output.startswith("article,")
    res = runner.invoke(app, ["extract", str(SEEDS), "--format", "table"], catch_exceptions=False)
    assert res.exit_code == 0 and "10,000" in res.output
