"""The report: its model, and the page checked by selecting elements (lxml), not by comparing strings."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re

import lxml.html
import pytest

from checker import report
from checker.decisions import record_decision
from checker.pipeline import run
from tests.reportdata import regex_extractor, synthetic_result

PAYLOAD = "<script>window.__pwned=1</script><img src=x onerror=window.__pwned=2>\"'></script>"


@pytest.fixture(scope="module")
def result():
    return synthetic_result(30, seed=3)


@pytest.fixture(scope="module")
def model(result):
    return report.report_model(result)


def _doc(html: str):
    return lxml.html.document_fromstring(html)


def _data(doc) -> dict:
    return json.loads(doc.get_element_by_id("checker-data").text)


# --- the model ---------------------------------------------------------------


def test_model_quotes_cut_the_claim_out_of_its_sentence(result, model):
    texts = {a.id: a.text for a in result.articles}
    for c in model["conflicts"]:
        for v in c["values"]:
            for q in v["claims"]:
                t = texts[q["article"]]
                assert q["quote"]["match"] == t[q["start"] : q["end"]]
                assert (
                    q["quote"]["before"] + q["quote"]["match"] + q["quote"]["after"]
                    == t[q["sentence_start"] : q["sentence_end"]]
                )
                assert q["source"] and q["published"] and q["url"].startswith("https://")


def test_model_summary_counts(model):
    s = model["summary"]
    assert s["conflicts"] == 30
    assert sum(s["by_kind"].values()) == sum(s["by_severity"].values()) == sum(s["by_story"].values()) == 30
    assert list(s["by_severity"]) == ["high", "medium", "low"]
    assert s["by_review"] == {"open": 30}
    assert model["run"]["key"].startswith("7-")


def test_model_embeds_only_quoted_articles_with_every_claim_marked(result, model):
    quoted = {q["article"] for c in model["conflicts"] for v in c["values"] for q in v["claims"]}
    assert set(model["articles"]) == quoted
    for aid, a in model["articles"].items():
        claims = [c for c in result.claims if c.article == aid]
        assert len(a["marks"]) >= len(claims)
        in_conflict = [m for m in a["marks"] if m["conflict"]]
        others = [m for m in a["marks"] if not m["conflict"]]
        assert in_conflict and all(a["text"][m["start"] : m["end"]] for m in a["marks"])
        assert all(m["subject"] == "hospitals" for m in others)


def test_model_is_json_without_infinity(model):
    # "more than 19" has no upper bound: JSON has no Infinity, so it becomes null.
    text = json.dumps(model, allow_nan=False)
    assert "Infinity" not in text
    assert any(v["high"] is None for c in model["conflicts"] for v in c["values"])


def test_model_changes_from_the_store(result):
    info = dict(result.info)
    info["changes"] = {
        "new": [{"id": "n1"}],
        "changed": [{"id": "c1", "added_values": ["35"]}],
        "unchanged": ["u1", "u2"],
        "resolved": [{"id": "r1", "subject": "boats", "values": ["1", "2"], "reason": "withdrawn"}],
        "counts": {},
        "previous_run": 6,
    }
    info["previous"] = {"id": 6, "started": "2024-11-04T22:00:00+00:00", "report": "../2024-11-04/report.html"}
    result.info = info
    try:
        ch = report.report_model(result)["changes"]
    finally:
        result.info = {k: v for k, v in info.items() if k not in ("changes", "previous")}
    assert ch["new"] == ["n1"] and ch["changed"][0]["added_values"] == ["35"] and ch["unchanged"] == 2
    assert ch["previous"] == {
        "id": 6,
        "started": "2024-11-04T22:00:00+00:00",
        "href": "../2024-11-04/report.html",
        "conflicts": None,
    }


def test_no_changes_section_for_a_first_run(model):
    assert model["changes"] is None


@pytest.mark.parametrize(
    "url, ok",
    [
        ("https://a.example/x", True),
        ("http://a", True),
        ("javascript:alert(1)", False),
        (" JaVaScRiPt:alert(1)", False),
        ("data:text/html,<script>", False),
        ("//evil", False),
        (None, False),
    ],
)
def test_safe_url(url, ok):
    assert (report.safe_url(url) is not None) is ok


# --- the page ---------------------------------------------------------------------


def test_page_is_one_file_with_a_strict_policy(model):
    html = report.render_html(model)
    doc = _doc(html)
    csp = doc.xpath('//meta[@http-equiv="Content-Security-Policy"]/@content')[0]
    scripts = doc.xpath("//script")
    runnable = [s for s in scripts if s.get("type") in (None, "", "text/javascript", "module")]
    assert len(runnable) == 1 and not runnable[0].get("src")
    # The policy names the inline script by its hash; nothing else may run or load.
    digest = base64.b64encode(hashlib.sha256(runnable[0].text.encode()).digest()).decode()
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["script-src"] == f"'sha256-{digest}'"
    assert directives["default-src"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    style = doc.xpath("//style")[0].text
    assert (
        directives["style-src"] == "'sha256-" + base64.b64encode(hashlib.sha256(style.encode()).digest()).decode() + "'"
    )
    assert not doc.xpath("//link[@rel='stylesheet']|//img[@src]|//iframe")


def test_page_data_is_the_model_lighter(model):
    doc = _doc(report.render_html(model))
    data = _data(doc)
    assert [c["id"] for c in data["conflicts"]] == [c["id"] for c in model["conflicts"]]
    q = dict(zip(data["claim_fields"], data["conflicts"][0]["values"][0]["claims"][0]))
    full = model["conflicts"][0]["values"][0]["claims"][0]
    assert data["article_ids"][q["article"]] == full["article"]
    assert (q["before"], q["match"], q["after"]) == tuple(full["quote"].values())
    assert q["display"] in (None, full["display"]) and (q["start"], q["end"]) == (full["start"], full["end"])
    assert data["sources"][full["article"]]["source"] == full["source"]
    assert "outlets" not in data["conflicts"][0] and "review" not in data["conflicts"][0]
    arts = doc.get_element_by_id("checker-articles")
    assert arts.get("data-encoding") == "json"
    assert set(json.loads(arts.text)) == set(model["articles"])


def test_large_article_bundles_are_compressed(model, monkeypatch):
    monkeypatch.setattr(report, "PLAIN_ARTICLES_LIMIT", 100)
    doc = _doc(report.render_html(model))
    node = doc.get_element_by_id("checker-articles")
    assert node.get("data-encoding") == "gzip+base64"
    arts = json.loads(gzip.decompress(base64.b64decode(node.text)))
    assert {k: v["text"] for k, v in arts.items()} == {k: v["text"] for k, v in model["articles"].items()}


def test_fallback_without_script_lists_the_most_severe_conflicts(model):
    doc = _doc(report.render_html(model, static_limit=5))
    cards = doc.xpath('//noscript//article[contains(@class, "conflict")]')
    assert len(cards) == 5
    assert all(c.get("data-severity") == "high" for c in cards)
    for c in cards:
        assert {"data-id", "data-kind", "data-story", "data-severity", "data-status", "data-review"} <= set(c.attrib)
        assert c.xpath('.//div[@class="claim"]//blockquote/mark')
    assert "the full list needs JavaScript" in doc.xpath("string(//noscript)")


def test_summary_facets_are_hooks(model):
    doc = _doc(report.render_html(model))
    kinds = {b.get("data-value"): b for b in doc.xpath('//button[@data-facet="kind"]')}
    assert set(kinds) == set(model["summary"]["by_kind"])
    stories = doc.xpath('//button[@data-facet="story"]/@data-value')
    assert sorted(stories) == sorted(model["summary"]["by_story"])


def test_untrusted_text_stays_text(tmp_path):
    res = synthetic_result(12, seed=5, payload=PAYLOAD)
    html = report.render_report(res)
    doc = _doc(html)
    # One runnable script (ours), no element from the payload, no handler attributes, no javascript: links.
    assert len([s for s in doc.xpath("//script") if s.get("type") is None]) == 1
    assert not doc.xpath("//img")
    assert not [e for e in doc.iter() if isinstance(e.tag, str) and any(a.startswith("on") for a in e.attrib)]
    assert not [h for h in doc.xpath("//@href") if not re.match(r"^(https?:|#|\.\.?/|[\w-]+/)", h)]
    # The payload survives as data: in the JSON and as text in the fallback.
    data = _data(doc)
    assert data["conflicts"][0]["subject"].endswith(PAYLOAD)
    assert all(o["source"].endswith(PAYLOAD) for o in data["sources"].values())
    assert PAYLOAD in doc.xpath("string(//noscript)")
    assert "</script><" not in doc.get_element_by_id("checker-data").text


def test_json_for_script_cannot_close_the_element():
    s = report.json_for_script({"t": "</script><!-- & \u2028"})
    assert "<" not in s and ">" not in s and "&" not in s and "\u2028" not in s
    assert json.loads(s) == {"t": "</script><!-- & \u2028"}


# --- through the pipeline -----------------------------------------------------------


ARTICLES = [
    {
        "id": "a1",
        "story": "pirates",
        "source": "Reuters",
        "published": "2024-11-05",
        "text": "Boats seized\nPirates seized 12 boats near the coast. Officials said 300 people were rescued.",
    },
    {
        "id": "a2",
        "story": "pirates",
        "source": "AP",
        "published": "2024-11-05",
        "text": "Navy report\nThe navy said 20 boats were seized. About 300 people were rescued.",
    },
    {
        "id": "a3",
        "story": "pirates",
        "source": "BBC",
        "published": "2024-11-05",
        "text": "Coast guard\nWitnesses counted 12 boats. Some 450 people were rescued.",
    },
]


def _jsonl(path, articles):
    path.write_text("".join(json.dumps(a) + "\n" for a in articles))
    return path


def test_run_carries_decisions_into_the_report(tmp_path):
    src = _jsonl(tmp_path / "in.jsonl", ARTICLES)
    db = tmp_path / "reports" / "checker.db"
    first = run([src], out_dir=tmp_path / "reports" / "n1", extractor=regex_extractor, store=db, n_process=1)
    ids = {c.subject: c.id for c in first.conflicts}
    assert set(ids) == {"boats", "people"}
    record_decision(
        db,
        {
            "conflict": ids["boats"],
            "status": "dismissed",
            "who": "ana",
            "note": "different fleets",
            "values": [v.__dict__ for v in first.conflicts[0].values],
        },
    )
    record_decision(
        db,
        {
            "conflict": ids["people"],
            "status": "confirmed",
            "who": "ben",
            "values": [v.__dict__ for v in first.conflicts[1].values],
        },
    )
    second = run([src], out_dir=tmp_path / "reports" / "n2", extractor=regex_extractor, store=db, n_process=1)
    by = {c.subject: c for c in second.conflicts}
    assert by["boats"].id == ids["boats"]
    assert by["boats"].decision["status"] == "dismissed" and not by["boats"].decision["reopened"]
    assert by["people"].decision["status"] == "confirmed"
    doc = _doc((tmp_path / "reports" / "n2" / "report.html").read_text())
    review = {c["subject"]: report.review_status(c["decision"]) for c in _data(doc)["conflicts"]}
    assert review == {"boats": "dismissed", "people": "confirmed"}
    saved = json.loads((tmp_path / "reports" / "n2" / "conflicts.json").read_text())
    assert {c["subject"]: c["decision"]["who"] for c in saved["conflicts"]} == {"boats": "ana", "people": "ben"}
    # A new figure joins the dismissed conflict: it comes back for review.
    _jsonl(
        src,
        ARTICLES + [{"id": "a4", "story": "pirates", "source": "DW", "text": "Later\nA fourth report gave 35 boats."}],
    )
    third = run([src], out_dir=tmp_path / "reports" / "n3", extractor=regex_extractor, store=db, n_process=1)
    boats = next(c for c in third.conflicts if c.subject == "boats")
    assert boats.decision["reopened"] and boats.decision["new_values"] == ["35"]
    assert report.review_status(boats.decision) == "open"


def test_an_undated_articles_estimated_date_is_recorded_and_shown_as_an_estimate(tmp_path):
    from checker.models import Dating

    def extractor(articles, rules, **kw):
        ext = regex_extractor(articles, rules, **kw)
        ext.datings = {"a3": Dating("2024-11-04/..", "text", 1, None).to_dict()}
        return ext

    arts = [dict(a) for a in ARTICLES]
    del arts[2]["published"]
    run([_jsonl(tmp_path / "in.jsonl", arts)], out_dir=tmp_path / "out", extractor=extractor, n_process=1)
    saved = json.loads((tmp_path / "out" / "conflicts.json").read_text())
    claims = [cl for c in saved["conflicts"] for v in c["values"] for cl in v["claims"]]
    a3 = [cl for cl in claims if cl["article"] == "a3"]
    assert a3 and all(
        (cl["published"], cl["published_estimate"], cl["published_basis"]) == (None, "2024-11-04/..", "text")
        for cl in a3
    )
    assert not any("published_estimate" in cl for cl in claims if cl["article"] != "a3")
    import csv as csvmod

    rows = list(csvmod.DictReader((tmp_path / "out" / "claims.csv").open(encoding="utf-8")))
    assert any(
        (r["published_estimate"], r["published_basis"]) == ("2024-11-04/..", "text")
        for r in rows
        if r["article"] == "a3"
    )
    assert all(not r["published_estimate"] for r in rows if r["article"] != "a3")
    doc = _doc((tmp_path / "out" / "report.html").read_text())
    sources = _data(doc)["sources"]
    assert sources["a3"]["published_estimate"] == "2024-11-04/.." and "published_estimate" not in sources["a1"]
