"""Dates: reading expressions, resolving them, attaching them to events, conflicts."""

from __future__ import annotations

import json
from datetime import date

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.tokens import Doc

from checker.compare.dates import compare_dates, incident
from checker.dateparse import (
    When,
    clocks_compatible,
    compatible,
    parse,
    parse_bare_clock,
    parse_clock,
    parse_published,
    set_place_timezone,
)
from checker.extract.dates import extract_dates
from checker.models import Article
from checker.normalize import claims_table
from checker.resolve.people import link_people
from tests.conftest import ROOT, golden_score

GOLDEN = ROOT / "tests" / "golden" / "dates.jsonl"
CASES = [json.loads(x) for x in GOLDEN.read_text(encoding="utf-8").splitlines() if x.strip()]
FLOOR = 0.9
FRI = date(2010, 9, 10)


@pytest.mark.parametrize(
    "text,base,iso",
    [
        ("May 30, 2005", None, "2005-05-30"),
        ("Tuesday, Oct. 10, 1972", None, "1972-10-10"),
        ("13 October", None, "--10-13"),
        ("6th June", date(2013, 6, 7), "2013-06-06"),
        ("November 19", date(2008, 12, 14), "2008-11-19"),
        ("Dec. 2", date(2009, 1, 2), "2008-12-02"),  # a past event: last year's December
        ("October 1950", None, "1950-10"),
        ("1947", None, "1947"),
        ("the 1950s", None, "1950/1959"),
        ("early December", None, "--12"),
        ("Thursday", None, "-W-4"),
        ("Thursday", FRI, "2010-09-09"),
        ("Friday", FRI, "2010-09-10"),
        ("yesterday", FRI, "2010-09-09"),
        ("yesterday", None, "P1D"),
        ("nine days earlier", None, "P9D/P11D"),
        ("3.45pm", None, "T15:45"),
        ("8:30 p. m. Thursday", FRI, "2010-09-09T20:30"),
        ("1100 hours", None, "T11:00"),
        ("2248 GMT Tuesday", None, "-W-2T22:48"),
        ("next year", date(2013, 8, 5), "2014"),
        ("next year", None, "R/next-year"),
        ("last month", date(2013, 1, 5), "2012-12"),
        ("the next day", None, "R/next-day"),
        ("that night", None, "R/same-day"),
        # Two-digit years after a day and an abbreviated month (navy and military releases).
        ("on 10 Nov 11.", None, "2011-11-10"),
        ("3 December '98", None, "1998-12-03"),
        ("21-Jan-09", date(2009, 1, 22), "2009-01-21"),
        ("Nov 11", None, "--11-11"),  # a month and a day, no year
        ("10 Nov 11:30", None, "--11-10T11:30"),  # a clock time, not a year
    ],
)
def test_parse(text, base, iso):
    assert parse(text, base).iso() == iso


@pytest.mark.parametrize(
    "text,context,clock",
    [
        ("44 seconds into the seventh round", "", {"period": 7, "unit": "round", "elapsed": [44, 44]}),
        ("after 44 seconds of the seventh round", "", {"period": 7, "unit": "round", "elapsed": [44, 44]}),
        ("two seconds remaining of the sixth round", "", {"period": 6, "unit": "round", "remaining": [2, 2]}),
        ("1:30 into the third quarter", "", {"period": 3, "unit": "quarter", "elapsed": [90, 90]}),
        (
            "at the 2:15 mark",
            "wrapping it up in the seventh with a big series",
            {"period": 7, "unit": None, "elapsed": [135, 135]},
        ),
        ("in the 89th minute", "", {"period": None, "unit": "minute", "elapsed": [5280, 5340]}),
        ("in the seventh round", "", None),
    ],
)
def test_parse_clock(text, context, clock):
    assert parse_clock(text, context) == clock


def test_clocks_conflict_within_a_period_only():
    into = parse_clock("44 seconds into the seventh round")
    assert clocks_compatible(into, parse_clock("after 44 seconds of the seventh round"))
    assert clocks_compatible(into, parse_clock("at the 2:15 mark", "in the seventh")) is False
    assert clocks_compatible(into, parse_clock("44 seconds into the sixth round")) is False
    # Elapsed against remaining needs the length of a round: not compared.
    assert clocks_compatible(into, parse_clock("two seconds remaining of the seventh round")) is None
    # A clock never conflicts with a calendar date or time of day.
    assert compatible(When(clock=into), parse("Thursday"))


def test_relative_times_anchor_to_the_last_dated_event_or_stay_apart():
    assert parse("later that day", anchor=date(2008, 12, 6)).iso() == "2008-12-06"
    assert parse("the following morning", anchor=date(2008, 12, 6)).iso() == "2008-12-07"
    loose = parse("the next day")
    assert (
        loose.relative == "next-day"
        and compatible(loose, parse("Thursday"))
        and compatible(loose, parse("May 3, 2001"))
    )


def test_times_in_other_zones_meet_in_utc_through_the_place_zone():
    gmt = parse("0737 GMT")
    local = parse("7:37 AM local time")
    assert compatible(gmt, local)  # zone of the place unknown: not compared
    set_place_timezone(lambda name: {"aden": "Asia/Aden"}.get(name.lower()))
    try:
        from checker.dateparse import place_utc_offset

        local.utc_offset = place_utc_offset("Aden", date(2008, 11, 11))
        assert local.utc_offset == -180
        assert not compatible(gmt, local)  # 07:37 in Aden is 04:37 GMT
        assert compatible(parse("0437 GMT"), local)
        assert compatible(parse("11:37 pm EST"), parse("0437 GMT"))
        assert not compatible(parse("11:37 pm EST"), parse("0737 GMT"))
    finally:
        set_place_timezone(None)


def test_weekday_against_a_date_is_consistent_only_on_that_weekday():
    # 10 Nov 2011 was a Thursday.
    assert compatible(parse("Thursday"), parse("10 Nov 2011"))
    assert not compatible(parse("Friday"), parse("10 Nov 2011"))


date_words = st.sampled_from(
    [
        "May",
        "30",
        ",",
        "2005",
        "February 30",
        "9999999999",
        "years ago",
        "days earlier",
        "the",
        "1950s",
        "early",
        "end",
        "Thursday",
        "p.m.",
        "25:61",
        "0241",
        "GMT",
        "about",
        "yesterday",
        "last month",
        "-",
        " ",
        "November-end",
        "31 June",
    ]
)


@given(
    st.lists(date_words, max_size=12).map(" ".join),
    st.sampled_from([None, date(2010, 9, 10), date(1, 1, 1), date(9999, 12, 31)]),
)
@settings(max_examples=300, deadline=None)
def test_parse_never_raises(text, base):
    w = parse(text, base)
    assert isinstance(w.iso(), str)
    assert w.days is None or w.days[0] <= w.days[1]


def test_future_weekday_is_the_next_one():
    assert parse("Tuesday", FRI, future=True).iso() == "2010-09-14"


@pytest.mark.parametrize(
    "a,b,ok",
    [
        ("Thursday", "Friday", False),
        ("Thursday", "Thursday night", True),
        ("early December", "November-end", False),
        ("late January", "January 25", True),
        ("2005", "May 30, 2005", True),
        ("2005", "2006", False),
        ("Jan. 4", "Sunday", True),  # no year: the weekday cannot be checked
        ("about 3pm", "3.15pm", True),
        ("3pm", "3.45pm", False),
        ("7:48 a.m. local time", "2248 GMT", True),  # two zones: not compared
        ("nine days earlier", "almost three weeks ago", False),
        ("a week ago", "nine days ago", True),
        # No day fixed: a span across midnight holds the minutes before it.
        ("about midnight", "11:50 pm", True),
        ("about 11:45 pm", "12:05 am", True),
        ("shortly after midnight", "11:50 pm", False),
        ("about midnight Friday", "11:50 pm Friday", False),
    ],
)
def test_compatible(a, b, ok):
    assert compatible(parse(a), parse(b)) is ok


def test_weekday_against_a_full_date():
    assert not compatible(parse("Friday"), parse("September 9, 2010"))  # a Thursday
    assert compatible(parse("Thursday"), parse("September 9, 2010"))


@pytest.mark.parametrize(
    "text,day",
    [
        ("Friday, Sep 10, 2010 | Updated 9:28 AM EDT", date(2010, 9, 10)),
        ("09/10/10 08:23 PM ET", date(2010, 9, 10)),
        ("10:10 AM PDT 6/6/2013", date(2013, 6, 6)),
        ("June 6th, 2013 7:38pm EDT", date(2013, 6, 6)),
        ("07 June 2013", date(2013, 6, 7)),
        ("2024-11-06", date(2024, 11, 6)),
        (None, None),
    ],
)
def test_publication_dates_in_outlet_shapes(text, day):
    assert parse_published(text) == day


def felt_died(day: str) -> Doc:
    """ "Mark Felt died on <day> ." parsed by hand."""
    words = ["Mark", "Felt", "died", "on", day, "."]
    return Doc(
        spacy.blank("en").vocab,
        words=words,
        pos=["PROPN", "PROPN", "VERB", "ADP", "PROPN", "PUNCT"],
        heads=[1, 2, 2, 2, 3, 2],
        deps=["compound", "nsubj", "ROOT", "prep", "pobj", "punct"],
        lemmas=["Mark", "Felt", "die", "on", day, "."],
        ents=["B-PERSON", "I-PERSON", "O", "O", "B-DATE", "O"],
    )


def test_date_attached_to_its_event_and_compared(rules):
    docs = {"a": felt_died("Friday"), "b": felt_died("Thursday"), "c": felt_died("Thursday")}
    claims = []
    for aid, doc in docs.items():
        claims += extract_dates(doc, Article(id=aid, text=doc.text), rules)
    assert [(c.subject, c.value, c.text) for c in claims] == [
        ("die mark felt", "-W-5", "Friday"),
        ("die mark felt", "-W-4", "Thursday"),
        ("die mark felt", "-W-4", "Thursday"),
    ]
    stories = {"a": "s", "b": "s", "c": "s"}
    conflicts = compare_dates(claims_table(link_people(claims, stories, rules), stories), rules)
    assert [(c.kind, c.subject, [v.value for v in c.values]) for c in conflicts] == [
        ("date", "die mark felt", ["Thursday", "Friday"])
    ]


def test_dates_of_statements_are_not_event_dates(rules):
    words = ["Officials", "said", "Saturday", "."]
    doc = Doc(
        spacy.blank("en").vocab,
        words=words,
        pos=["NOUN", "VERB", "PROPN", "PUNCT"],
        heads=[1, 1, 1, 1],
        deps=["nsubj", "ROOT", "npadvmod", "punct"],
        lemmas=["official", "say", "Saturday", "."],
        ents=["O", "O", "B-DATE", "O"],
    )
    assert extract_dates(doc, Article(id="a", text=doc.text), rules) == []


# --- golden sentences (real model) ------------------------------------------------


def _match(c, e: dict) -> bool:
    return ("event" not in e or c.extra["event"]["verb"] == e["event"]) and ("value" not in e or c.value == e["value"])


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden_case_is_well_formed(case):
    assert case["text"]
    for e in case["expect"]:
        assert set(e) <= {"event", "value"} and e
    if case.get("published"):
        assert parse_published(case["published"]) is not None


@pytest.mark.slow
def test_golden_accuracy_floor_and_no_false_dates(nlp, rules):
    def claims_of(case: dict) -> list:
        art = Article(id=case["id"], text=case["text"], published=case.get("published"))
        return extract_dates(nlp(case["text"]), art, rules)

    found, total, wrong = golden_score(CASES, claims_of, _match)
    assert not wrong
    assert found / total >= FLOOR, f"{found}/{total} golden dates"


@pytest.mark.parametrize(
    "line,furniture",
    [
        ("Last updated on: November 11, 2011 19:04 IST", True),
        ("9 September 2013 Last updated at 14:39 GMT", True),
        ("Updated: 09 Sep 2013 11:25 GMT+02:00", True),
        ("Published: Monday 5 August 2013", True),
        ("Updated figures show 40 people died on Monday.", False),
        ("The page was last updated after the quake struck on Monday.", False),
    ],
)
def test_page_update_lines_are_page_furniture_not_event_dates(rules, line, furniture):
    from checker.ingest import boilerplate_spans

    assert bool(boilerplate_spans(line, rules.boilerplate)) is furniture


def test_an_event_reads_a_bounded_number_of_conjoined_participants():
    """A run-on list conjoins thousands of participants; each date's event reads only the first few,
    so the work per date stays constant (a 10,000-number sentence was quadratic)."""
    from checker.extract.common import children_with
    from checker.extract.events import MAX_ARGS, MAX_CONJOINED

    n = 60
    words = [f"P{i}" for i in range(n)] + ["met"]
    heads = [n] + [0] * (n - 1) + [n]
    deps = ["nsubj"] + ["conj"] * (n - 1) + ["ROOT"]
    doc = Doc(spacy.blank("en").vocab, words=words, heads=heads, deps=deps)
    everyone = children_with(doc[0], ("conj",))
    assert len(everyone) == n - 1 > MAX_ARGS
    assert children_with(doc[0], ("conj",), MAX_CONJOINED) == everyone[:MAX_CONJOINED]
    assert [t.i for t in children_with(doc[0], ("conj", "nsubj"), 3)] == [1, 2, 3]


def test_a_bare_clock_on_a_contest_end_reads_as_time_into_the_period():
    clock = parse_bare_clock("2:56", "The champion dropped him again in the sixth, and the referee waved it off at")
    assert clock == {"period": 6, "unit": None, "elapsed": [176, 176]}
    assert parse_bare_clock("at 1:05", "He went down late in the round and it was stopped") == {
        "period": None,
        "unit": None,
        "elapsed": [65, 65],
    }
    assert parse_bare_clock("2:56 p.m.") is None
    assert parse_bare_clock("two seconds remaining") is None


def test_remaining_and_elapsed_clocks_meet_through_the_period_length():
    left = {"period": 6, "unit": "round", "remaining": [2, 2], "length": 180}
    assert clocks_compatible({"period": 6, "unit": "round", "elapsed": [178, 178]}, left)
    assert clocks_compatible({"period": 6, "unit": "round", "elapsed": [177, 177]}, left)  # rounding
    assert clocks_compatible({"period": 6, "unit": "round", "elapsed": [176, 176]}, left) is False
    # A length given by one clock serves both; two lengths that differ serve neither.
    assert clocks_compatible({"period": 6, "elapsed": [176, 176]}, left) is False
    assert clocks_compatible({"period": 6, "elapsed": [176, 176], "length": 300}, left) is None


def _contest_claims(nlp, rules, texts: dict[str, str]):
    claims = []
    for aid, text in texts.items():
        claims += extract_dates(nlp(text), Article(id=aid, text=text), rules)
    stories = dict.fromkeys(texts, "s")
    return [c for c in claims if (c.extra.get("when") or {}).get("clock")], compare_dates(
        claims_table(link_people(claims, stories, rules), stories), rules
    )


def test_clocks_of_one_contest_end_meet_whoever_each_article_names(nlp, rules):
    clocks, conflicts = _contest_claims(
        nlp,
        rules,
        {
            "a": "In the boxing ring, referee Joe Hart stopped the fight 40 seconds into the eighth round.",
            "b": "Mills floored Dorn in the eighth round of the WBO bout and the fight was stopped at the 2:10 mark.",
            "c": "Mills stopped Dorn 40 seconds into the eighth round to keep his WBC belt.",
        },
    )
    assert {c.article: c.extra["when"]["clock"]["length"] for c in clocks} == {"a": 180, "b": 180, "c": 180}
    assert [(c.kind, sorted(v.value for v in c.values)) for c in conflicts] == [
        ("date", ["40 seconds into the eighth round", "the 2:10 mark"])
    ]


def test_clocks_of_fights_between_other_people_do_not_meet(nlp, rules):
    _, conflicts = _contest_claims(
        nlp,
        rules,
        {
            "a": "In boxing on Saturday, Mills stopped Dorn 40 seconds into the eighth round.",
            "b": "On the undercard, Pratt stopped Lomax 1:10 into the third round.",
        },
    )
    assert conflicts == []


def test_a_bare_clock_elsewhere_stays_a_time_of_day(nlp, rules):
    text = "The boxer arrived at the arena at 2:56 on Saturday."
    claims = extract_dates(nlp(text), Article(id="a", text=text), rules)
    assert all(not (c.extra.get("when") or {}).get("clock") for c in claims)


def test_a_clock_time_the_model_took_for_a_number_is_still_read(rules):
    # "3.45pm" tagged CARDINAL: the loose-time pattern still reads it as a time of day.
    words = ["The", "attack", "came", "at", "3.45pm", "on", "Tuesday", "."]
    doc = Doc(
        spacy.blank("en").vocab,
        words=words,
        pos=["DET", "NOUN", "VERB", "ADP", "NUM", "ADP", "PROPN", "PUNCT"],
        heads=[1, 2, 2, 2, 3, 4, 5, 2],
        deps=["det", "nsubj", "ROOT", "prep", "pobj", "prep", "pobj", "punct"],
        lemmas=["the", "attack", "come", "at", "3.45pm", "on", "Tuesday", "."],
        ents=["O", "O", "O", "O", "B-CARDINAL", "O", "B-DATE", "O"],
    )
    claims = extract_dates(doc, Article(id="a", text=doc.text), rules)
    assert [(c.text, c.value) for c in claims] == [("3.45pm", "T15:45"), ("Tuesday", "-W-2")]


def test_a_date_between_an_event_subject_and_its_verb_dates_the_subject(rules):
    # "The shooting of Ann Lee on Saturday sparked riots ." with "on Saturday" parsed onto "sparked".
    words = ["The", "shooting", "of", "Ann", "Lee", "on", "Saturday", "sparked", "riots", "."]
    doc = Doc(
        spacy.blank("en").vocab,
        words=words,
        pos=["DET", "NOUN", "ADP", "PROPN", "PROPN", "ADP", "PROPN", "VERB", "NOUN", "PUNCT"],
        heads=[1, 7, 1, 4, 2, 7, 5, 7, 7, 7],
        deps=["det", "nsubj", "prep", "compound", "pobj", "prep", "pobj", "ROOT", "dobj", "punct"],
        lemmas=["the", "shooting", "of", "Ann", "Lee", "on", "Saturday", "spark", "riot", "."],
        ents=["O", "O", "O", "B-PERSON", "I-PERSON", "O", "B-DATE", "O", "O", "O"],
    )
    claims = extract_dates(doc, Article(id="a", text=doc.text), rules)
    assert [(c.text, c.extra["event"]["verb"]) for c in claims] == [("Saturday", "shoot")]


def _event_date_conflicts(nlp, rules, texts: dict[str, str]):
    claims = []
    for aid, text in texts.items():
        claims += extract_dates(nlp(text), Article(id=aid, text=text), rules)
    stories = dict.fromkeys(texts, "s")
    return compare_dates(claims_table(link_people(claims, stories, rules), stories), rules)


def test_shot_and_killed_date_one_incident_for_a_shared_victim(nlp, rules):
    """rules/events.yaml ``incidents``: "shot" and "killed" of one named victim are one incident."""
    assert incident("kill", rules) == incident("shoot", rules) == "shoot"
    assert incident("die", rules) == "die"  # shot on Saturday, died on Monday: two events
    conflicts = _event_date_conflicts(
        nlp,
        rules,
        {
            "a": "The police officer shot Nikos Varvakis on Saturday in the city centre.",
            "b": "An officer killed Nikos Varvakis on Sunday night, witnesses said.",
        },
    )
    assert [(c.kind, sorted(v.value for v in c.values)) for c in conflicts] == [("date", ["Saturday", "Sunday night"])]


def test_killed_of_another_victim_is_another_incident(nlp, rules):
    conflicts = _event_date_conflicts(
        nlp,
        rules,
        {
            "a": "The police officer shot Nikos Varvakis on Saturday in the city centre.",
            "b": "Gunmen killed Petros Lampakis on Sunday in another town.",
        },
    )
    assert conflicts == []


def test_a_bare_surname_and_the_full_name_are_one_fighter_for_contest_clocks(rules):
    from checker.compare.dates import contest_groups
    from checker.models import Claim

    def name(article: str, start: int, value: str) -> Claim:
        return Claim(article, start, start + len(value), value, 0, 0, "name", value.lower(), value)

    def clock(article: str, names: list[str], spans: list) -> Claim:
        ev = {"verb": "stop", "args": names, "named": [True] * len(names), "arg_spans": spans}
        return Claim(article, 90, 94, "2:56", 0, 0, "date", "stop", "", extra={"event": ev})

    # "dorn" read from a bare word (no mention span): the linker makes it the story's one Dorn.
    a = clock("a", ["ray judd", "dorn"], [[0, 8], None])
    b = clock("b", ["lee mills", "ken dorn"], [[0, 9], [20, 28]])
    other = clock("c", ["pratt", "lomax"], [None, None])
    names = [name("a", 0, "Ray Judd"), name("b", 0, "Lee Mills"), name("b", 20, "Ken Dorn")]
    names += [name("c", 0, "Al Pratt"), name("c", 20, "Bo Lomax"), name("c", 40, "Cy Lomax")]
    stories = {"a": "s", "b": "s", "c": "s"}
    linked = [c for c in link_people([*names, a, b, other], stories, rules) if c.kind == "date"]
    assert [c.extra["event"]["args"] for c in linked] == [
        ["ray judd", "ken dorn"],
        ["lee mills", "ken dorn"],
        ["al pratt", "lomax"],  # two Lomaxes: the bare surname stays as written
    ]
    assert sorted(len(g) for g in contest_groups(linked)) == [1, 2]


def _event_of_date(nlp, rules, text: str, date_text: str) -> dict:
    claims = extract_dates(nlp(text), Article(id="a", text=text), rules)
    return next(c.extra["event"] for c in claims if c.text == date_text)


@pytest.mark.parametrize(
    "text",
    [
        "When the rocket attack came on the market at 4pm on Monday, Anna Berg said dozens were hurt.",
        "Anna Berg condemned Monday's rocket attack on the market.",
    ],
)
def test_a_speaker_is_not_a_participant_of_the_event_she_reports(nlp, rules, text):
    ev = _event_of_date(nlp, rules, text, "Monday")
    assert "anna berg" not in ev["args"]


def test_a_reporting_verb_that_reports_nothing_still_lends_its_subject(nlp, rules):
    # "insisted on staying silent": no reported clause, so the subject is the story's person.
    text = "Omar Diaz insisted on staying silent until June 2, 2004 when the family revealed the secret."
    ev = _event_of_date(nlp, rules, text, "June 2, 2004")
    assert "omar diaz" in ev["args"]


def test_ending_a_career_and_vanishing_from_view_date_one_retirement(nlp, rules):
    texts = {
        "a": "The singer Lena Moss ended her stage career in 1961 after a long illness.",
        "b": "The singer Lena Moss suddenly vanished from public view in 1963.",
    }
    conflicts = _event_date_conflicts(nlp, rules, texts)
    assert [sorted(v.value for v in c.values) for c in conflicts] == [["1961", "1963"]]
    # "by 1963" is any year up to 1963: no conflict with 1961.
    texts["b"] = "By 1963, the singer Lena Moss had vanished from public view."
    assert _event_date_conflicts(nlp, rules, texts) == []


def test_a_date_after_a_present_participle_modifier_dates_the_clause(nlp, rules):
    # "ships sailing the strait" is a state while the clause's event happens, not an event of its own.
    ev = _event_of_date(
        nlp, rules, "Marines boarded a tanker carrying crude oil through the strait on Sunday.", "Sunday"
    )
    assert ev["verb"] == "board"
    ev = _event_of_date(
        nlp, rules, "A frigate repelled a raid on cargo ships crossing the Red Sea on Sunday.", "Sunday"
    )
    assert ev["verb"] == "raid"
    # A past participle keeps its own date: the ship was built in 1990.
    ev = _event_of_date(nlp, rules, "A tanker built in 1990 sank off the coast on Monday.", "1990")
    assert ev["verb"] == "build"


def _lead_conflicts(nlp, rules, texts: dict[str, tuple[str, str]]):
    """Date conflicts of dated articles of one story: id -> (publication date, text)."""
    claims = []
    for aid, (published, text) in texts.items():
        claims += extract_dates(nlp(text), Article(id=aid, text=text, published=published), rules)
    stories = dict.fromkeys(texts, "s")
    return compare_dates(claims_table(link_people(claims, stories, rules), stories), rules)


def test_two_leads_dating_an_unnamed_event_to_different_days_conflict(nlp, rules):
    conflicts = _lead_conflicts(
        nlp,
        rules,
        {
            "a": ("Tue, 3 Mar 2015", "Rebels attack convoy\nA convoy was attacked near the border on Monday."),
            "b": ("Wed, 4 Mar 2015", "Convoy hit\nA convoy was attacked near the border on Tuesday, officials said."),
        },
    )
    assert [(c.kind, sorted(v.value for v in c.values)) for c in conflicts] == [("date", ["Monday", "Tuesday"])]


def test_reporting_day_against_event_day_is_no_lead_conflict(nlp, rules):
    # Both date the attack to Monday 2 March; b's Tuesday dates the statement.
    conflicts = _lead_conflicts(
        nlp,
        rules,
        {
            "a": ("Tue, 3 Mar 2015", "Rebels attack convoy\nA convoy was attacked near the border on Monday."),
            "b": ("Wed, 4 Mar 2015", "Convoy hit\nOfficials said on Tuesday that a convoy was attacked on Monday."),
        },
    )
    assert conflicts == []


def test_a_later_development_in_a_lead_is_no_conflict_with_the_event_day(nlp, rules):
    conflicts = _lead_conflicts(
        nlp,
        rules,
        {
            "a": ("Tue, 3 Mar 2015", "Man shot\nA man was shot dead outside a bar on Monday."),
            "b": ("Fri, 6 Mar 2015", "Suspect charged\nA suspect was charged on Thursday in the bar killing."),
        },
    )
    assert conflicts == []


def test_clock_times_in_leads_meet_under_rounding_and_recurring_events_stay_apart(nlp, rules):
    rounded = _lead_conflicts(
        nlp,
        rules,
        {
            "a": ("Mon, 2 Mar 2015", "Quake felt\nAn earthquake struck the valley at about 9:30 a.m. Sunday."),
            "b": ("Mon, 2 Mar 2015", "Valley shaken\nAn earthquake struck the valley at 9:27 a.m. Sunday."),
        },
    )
    assert rounded == []
    # b itself dates the class twice apart (a quake and an aftershock): leads may be of either.
    recurring = _lead_conflicts(
        nlp,
        rules,
        {
            "a": ("Mon, 2 Mar 2015", "Quake felt\nAn earthquake struck the valley on Sunday."),
            "b": (
                "Wed, 4 Mar 2015",
                "Valley shaken again\nAn aftershock struck the valley on Tuesday.\nA strong quake struck it on Sunday.",
            ),
        },
    )
    assert recurring == []


def test_a_dateline_above_the_lead_is_not_a_time_of_its_event(nlp, rules):
    text = "AGENCY Nov 12, 2011, 05.51AM IST DELHI:\nA navy ship on Thursday intercepted three boats with 20 pirates."
    claims = extract_dates(nlp(text), Article(id="a", text=text, published="Nov 12, 2011"), rules)
    lead = [c.text for c in claims if c.extra.get("lead")]
    assert "Thursday" in lead and not any("05.51" in t or "2011" in t for t in lead)


def test_a_lead_saying_its_event_repeats_is_no_conflict(nlp, rules):
    conflicts = _lead_conflicts(
        nlp,
        rules,
        {
            "a": ("Sun, 8 Mar 2015", "Riot in city\nProtesters clashed with police in the city centre on Saturday."),
            "b": ("Mon, 9 Mar 2015", "Riot again\nProtesters clashed with police again in the city centre on Sunday."),
        },
    )
    assert conflicts == []
    # Without "again" the same two leads are one event dated two ways.
    assert _lead_conflicts(
        nlp,
        rules,
        {
            "a": ("Sun, 8 Mar 2015", "Riot in city\nProtesters clashed with police in the city centre on Saturday."),
            "b": ("Mon, 9 Mar 2015", "Riot in city\nProtesters clashed with police in the city centre on Sunday."),
        },
    )
