"""Dating undated articles: datelines, dates and years in the text, HTML pages."""

from __future__ import annotations

from datetime import date

import pytest

from checker.models import Article, Dating
from checker.resolve.dating import apply_estimates, dateline, dating_for_stories, dating_of

TODAY = date(2026, 1, 1)


def dating(nlp, text: str, **kw) -> Dating:
    art = Article(id="a.txt", text=text, **kw)
    return dating_of(nlp(text), art, today=TODAY)


def test_a_dateline_line_under_the_headline_dates_the_article():
    text = "Esther Williams dies at 91\nJune 6th, 2013 7:38pm EDT\nThe swimmer died on Thursday."
    assert dateline(text) == date(2013, 6, 6)
    assert dateline("Headline\nPosted: 03/14/2013 06:37:46 AM PDT\nA quake struck.") == date(2013, 3, 14)
    assert dateline("March 14, 2013-UNITED STATES-\nA 4.6-magnitude earthquake rattled Northern California.") == date(
        2013, 3, 14
    )
    # A headline or a sentence that names a date is not a dateline.
    assert dateline("Remembering the Sept. 11, 2001 attacks\nTen years on, the city paused.") is None
    assert (
        dateline("Headline\nThe company said on March 3, 2009 that its chief executive and two directors had resigned.")
        is None
    )


def test_a_wire_dateline_takes_its_year_from_the_latest_event_reported():
    text = "Oil falls\nLONDON, March 3 (Reuters) - Oil fell on Tuesday."
    assert dateline(text) is None  # no year anywhere: no date
    assert dateline(text, after=date(2009, 2, 5).toordinal()) == date(2009, 3, 3)
    # A day before the latest event reported is next year's.
    assert dateline(text, after=date(2009, 11, 5).toordinal()) == date(2010, 3, 3)
    assert dateline("Fight\nMANNHEIM, Germany, Dec. 13, 2008 (AP) -- Klitschko won.") == date(2008, 12, 13)


@pytest.mark.slow
def test_dateline_estimate_is_exact(nlp):
    d = dating(
        nlp,
        "Esther Williams dies at 91\nJune 6, 2013 3:05 PM EDT\nThe swimmer and actress died in her sleep on Thursday.",
    )
    assert (d.estimate, d.basis, d.exact) == ("2013-06-06", "dateline", True)
    assert d.lo == d.hi == date(2013, 6, 6).toordinal()


@pytest.mark.slow
def test_the_latest_past_event_is_a_lower_bound(nlp):
    d = dating(
        nlp,
        "Klitschko retains his titles\nRahman, who floored Lennox Lewis in 2001, was beaten on Saturday. "
        "Klitschko won the IBF title in April 2006 and defended it in 2007.",
    )
    assert d.basis == "text" and not d.exact
    assert d.estimate == "2007/.." and d.lo == date(2007, 1, 1).toordinal() and d.hi is None


@pytest.mark.slow
def test_full_dates_are_kept_as_references_and_future_dates_are_not_evidence(nlp):
    d = dating(
        nlp,
        "Woman convicted\nA judge found Hiller guilty of the killings on September 10, 2010. "
        "She will be sentenced on March 5, 2013, and the appeal was scheduled for June 1, 2014.",
    )
    assert d.estimate == "2010-09-10/.."
    assert (date(2010, 9, 10).toordinal(),) * 2 in d.refs
    assert (date(2013, 3, 5).toordinal(),) * 2 in d.refs  # a reference still, whatever the tense


@pytest.mark.slow
def test_no_evidence_gives_no_estimate(nlp):
    d = dating(
        nlp, "Quake hits Sonoma\nA light earthquake struck near The Geysers on Sunday at 9:27 a.m., officials said."
    )
    assert d.estimate is None and d.basis is None and d.lo is None and d.refs == []
    assert dating_for_stories(Article(id="a", text="x"), d) is None
    # Dates after today are typos or plans, never a bound.
    assert dating(nlp, "Plans\nThe tower was completed in 2088, officials said.").estimate is None


def test_given_dates_win_and_estimates_are_recorded_only_for_undated_articles():
    arts = [
        Article(id="a", text="x", published="Friday, Sep 10, 2010 | Updated 9:28 AM EDT"),
        Article(id="b", text="y"),
    ]
    est = Dating("2012-09-10", "dateline", 1, 1, True).to_dict()
    apply_estimates(arts, {"a": est, "b": est})
    assert (arts[0].published_estimate, arts[1].published_estimate, arts[1].published_basis) == (
        None,
        "2012-09-10",
        "dateline",
    )
    got = dating_for_stories(arts[0], est)
    assert (got.basis, got.lo, got.exact) == ("given", date(2010, 9, 10).toordinal(), True)


def test_html_page_without_a_date_in_its_metadata_gets_htmldate_estimate(tmp_path):
    from checker.ingest import read_inputs

    body = (
        "<p>A strong earthquake struck off the coast of Papua on Sunday, killing one person, "
        "officials said on January 4, 2009.</p><p>The quake was felt in Manokwari, where residents fled "
        "to higher ground and dozens of buildings were damaged.</p>"
    )
    (tmp_path / "undated.html").write_text(
        f"<html><head><title>Quake hits Papua</title></head><body><article><h1>Quake hits Papua</h1>{body}</article></body></html>"
    )
    (tmp_path / "dated.html").write_text(
        '<html><head><title>Quake hits Papua</title><meta property="article:published_time" content="2009-01-05">'
        f"</head><body><article><h1>Quake hits Papua</h1>{body}</article></body></html>"
    )
    got = {a.id: a for a in read_inputs([tmp_path]).articles}
    undated, dated = got["undated.html"], got["dated.html"]
    assert undated.published is None
    assert (undated.published_estimate, undated.published_basis) == ("2009-01-04", "html")
    assert (dated.published, dated.published_estimate) == ("2009-01-05", None)
