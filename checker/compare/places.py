"""Judge location claims: places that cannot both be where one thing is.

Claims meet on (story, subject): the same event (as for dates: one event
class with a named participant in common; a quake, which names no one, is
one per story), the same located thing ("location of djibouti"), or the
same anchor of a bearing ("position relative to aden"). Two places conflict
only when they are known apart: both are known to rules/places.yaml and
neither contains the other ("West Papua" / "Papua"; Djibouti "in Ivory
Coast" / "on the Horn of Africa"); both are in the gazetteer
(``checker.places``: cities, regions, countries), of comparable kinds, and
no reading of one contains the other or lies within a metro distance of it
("Paris" / "Germany", but not "Beverly Hills" / "Los Angeles"); two streets
of different names; or sites of one name that are different kinds of site
("the Watergate hotel" / "the Watergate office buildings"). A place known to
neither is never called wrong, nor is water or a site against an area, and
"near"/"off" places never conflict. Bearings conflict when they are more
than 45 degrees apart at distances within 20% of each other, or opposite
(more than 90 degrees apart) when one gives no distance.
"""

from __future__ import annotations

import re
from collections import defaultdict
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

from checker.compare.dates import _conflict, event_groups, main_participant, value_groups
from checker.compare.quantities import contains
from checker.models import Claim, Conflict
from checker.places import head_kind, near_each_other, street_name
from checker.places import relation as gazetteer_relation
from checker.unionfind import components

if TYPE_CHECKING:
    import pandas as pd

    from checker.rules import Rules

# Events that name no participant but are one per story: a quake series.
UNNAMED_EVENTS = {"strike"}
COMPOUNDS = {"complex", "compound", "campus", "estate"}
ANGLES = {
    "north": 0,
    "north-east": 45,
    "east": 90,
    "south-east": 135,
    "south": 180,
    "south-west": 225,
    "west": 270,
    "north-west": 315,
    "northeast": 45,
    "southeast": 135,
    "southwest": 225,
    "northwest": 315,
}


def known_places(rules: Rules) -> set[str]:
    """Every place rules/places.yaml names (aliases, containers, contents)."""
    out = set(rules.lookups["place"])
    for outer, inner in rules.places.contains.items():
        out.add(outer.lower())
        out.update(x.lower() for x in inner)
    return {rules.lookup("place", p) or p for p in out}


def places_compatible(a: Claim, b: Claim, rules: Rules, known: set[str]) -> bool:
    """Can both places be where the thing is?

    Compatible unless known apart: both named in rules/places.yaml with
    neither inside the other; both in the gazetteer, of area kinds, with no
    reading of one inside or near a reading of the other (``places.relation``);
    two streets of different names; or sites of one name but different kinds.
    """
    if a.extra.get("relation") == "near" or b.extra.get("relation") == "near":
        return True
    p, q = a.value, b.value
    if p == q or contains(p, q, rules) or contains(q, p, rules):
        return True
    rel = gazetteer_relation(p, q)
    if rel in ("same", "outer", "inner"):
        return True
    sa, sb = p.split(), q.split()
    if a.extra.get("site") and b.extra.get("site"):
        stem_a, stem_b = sa[:-1], sb[:-1]
        kind_a, kind_b = sa[-1].rstrip("s"), sb[-1].rstrip("s")
        shared = set(stem_a) & set(stem_b)
        return not (shared and kind_a != kind_b and not ({sa[-1], sb[-1]} & COMPOUNDS))
    if "water" in (head_kind(p), head_kind(q)):
        return True  # a sea and a coast or a country are not two answers to one question
    if p in known and q in known:
        return near_each_other(p, q)  # "Beverly Hills" / "Los Angeles": one metro area
    if head_kind(p) == head_kind(q) == "street":
        return street_name(p) == street_name(q)
    return rel != "apart"


def _angle(c: Claim) -> float:
    """A bearing's angle: kept by the extractor (16 points), else from the 8-point name."""
    angle = c.extra.get("angle")
    return float(angle) if angle is not None else float(ANGLES.get(c.value, ANGLES.get(c.value.replace("-", ""), 0)))


def _bearing_ok(a: Claim, b: Claim) -> bool:
    """Can both bearings from one anchor place one point?

    At distances within 20% of each other the bearings must agree within 45
    degrees; at distances far apart they are two points. A bearing without a
    distance ("north of Santa Rosa") covers the quarter of the compass around
    its direction, so only an opposite one ("south of Santa Rosa", more than
    90 degrees away) placing the same event (the quake struck) contradicts it:
    without a distance, "north of X" and "south of X" are as often two things.
    """
    da, db = a.extra.get("distance_km"), b.extra.get("distance_km")
    diff = abs(_angle(a) - _angle(b)) % 360
    diff = min(diff, 360 - diff)
    if da is None or db is None:
        ea, eb = a.extra.get("event_class"), b.extra.get("event_class")
        return diff <= 90 or not ea or ea != eb
    if abs(da - db) > 0.2 * max(da, db):
        return True  # different points
    return diff <= 45


def compare_places(df: pd.DataFrame, rules: Rules) -> list[Conflict]:
    """Location conflicts in the claim table (all stories)."""
    sub = df[df["kind"] == "location"]
    known = known_places(rules)
    keyed: dict[tuple[str, str], list[Claim]] = defaultdict(list)
    events: dict[tuple[str, str], list[Claim]] = defaultdict(list)
    facts = sub["fact"] if "fact" in sub else [None] * len(sub)
    shown = dict(zip(sub["fact"], sub["fact_subject"])) if "fact" in sub else {}
    for story, claim, fact in zip(sub["story"], sub["claim"], facts):
        ev = claim.extra.get("event")
        if fact:
            keyed[(story, fact)].append(claim)  # aligned: one fact, compared whole
        elif ev:
            events[(story, ev.get("verb", ""))].append(claim)
        else:
            keyed[(story, claim.subject)].append(claim)
    out: list[Conflict] = []
    contained = {
        rules.lookup("place", x.lower()) or x.lower() for inner in rules.places.contains.values() for x in inner
    }
    for (story, subject), claims in sorted(keyed.items()):
        # "France in Wales" is a match, not a map: where a place is can only be
        # judged for places the rules put inside another.
        claims = [c for c in claims if not c.extra.get("inner") or c.extra["inner"] in contained]
        if len({(c.article, c.start) for c in claims}) < 2:
            continue
        if claims[0].extra.get("relation") == "bearing":
            # A bearing from a name not known as a place is kept, not judged:
            # two events can lie either side of one landmark.
            claims = [c for c in claims if c.extra.get("anchor_known", True)]
            if len({(c.article, c.start) for c in claims}) < 2:
                continue
            groups = value_groups(sorted(claims, key=lambda c: (c.article, c.start)), _bearing_ok)
        else:
            groups = value_groups(_order(claims), lambda a, b: places_compatible(a, b, rules, known))
        if len(groups) > 1:
            out.append(_conflict("location", story, shown.get(subject) or subject, groups))
    for (story, verb), claims in sorted(events.items()):
        parts = event_groups(claims, rules)
        if verb in UNNAMED_EVENTS:
            unnamed = [c for c in claims if not any(c.extra["event"].get("named", []))]
            if len({(c.article, c.start) for c in unnamed}) > 1:
                parts.append(unnamed)
        for group in parts:
            groups = value_groups(_order(group), lambda a, b: places_compatible(a, b, rules, known))
            if len(groups) > 1:
                who = main_participant(group)
                out.append(_conflict("location", story, f"{verb} {who}".strip(), groups))
    out.extend(street_spellings(sub))
    return out


# Street types whose name is the street's own (not "court", "place", "square": "District Court").
STREET_TYPES = frozenset(
    {"street", "road", "avenue", "boulevard", "lane", "drive", "highway", "terrace", "parkway", "crescent", "alley"}
)
RX_STREET = re.compile(
    r"\b((?:[a-z][a-z'.-]*\s+){1,3})(" + "|".join(sorted(STREET_TYPES)) + r"|st|rd|ave|blvd|ln|dr|hwy)\b"
)

NOT_STREET_NAME = frozenset({"of", "the", "on", "at", "in", "a", "an", "block", "near", "off", "and"})


def street_of(value: str) -> tuple[str, str] | None:
    """(name, type) of the street a place names ("24 Independent Street apartment" -> ("independent", "street"))."""
    m = RX_STREET.search(street_name(value))
    if not m:
        return None
    words = m.group(1).split()
    # "the 12000 block of Roosevelt Boulevard": the name is what follows the last function word.
    while any(w in NOT_STREET_NAME for w in words):
        words = words[1:]
    name, kind = " ".join(words), street_name(m.group(2))
    return (name, kind) if kind in STREET_TYPES and len(name.replace(" ", "")) >= 4 else None


def near_spelling(a: str, b: str) -> bool:
    """Two spellings of one name: as many words, and 80% of the letters in common ("Philip" / "Phillips")."""
    if len(a.split()) != len(b.split()):
        return False
    return SequenceMatcher(None, a, b).ratio() >= 0.8


def street_spellings(sub: pd.DataFrame) -> list[Conflict]:
    """Streets of one story spelled two ways ("Independent Street" / "Independence Street").

    An event's street is named in many sentences that no event links (the
    body found, the stove left, the arrest): one story naming two streets of
    nearly one name ("Philip Street" / "Phillips Road") names one street, and
    one spelling or type is wrong. Different names ("Elm Street" / "Oak
    Street"), numbers ("42nd" / "43rd") and one name inside another are two streets.
    """
    by_story: dict[str, list[tuple[tuple[str, str], Claim]]] = defaultdict(list)
    for story, claim in zip(sub["story"], sub["claim"]):
        st = street_of(claim.value)
        if st is not None:
            by_story[story].append((st, claim))
    out: list[Conflict] = []
    for story, items in sorted(by_story.items()):
        streets = sorted({st for st, _ in items})
        links = (
            (i, j)
            for i in range(len(streets))
            for j in range(i + 1, len(streets))
            if near_spelling(streets[i][0], streets[j][0])
        )
        for family in ([streets[i] for i in comp] for comp in components(len(streets), links)):
            if len(family) < 2:
                continue
            groups = [[c for st, c in items if st == f] for f in family]
            groups = [sorted(g, key=lambda c: (c.article, c.start)) for g in groups]
            if len({(c.article, c.start) for g in groups for c in g}) < 2:
                continue
            out.append(_conflict("location", story, "spelling of " + " ".join(family[0]), groups))
    return out


def _order(claims: list[Claim]) -> list[Claim]:
    """Exact places first, sites before areas, then text order (stable groups)."""
    return sorted(
        claims, key=lambda c: (c.extra.get("relation") == "near", not c.extra.get("site"), c.article, c.start)
    )
