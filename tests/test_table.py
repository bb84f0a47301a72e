"""The story table: subjects down, outlets across (normalize.story_tables), ``checker table``, the report's copy.

Unit tests build claims by hand (no spaCy); the seed and corpus tests run the
pipeline and check that the table and the conflict list agree: every value of
every conflict is in the table, under the outlet that gave it, marked with
that conflict.
"""

from __future__ import annotations

import json

import lxml.html
import pytest
from typer.testing import CliRunner

from checker import report
from checker.cli import app
from checker.models import Article, Claim, Conflict, ValueGroup
from checker.normalize import (
    ENTRY_FIELDS,
    claims_table,
    read_claims_csv,
    row_key,
    story_pivot,
    story_tables,
    table_file_name,
    to_csv_frame,
)
from checker.pipeline import RunResult, run
from tests.conftest import SEEDS
from tests.reportdata import regex_extractor
from tests.test_report import ARTICLES, _jsonl


def _claim(article: str, start: int, kind: str, subject: str, shown: str, source: str | None, **kw) -> Claim:
    return Claim(
        article=article,
        start=start,
        end=start + len(shown),
        text=kw.pop("text", shown),
        sentence_start=0,
        sentence_end=start + len(shown) + 10,
        kind=kind,
        subject=subject,
        value=kw.pop("value", shown),
        source=source or article,
        display=shown,
        **kw,
    )


def _entry(c: Claim) -> dict:
    return {
        "article": c.article,
        "start": c.start,
        "end": c.end,
        "text": c.text,
        "display": c.display,
        "source": c.source,
        "sentence_start": c.sentence_start,
        "sentence_end": c.sentence_end,
    }


@pytest.fixture
def story():
    """Three outlets (one unknown: its column is the article) on pirates' boats, a date and a name."""
    claims = [
        _claim("a1", 10, "quantity", "boats", "12 boats", "Reuters", value=12, attribution="the navy"),
        _claim("a2", 10, "quantity", "boats", "about 20 boats", "AP", value=20, qualifier="~"),
        _claim("b.txt", 10, "quantity", "boats", "12 boats", None, value=12),
        _claim("a1", 40, "quantity", "hostages", "23 hostages", "Reuters", value=23),
        _claim("a2", 40, "quantity", "hostages", "23 hostages", "AP", value=23),
        _claim("a1", 70, "date", "seize boat", "on Monday", "Reuters"),
        _claim("a1", 90, "name", "agus rianto", "Agus Rianto", "Reuters"),
        _claim("a1", 120, "name", "agus rianto", "Rianto", "Reuters"),
        _claim("a1", 150, "name", "agus rianto", "Rianto", "Reuters"),
        _claim("a2", 90, "name", "agus rianto", "Agus Riyanto", "AP"),
        # Another story: not in this one's table.
        _claim("z", 5, "quantity", "boats", "99 boats", "Elsewhere", value=99),
    ]
    stories = {"a1": "pirates", "a2": "pirates", "b.txt": "pirates", "z": "other"}
    for c in claims:
        c.published = {"a1": "2024-11-06", "a2": "2024-11-05"}.get(c.article)
    boats = Conflict(
        id="q1",
        kind="quantity",
        subject="boats",
        story="pirates",
        severity="medium",
        explanation="x",
        values=[
            ValueGroup("12", [_entry(claims[0]), _entry(claims[2])], role="majority"),
            ValueGroup("about 20", [_entry(claims[1])], role="outlier"),
        ],
        hint="2 articles agree on 12",
    )
    name = Conflict(
        id="n1",
        kind="name_spelling",
        subject="agus rianto",
        story="pirates",
        severity="medium",
        explanation="y",
        values=[ValueGroup("Agus Rianto", [_entry(claims[6])]), ValueGroup("Agus Riyanto", [_entry(claims[9])])],
    )
    return claims, stories, [boats, name]


def _rows(table):
    return {(r["kind"], r["subject"]): r for r in table["rows"]}


def test_subjects_down_outlets_across(story):
    claims, stories, conflicts = story
    tables = story_tables(claims_table(claims, stories), conflicts)
    assert set(tables) == {"pirates", "other"}
    t = tables["pirates"]
    # Outlets, earliest publication first; an article whose outlet is unknown is its own column.
    assert [(c["key"], c["outlet"], c["published"]) for c in t["columns"]] == [
        ("AP", True, "2024-11-05"),
        ("Reuters", True, "2024-11-06"),
        ("b.txt", False, None),
    ]
    rows = _rows(t)
    boats = rows[("quantity", "boats")]
    cells = dict(zip([c["key"] for c in t["columns"]], boats["cells"]))
    # The value as written, hedge included; who was cited; the conflict and the hint.
    assert [(e["value"], e["conflict"], e["role"]) for e in cells["AP"]] == [("about 20 boats", "q1", "outlier")]
    assert [(e["value"], e["attribution"], e["role"]) for e in cells["Reuters"]] == [
        ("12 boats", "the navy", "majority")
    ]
    assert [e["value"] for e in cells["b.txt"]] == ["12 boats"]
    assert boats["conflicts"] == ["q1"] and boats["hints"] == ["2 articles agree on 12"]
    # Agreeing cells are plain.
    hostages = rows[("quantity", "hostages")]
    assert hostages["conflicts"] == [] and [e["conflict"] for c in hostages["cells"] if c for e in c] == [None, None]
    assert hostages["cells"][2] is None
    # A name's conflict (name_spelling) marks the name claims it quotes, not the others.
    names = rows[("name", "agus rianto")]
    reuters = names["cells"][1]
    assert [(e["value"], e["count"], e["conflict"]) for e in reuters] == [("Agus Rianto", 1, "n1"), ("Rianto", 2, None)]
    assert "99 boats" not in json.dumps(t)


def test_rows_by_kind_conflicts_first(story):
    claims, stories, conflicts = story
    t = story_tables(claims_table(claims, stories), conflicts)["pirates"]
    assert [(r["kind"], r["subject"]) for r in t["rows"]] == [
        ("quantity", "boats"),
        ("quantity", "hostages"),
        ("date", "seize boat"),
        ("name", "agus rianto"),
    ]


def test_a_fact_column_becomes_the_row_key(story):
    """When alignment adds ``fact``, rows are facts; the label is the subject most of its claims carry."""
    claims, stories, conflicts = story
    df = claims_table(claims, stories)
    assert row_key(df) == "subject"
    df["fact"] = [
        "f-boats",
        "f-boats",
        "f-boats",
        "f-boats",
        "f-boats",
        "f-date",
        "f-name",
        "f-name",
        "f-name",
        "f-name",
        "f-z",
    ]
    assert row_key(df) == "fact"
    t = story_tables(df, conflicts)["pirates"]
    assert [(r["key"], r["subject"]) for r in t["rows"]] == [
        ("f-boats", "boats"),
        ("f-date", "seize boat"),
        ("f-name", "agus rianto"),
    ]
    assert "fact" in story_pivot(df, "pirates", conflicts).columns
    # Claims without a fact keep rows of their own subjects, not one row of "no fact".
    df["fact"] = [None] * 5 + ["f-date", None, None, None, None, None]
    rows = [(r["key"], r["subject"]) for r in story_tables(df, conflicts)["pirates"]["rows"]]
    assert rows == [
        ("subject:boats", "boats"),
        ("subject:hostages", "hostages"),
        ("f-date", "seize boat"),
        ("subject:agus rianto", "agus rianto"),
    ]


def test_pivot_and_the_csv_round_trip(story, tmp_path):
    claims, stories, conflicts = story
    df = claims_table(claims, stories)
    pv = story_pivot(df, "pirates", conflicts)
    assert list(pv.columns) == ["kind", "subject", "conflicts", "AP", "Reuters", "b.txt"]
    first = pv.iloc[0].to_dict()
    assert first == {
        "kind": "quantity",
        "subject": "boats",
        "conflicts": "q1",
        "AP": "about 20 boats",
        "Reuters": "12 boats",
        "b.txt": "12 boats",
    }
    assert pv.set_index("subject").loc["agus rianto", "Reuters"] == "Agus Rianto / Rianto"
    assert story_pivot(df, "nope").empty
    # claims.csv read back gives the same tables: checker table needs no re-parse.
    path = tmp_path / "claims.csv"
    to_csv_frame(df).to_csv(path, index=False)
    dicts = [c.to_dict() for c in conflicts]
    assert story_tables(read_claims_csv(path), dicts) == story_tables(df, conflicts)


def test_table_file_names_are_safe():
    assert table_file_name("palin-sarah-dd0f56") == "palin-sarah-dd0f56.csv"
    odd = table_file_name("../etc/passwd <x>")
    assert "/" not in odd and odd.endswith(".csv") and not odd.startswith(".")
    assert table_file_name("a/b") != table_file_name("a_b")


# --- checker table ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("table")
    src = _jsonl(
        tmp / "in.jsonl",
        ARTICLES
        + [{"id": "x1", "story": "other story", "source": "DW", "text": "Elsewhere\nFarmers counted 40 sheep."}],
    )
    out = tmp / "run"
    res = run([src], out_dir=out, extractor=regex_extractor, store=None, n_process=1)
    return out, res


def _cli(*args):
    return CliRunner().invoke(app, ["table", *map(str, args)])


def test_cli_csv_of_one_story(run_dir):
    out, res = run_dir
    got = _cli(out, "--story", "pirates", "--format", "csv")
    assert got.exit_code == 0, got.output
    lines = got.output.splitlines()
    # Rows are the facts alignment found (their key in `fact`); outlets of one day by name.
    assert lines[0] == "kind,subject,fact,conflicts,AP,BBC,Reuters"
    boats = next(line for line in lines if ",boats," in line).split(",")
    cid = next(c.id for c in res.conflicts if c.subject == "boats")
    assert boats[:2] == ["quantity", "boats"] and boats[2]
    assert boats[3:] == [cid, "20", "12", "12"]
    # A prefix of one story is enough.
    assert _cli(out, "--story", "pir", "-f", "csv").output == got.output


def test_cli_jsonl_and_terminal_table(run_dir):
    out, res = run_dir
    got = _cli(out, "--format", "jsonl")
    assert got.exit_code == 0, got.output
    rows = [json.loads(line) for line in got.output.splitlines()]
    assert {r["story"] for r in rows} == {"pirates", "other story"}
    people = next(r for r in rows if r["subject"] == "people")
    assert people["conflicts"] and {e["value"] for c in people["cells"].values() for e in c} == {"300", "450"}
    assert all(e["article"] and e["end"] > e["start"] for c in people["cells"].values() for e in c)
    shown = _cli(out)
    assert shown.exit_code == 0 and "story pirates" in shown.output and "boats !" in shown.output


def test_cli_writes_one_csv_per_story(run_dir, tmp_path):
    out, _ = run_dir
    got = _cli(out, "--out", tmp_path / "tables")
    assert got.exit_code == 0, got.output
    assert sorted(p.name for p in (tmp_path / "tables").iterdir()) == [table_file_name("other story"), "pirates.csv"]
    assert (tmp_path / "tables" / "pirates.csv").read_text().startswith("kind,subject,fact,conflicts,AP,BBC,Reuters\n")


def test_cli_errors_are_one_line(run_dir, tmp_path):
    out, _ = run_dir
    got = _cli(out, "--format", "csv")
    assert got.exit_code == 2 and "[E622]" in got.output
    got = _cli(out, "--story", "nope")
    assert got.exit_code == 2 and "[E621]" in got.output and "pirates" in got.output
    got = _cli(tmp_path / "missing")
    assert got.exit_code == 2 and "[E620]" in got.output
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "claims.csv").write_text("a,b\n1,2\n")
    got = _cli(tmp_path / "bad")
    assert got.exit_code == 2 and "[E623]" in got.output and "Traceback" not in got.output


# --- the report's copy -----------------------------------------------------------------


def _story_result(story) -> RunResult:
    claims, stories, conflicts = story
    texts = {}
    for c in claims:
        t = texts.setdefault(c.article, [" "] * 200)
        t[c.start : c.end] = list(c.display)
    arts = [
        Article(
            id=a,
            text="".join(t),
            title=f"Title of {a}",
            source=None if a == "b.txt" else next(c.source for c in claims if c.article == a),
            published=None,
            story=stories[a],
        )
        for a, t in texts.items()
    ]
    for c in claims:
        c.text = "".join(texts[c.article][c.start : c.end])
    return RunResult(
        arts, claims, conflicts, [], stories, {"id": 1, "version": "t", "started": "2024-11-05T00:00:00+00:00"}
    )


def test_report_model_and_page_carry_the_tables(story):
    res = _story_result(story)
    model = report.report_model(res)
    assert set(model["tables"]) == {"pirates", "other"}
    assert [s["id"] for s in model["stories"]] == ["pirates", "other"]
    # Every article of a table is embedded, so a cell opens its article.
    assert set(model["articles"]) == {"a1", "a2", "b.txt", "z"}
    doc = lxml.html.document_fromstring(report.render_html(model))
    bundle = json.loads(doc.get_element_by_id("checker-tables").text)
    assert bundle["entry_fields"] == list(ENTRY_FIELDS)
    data = json.loads(doc.get_element_by_id("checker-data").text)
    boats = bundle["stories"]["pirates"]["rows"][0]
    assert boats[2] == "boats" and boats[3] == ["q1"]
    ap = dict(zip(ENTRY_FIELDS, boats[5][0][0]))
    assert data["article_ids"][ap["article"]] == "a2" and ap["value"] == "about 20 boats" and ap["role"] == "outlier"
    # Without script: the same table, server-rendered, the conflicting cells marked.
    static = doc.xpath('//noscript//section[@data-story="pirates"]//table')[0]
    heads = [th.text_content().strip() for th in static.xpath(".//thead/tr/th")]
    assert heads[0] == "Subject" and heads[1].startswith("AP") and heads[3] == "b.txt"
    row = static.xpath('.//tbody/tr[@data-subject="boats"]')[0]
    assert "has-conflict" in row.get("class")
    tds = row.xpath("./td")
    # The outlier stands out; the cells with the majority's figure are marked quietly.
    assert [td.get("class") for td in tds] == ["in-conflict", "in-conflict with-majority", "in-conflict with-majority"]
    assert "outlier" in tds[0].text_content() and "about 20 boats" in tds[0].text_content()
    # The summary's story facet links to the table.
    assert doc.xpath('//a[contains(@class, "story-table-link")][@data-story="pirates"]')


def test_static_tables_stay_within_their_budget(story):
    model = report.report_model(_story_result(story))
    doc = lxml.html.document_fromstring(report.render_html(model, static_table_limit=1))
    static = doc.xpath("//noscript//section[@data-story]")
    assert [s.get("data-story") for s in static] == ["pirates"]
    assert "1 of 2 stories" in doc.xpath("string(//section[@id='static-tables'])")


# --- the table and the conflict list agree ---------------------------------------------


def assert_tables_agree(tables: dict, conflicts: list[dict]) -> int:
    """Every claim of every conflict is in its story's table, in its outlet's column, marked with the conflict.

    Returns the number of conflict claims checked.
    """
    checked = 0
    for c in conflicts:
        t = tables[c["story"]]
        cols = [col["key"] for col in t["columns"]]
        rows = [r for r in t["rows"] if c["id"] in r["conflicts"]]
        assert rows, f"conflict {c['id']} ({c['subject']}) has no row in its story's table"
        for v in c["values"]:
            for q in v["claims"]:
                col = q["source"] if q.get("source") and q["source"] != q["article"] else q["article"]
                assert col in cols, (c["id"], col)
                i = cols.index(col)
                # The quote itself, or the entry it was folded into (the same words, from the same outlet).
                found = [
                    e
                    for r in rows
                    for e in (r["cells"][i] or [])
                    if e["conflict"] == c["id"]
                    and e["role"] == v.get("role")
                    and (
                        (e["article"], e["start"], e["end"]) == (q["article"], q["start"], q["end"])
                        or e["value"] == (q.get("display") or q["text"])
                    )
                ]
                assert found, (
                    f"conflict {c['id']} ({c['subject']}): {q.get('display') or q['text']!r} of {col} not in the table"
                )
                checked += 1
    return checked


def test_tables_agree_with_the_conflicts_through_the_cli(run_dir):
    out, res = run_dir
    rows = [json.loads(line) for line in _cli(out, "-f", "jsonl").output.splitlines()]
    doc = json.loads((out / "conflicts.json").read_text())
    tables: dict = {}
    for r in rows:
        t = tables.setdefault(r["story"], {"columns": [], "rows": []})
        for k in r["cells"]:
            if k not in [c["key"] for c in t["columns"]]:
                t["columns"].append({"key": k})
    for r in rows:
        t = tables[r["story"]]
        r["cells"] = [r["cells"].get(c["key"]) for c in t["columns"]]
        t["rows"].append(r)
    assert assert_tables_agree(tables, doc["conflicts"]) == sum(
        len(v["claims"]) for c in doc["conflicts"] for v in c["values"]
    )


def _run_and_check(inputs, out, store):
    res = run(inputs, out_dir=out, store=store, n_process=1)
    doc = json.loads((out / "conflicts.json").read_text())
    from checker.normalize import tables_from_run

    tables = tables_from_run(out)
    assert set(tables) == set(res.stories.values()), "a story without a table"
    assert all(t["rows"] and t["columns"] for t in tables.values())
    n = assert_tables_agree(tables, doc["conflicts"])
    # The report's copy is the same table.
    html = (out / "report.html").read_text(encoding="utf-8")
    bundle = json.loads(lxml.html.document_fromstring(html).get_element_by_id("checker-tables").text)
    assert set(bundle["stories"]) == set(tables)
    for sid, t in tables.items():
        assert [r[2] for r in bundle["stories"][sid]["rows"]] == [r["subject"] for r in t["rows"]]
    return res, tables, n


@pytest.mark.slow
def test_seed_table_agrees_with_its_conflicts(tmp_path):
    res, tables, n = _run_and_check([SEEDS], tmp_path / "seeds", None)
    assert n == sum(len(v.claims) for c in res.conflicts for v in c.values) >= 8
    (t,) = tables.values()
    troops = next(r for r in t["rows"] if r["subject"] == "north korean troops")
    shown = {col["key"]: [e["value"] for e in (cell or [])] for col, cell in zip(t["columns"], troops["cells"])}
    assert shown == {
        "000_e4cda37d1f651d99.txt": ["about 11,000"],
        "004_8962125786f8b111.txt": ["10,000", "11,000", "12,000"],
    }


@pytest.mark.slow
@pytest.mark.corpus
@pytest.mark.parametrize("name", ["ecbplus-dev", "ecbplus-train"])
def test_labelled_story_tables_agree_with_their_conflicts(corpus, tmp_path, name):
    root = corpus / name / "clusters"
    res, tables, n = _run_and_check([root], tmp_path / name, tmp_path / "checker.db")
    assert n == sum(len(v.claims) for c in res.conflicts for v in c.values) > 0
    # Every labelled story is in a table: stories are found from the text (two labelled ones may be
    # found as one), so look for each labelled article among the tables' columns.
    shown = {a for t in tables.values() for col in t["columns"] for a in col["articles"]}
    with_claims = {c.article for c in res.claims}
    for cluster in json.loads((root / "index.json").read_text()):
        ids = {f"{cluster['cluster']}/{f}" for f in cluster["files"]} & with_claims
        assert ids and ids <= shown, cluster["cluster"]


def test_csv_cells_guarded_on_write_come_back_as_written(tmp_path):
    """claims.csv guards formula-like cells; `checker table` reads them back unguarded."""
    import pandas as pd

    from checker.csvsafe import read_back_frame, safe_csv_frame

    df = pd.DataFrame({"qualifier": ["=", ">="], "article": ["=cmd|' /C calc'!A0", "a.txt"], "low": [1.0, -2.0]})
    path = tmp_path / "c.csv"
    safe_csv_frame(df).to_csv(path, index=False)
    raw = path.read_text()
    assert "'=cmd" in raw and "\n'=," in raw
    back = read_back_frame(
        pd.read_csv(path, dtype={"qualifier": "string", "article": "string"}).astype(
            {"qualifier": object, "article": object}
        )
    )
    assert back["qualifier"].tolist() == ["=", ">="]
    assert back["article"].tolist() == ["=cmd|' /C calc'!A0", "a.txt"]
    assert back["low"].tolist() == [1.0, -2.0]
