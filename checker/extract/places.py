"""Location claims: where an event happened, where a place is, and bearings.

Three readings, all from the parse around spaCy's place entities (GPE, LOC,
FAC) and site nouns ("the Watergate hotel", "a break room"):

* where an event happened: the place in a locative phrase on the event's
  verb ("clashed in the Kursk region"), the place an impact verb hits ("the
  quakes shook Papua", "West Papua was hit by a quake"), or a place on an
  event noun ("the epicenter in Papua province"). Subject: the event.
* where a place or a named thing is: "Djibouti in Ivory Coast", "Santa
  Rosa, California", "Manokwari, the capital of West Papua", "the DNC's
  headquarters in the Watergate hotel". Subject: "location of <it>".
* a bearing from a place: "150 nautical miles west of Aden". Subject:
  "position relative to aden"; the value is the bearing, the distance is
  kept to tell apart points at different distances.

Place names are normalized through rules/places.yaml aliases
(``common.canonical_place``); "near", "off" and "outside" places are kept
but never conflict (they say where something is not exactly).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from checker.extract.common import canonical_place, doc_text, ent_at, ents_within, per_rules
from checker.extract.events import Participants, event_of, mentions_of, predicate_of
from checker.models import Claim
from checker.places import head_kind, is_place_name, norm
from checker.places import lookup as gazetteer_lookup

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from checker.models import Article
    from checker.rules import Rules

PLACE_LABELS = {"GPE", "LOC", "FAC"}
EXACT_PREPS = {"in", "at", "inside", "within", "throughout", "on"}
NEAR_PREPS = {"near", "off", "outside", "around", "close", "beside", "by", "between", "beyond"}
#: Prepositions that only ever take a place: their capitalised object is a
#: place even when the model tags it as an organisation or tags nothing
#: ("just off Alexandra", "near The Geysers").
SPATIAL_PREPS = {"near", "off", "outside", "beyond"}
#: Nouns naming a part or side of a place: "off the coast of Sicily", "in the
#: outskirts of Paris" locate the event in (or near) the place itself.
PART_NOUNS = {
    "coast",
    "coastline",
    "shore",
    "shores",
    "waters",
    "outskirts",
    "edge",
    "heart",
    "centre",
    "center",
    "north",
    "south",
    "east",
    "west",
    "northeast",
    "northwest",
    "southeast",
    "southwest",
    "part",
    "parts",
    "area",
    "vicinity",
    "suburbs",
    "streets",
    "border",
    "borders",
    "middle",
    "interior",
    "tip",
    "side",
    "mouth",
    "banks",
    "bank",
    "environs",
    "rest",
    "city",
    "town",
    "village",
    "capital",
    "island",
    "islands",
}
#: Entity labels that are never a place, whatever the preposition.
NUMERIC_LABELS = {"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"}
NOT_PLACE_LABELS = NUMERIC_LABELS | {"NORP", "LANGUAGE", "LAW"}
WORD_NUMBERS = {
    "a": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "hundred": 100,
}
#: The sixteen compass points, clockwise from north.
POINTS = [
    "north",
    "north-northeast",
    "northeast",
    "east-northeast",
    "east",
    "east-southeast",
    "southeast",
    "south-southeast",
    "south",
    "south-southwest",
    "southwest",
    "west-southwest",
    "west",
    "west-northwest",
    "northwest",
    "north-northwest",
]
CARDINAL_ANGLES = {"north": 0.0, "east": 90.0, "south": 180.0, "west": 270.0}
IMPACT_VERBS = {"hit", "strike", "rattle", "shake", "rock", "jolt", "devastate", "flatten", "batter", "level"}
AREA_WORDS = ("region", "province", "oblast", "state", "county", "district", "island", "islands", "regency")
CAPITAL_WORDS = {"capital", "city", "town", "village", "port", "province", "region", "state", "district", "suburb"}
DIST_UNITS = {
    "km": 1.0,
    "kilometres": 1.0,
    "kilometers": 1.0,
    "kilometre": 1.0,
    "kilometer": 1.0,
    "kms": 1.0,
    "miles": 1.609,
    "mile": 1.609,
    "mi": 1.609,
    "nautical": 1.852,
    "nm": 1.852,
}


def _place_text(doc: Doc, ent: Span) -> tuple[str, int, int]:
    """A place entity with the area word after it ("Kursk region", "West Papua province")."""
    end = ent.end
    if end < len(doc) and doc[end].lower_ in AREA_WORDS:
        end += 1
    toks = [t for t in doc[ent.start : end] if t.text not in ("'s", "’s")]
    start_char = toks[0].idx
    end_char = toks[-1].idx + len(toks[-1].text)
    return doc_text(doc)[start_char:end_char], start_char, end_char


def _site_np(tok: Token, rules: Rules) -> tuple[str, int, int] | None:
    """A site noun phrase ("the Watergate office buildings", "a break room")."""
    sites = set(rules.places.site_words)
    if tok.lower_ not in sites and tok.lemma_.lower() not in sites:
        return None
    mods = [c for c in tok.children if c.dep_ in ("compound", "amod", "nmod") and c.i < tok.i]
    start = min([tok.i] + [m.left_edge.i for m in mods])
    toks = [t for t in tok.doc[start : tok.i + 1] if t.pos_ not in ("DET", "PRON") and t.text not in ("'s", "’s")]
    if not toks:
        return None
    text = " ".join(t.lower_ for t in toks)
    return text, toks[0].idx, tok.idx + len(tok.text)


def _prep_of(tok: Token) -> Token | None:
    """The preposition a place phrase hangs off ("in" for "in the eastern Kursk region")."""
    node = tok
    for _ in range(4):
        # A title-case headline tags "Outside" as a proper noun; its dependency still says preposition.
        if node.dep_ == "pobj" and (node.head.pos_ == "ADP" or node.head.dep_ == "prep"):
            return node.head
        # "between Sicily and Tunisia": a conjoined place shares the first one's preposition.
        if node.dep_ in ("compound", "amod", "appos", "poss", "conj") and node.head != node:
            node = node.head
            continue
        break
    return None


def _key_noun(noun: Token, parts: Participants, site: bool = False) -> str | None:
    """A named thing a place is given for: "the DNC's headquarters", "Felt's home".

    People are not given places: they move, so "Syhiha in Kyiv" and
    "Syhiha in Paris" are two days, not two claims about one thing. A name
    the text calls a site (``site``: "Fakhura, a school") is no person, even
    when it was taken for a possible one.
    """
    if (parts.person(noun) is not None and not site) or noun.ent_type_ in NUMERIC_LABELS | {"PERSON"}:
        return None
    poss = [c for c in noun.children if c.dep_ == "poss"]
    if poss:
        p = poss[0]
        m = parts.person(p)
        if m is None and p.lower_ in ("his", "her"):
            m = parts.antecedent(p)
        if m is not None:
            return f"{m.name.lower()}'s {noun.lemma_.lower()}"
        if p.ent_type_ in ("ORG", "NORP", "GPE", "PERSON", "PRODUCT"):
            ent = next((e for e in ents_within(p.sent) if e.start <= p.i < e.end), None)
            name = ent.text if ent is not None else p.text
            name = re.sub(r"(’s|'s)$", "", name).strip().lower()
            name = re.sub(r"^the\s+", "", name)
            return f"{name} {noun.lemma_.lower()}"
    if noun.pos_ == "PROPN" or noun.ent_type_ in PLACE_LABELS | {"ORG", "PRODUCT"}:
        ent = next((e for e in ents_within(noun.sent) if e.start <= noun.i < e.end), None)
        return (ent.text if ent is not None else noun.text).lower()
    return None


def extract_places(doc: Doc, article: Article, rules: Rules) -> list[Claim]:
    """Location claims for one article."""
    parts = Participants(doc, mentions_of(doc, article, rules))
    claims: list[Claim] = []
    seen: set[tuple[int, int, str]] = set()

    def add(
        start: int, end: int, text: str, sent: Span, subject: str, value: str, extra: dict, display: str | None = None
    ) -> None:
        key = (start, end, subject)
        if key in seen or not value or not subject or not article.is_checked(start, end):
            return
        seen.add(key)
        claims.append(
            Claim.in_sentence(
                article, sent, start, end, text, "location", subject, value, display=display or text, extra=extra
            )
        )

    for ent in doc.ents:
        if ent.label_ not in PLACE_LABELS:
            continue
        text, s, e = _place_text(doc, ent)
        place = canonical_place(text, rules)
        sent = ent.sent
        _containment(doc, ent, place, text, s, e, rules, add)
        _event_place(ent.root, place, text, s, e, sent, parts, rules, add)
    # Places the model did not tag as places, in a place phrase.
    for tok, (text, s, e) in _untagged_places(doc, rules):
        _event_place(tok, canonical_place(text, rules), text, s, e, tok.sent, parts, rules, add)
    _bearings_from(doc, rules, add)
    # Site nouns without an entity ("a break room", "the Watergate hotel").
    for tok in doc:
        if tok.pos_ not in ("NOUN", "PROPN") or tok.ent_type_ in PLACE_LABELS:
            continue
        site = _site_np(tok, rules)
        if site is None or _prep_of(tok) is None:
            continue
        text, s, e = site
        if not any(t.pos_ == "PROPN" for t in doc[tok.left_edge.i : tok.i]):
            # A generic site ("his home") is kept only on an event, never keyed alone.
            _event_place(tok, text, doc_text(doc)[s:e], s, e, tok.sent, parts, rules, add, site_only=True)
            continue
        _event_place(tok, text, doc_text(doc)[s:e], s, e, tok.sent, parts, rules, add)
    return claims


def _containment(doc: Doc, ent: Span, place: str, text: str, s: int, e: int, rules: Rules, add) -> None:
    """Where a place is: "Djibouti in Ivory Coast", "Santa Rosa, California", "Manokwari, the capital of West Papua"."""
    sent = ent.sent
    nxt = ent.end
    if _in_list(doc, ent):
        return
    # PLACE in/on PLACE, PLACE, PLACE
    if nxt + 1 < sent.end and doc[nxt].lower_ in ("in", "on", ","):
        k = nxt + 1
        while k < sent.end and doc[k].lower_ in ("the",):
            k += 1
        other = next((x for x in ents_within(sent) if x.start == k and x.label_ in PLACE_LABELS), None)
        # The second place must hang off the first ("Djibouti in Ivory Coast"),
        # not off a verb ("to aid Russia in Ukraine").
        attached = (
            doc[nxt].head.i in range(ent.start, ent.end)
            or other is not None
            and other.root.head.i in range(ent.start, ent.end)
        )
        if other is not None and (attached or place in _contained(rules)):
            otext, _, oe = _place_text(doc, other)
            outer = canonical_place(otext, rules)
            if outer != place:
                add(
                    s,
                    oe,
                    doc_text(doc)[s:oe],
                    sent,
                    f"location of {place}",
                    outer,
                    {"relation": "in", "place": outer, "inner": place},
                )
    # PLACE, the capital/main city of PLACE
    if nxt + 2 < sent.end and doc[nxt].text == ",":
        k = nxt + 1
        window = doc[k : min(sent.end, k + 8)]
        if any(t.lower_ in CAPITAL_WORDS for t in window) and any(t.lower_ == "of" for t in window):
            of = next(t for t in window if t.lower_ == "of")
            other = next(
                (x for x in ents_within(sent) if x.start in (of.i + 1, of.i + 2) and x.label_ in PLACE_LABELS), None
            )
            if other is not None:
                otext, _, oe = _place_text(doc, other)
                outer = canonical_place(otext, rules)
                if outer != place:
                    add(
                        s,
                        oe,
                        doc_text(doc)[s:oe],
                        sent,
                        f"location of {place}",
                        outer,
                        {"relation": "in", "place": outer, "inner": place},
                    )
    # PLACE's main city of PLACE
    prev = ent.start - 1
    if prev > sent.start + 2 and doc[prev].lower_ == "of" and doc[prev - 1].lower_ in CAPITAL_WORDS:
        k = prev - 2
        while k >= sent.start and doc[k].pos_ in ("ADJ",):
            k -= 1
        if k >= sent.start and doc[k].text in ("'s", "’s"):
            owner = next((x for x in ents_within(sent) if x.end == k and x.label_ in PLACE_LABELS), None)
            if owner is not None:
                outer = canonical_place(owner.text, rules)
                if outer != place:
                    add(
                        owner.start_char,
                        e,
                        doc_text(doc)[owner.start_char : e],
                        sent,
                        f"location of {place}",
                        outer,
                        {"relation": "in", "place": outer, "inner": place},
                    )


def _contained(rules: Rules) -> set[str]:
    """Places rules/places.yaml puts inside another (whose whereabouts can be checked)."""
    return per_rules(
        rules,
        "contained",
        lambda: {
            rules.lookup("place", x.lower()) or x.lower() for inner in rules.places.contains.values() for x in inner
        },
    )


def _bearings(rules: Rules) -> dict[str, str]:
    """Bearing word (and its forms) -> bearing, from rules/places.yaml."""
    return per_rules(
        rules,
        "bearings",
        lambda: {s.lower(): b for b, forms in rules.places.bearings.items() for s in [b, *forms] if len(s) > 2},
    )


def _in_list(doc: Doc, ent: Span) -> bool:
    """Is the place one item of a list ("Indonesia, Sri Lanka, India and ...")?"""
    sent = ent.sent
    places = [e for e in ents_within(sent) if e.label_ in PLACE_LABELS]
    idx = next((i for i, e in enumerate(places) if e.start == ent.start), None)
    if idx is None:
        return False

    def joined(a: Span, b: Span) -> bool:
        gap = doc[a.end : b.start]
        return (
            len(gap) <= 2
            and all(t.text in (",", "and", "or") for t in gap)
            and any(t.lower_ in ("and", "or") for t in gap)
        )

    def comma(a: Span, b: Span) -> bool:
        gap = doc[a.end : b.start]
        return len(gap) == 1 and gap[0].text == ","

    # Three or more places joined by commas, or any joined by "and"/"or".
    run = [idx]
    k = idx
    while k + 1 < len(places) and (comma(places[k], places[k + 1]) or joined(places[k], places[k + 1])):
        k += 1
        run.append(k)
    k = idx
    while k - 1 >= 0 and (comma(places[k - 1], places[k]) or joined(places[k - 1], places[k])):
        k -= 1
        run.append(k)
    linked = any(joined(places[i], places[i + 1]) for i in range(min(run), max(run)) if i + 1 < len(places))
    return len(run) >= 3 or linked


def _compass(words: list[str], lookup: dict[str, str]) -> float | None:
    """The angle of compass words ("north-northeast", "east southeast": 22.5, 112.5), or None.

    Two cardinal words next to each other make an intercardinal ("south east"
    = southeast), merged from the right; what is left is averaged with it
    ("east" + "southeast").
    """
    angles: list[float] = []
    for w in words:
        b = lookup.get(w)
        if b is None:
            return None
        angles.append(_angle_of(b))
    # Merge a trailing pair of cardinals into their intercardinal.
    if len(angles) >= 2 and all(words[i] in CARDINAL_ANGLES for i in (-1, -2)):
        a, b = angles[-2], angles[-1]
        if abs(a - b) in (90.0, 270.0):
            angles[-2:] = [_mean_angle(a, b)]
    if len(angles) > 2:
        return None
    return angles[0] if len(angles) == 1 else _mean_angle(*angles)


def _angle_of(bearing: str) -> float:
    b = bearing.replace("-", "")
    return float(POINTS.index(b) * 22.5) if b in POINTS else 0.0


def _mean_angle(a: float, b: float) -> float:
    if abs(a - b) > 180:
        a, b = (a + 360, b) if a < b else (a, b + 360)
    return ((a + b) / 2) % 360


def _of_object(of: Token, rules: Rules) -> tuple[str, int, int, bool] | None:
    """The place after a bearing's "of": a place entity or a capitalised name ("of The Geysers"),
    and whether it is known as a place (tagged by the model, or in the rules or the gazetteer)."""
    doc = of.doc
    objs = [c for c in of.children if c.dep_ == "pobj"]
    k = of.i + 1
    while k < of.sent.end and (doc[k].pos_ == "DET" or doc[k].lower_ in CAPITAL_WORDS or doc[k].lower_ == "of"):
        k += 1
    tok = (
        objs[0]
        if objs and (objs[0].pos_ == "PROPN" or objs[0].ent_type_ in PLACE_LABELS)
        else (doc[k] if k < of.sent.end else None)
    )
    if tok is None:
        return None
    ent = next((x for x in ents_within(of.sent) if x.start <= tok.i < x.end), None)
    if ent is not None and ent.label_ in PLACE_LABELS:
        return (*_place_text(doc, ent), True)
    if tok.pos_ != "PROPN" or not tok.text[:1].isupper() or tok.ent_type_ in NOT_PLACE_LABELS:
        return None
    span = _proper_span(tok)
    text = doc_text(doc)[span[0] : span[1]]
    known = _known(text, rules)
    if tok.ent_type_ == "PERSON" and not known:
        return None
    return text, span[0], span[1], known


def _bearings_from(doc: Doc, rules: Rules, add) -> None:
    """Bearing and distance from a place: "150 nautical miles west of Aden", "14 miles
    north-northeast of Healdsburg"."""
    lookup = _bearings(rules)
    for of in doc:
        if of.lower_ != "of" or of.i == of.sent.start:
            continue
        j = of.i - 1
        words: list[str] = []
        while j >= of.sent.start and (doc[j].lower_ in lookup or (doc[j].text == "-" and words)):
            if doc[j].text != "-":
                words.insert(0, doc[j].lower_)
            j -= 1
        j += 1
        if doc[j].text == "-":
            j += 1
        if not words or (j > of.sent.start and doc[j - 1].lower_ in ("the", "a", "an")):
            continue  # "in the south of France" is a part of France, not a bearing from it
        angle = _compass(words, lookup)
        obj = _of_object(of, rules)
        if angle is None or obj is None:
            continue
        text, _, end, known = obj
        place = canonical_place(text, rules)
        bearing = POINTS[int(round(angle / 22.5)) % 16]
        dist, start = None, doc[j].idx
        window = doc[max(of.sent.start, j - 6) : j]
        for t in window:
            n = _number(t)
            if n is None:
                continue
            unit = next((DIST_UNITS[x.lower_] for x in doc[t.i + 1 : t.i + 3] if x.lower_ in DIST_UNITS), None)
            if unit is not None:
                dist, start = n * unit, t.idx
                break
        # The event the bearing places ("struck ... north of X"), by class: an opposite
        # bearing without a distance contradicts it only for the same event.
        pred = predicate_of(doc[j], rules)
        event = rules.lookups["event"].get(pred.lemma_.lower(), pred.lemma_.lower()) if pred is not None else None
        add(
            start,
            end,
            doc_text(doc)[start:end],
            of.sent,
            f"position relative to {place}",
            bearing,
            {
                "relation": "bearing",
                "bearing": bearing,
                "angle": angle,
                "distance_km": dist,
                "anchor": place,
                "anchor_known": known,
                "event_class": event,
            },
        )


def _number(t: Token) -> float | None:
    if t.lower_ in WORD_NUMBERS and t.lower_ != "a":
        return float(WORD_NUMBERS[t.lower_])
    if t.like_num:
        try:
            return float(t.text.replace(",", ""))
        except ValueError:
            return None
    return None


def _proper_span(tok: Token) -> tuple[int, int]:
    """Character span of a proper name ending at ``tok``: its capitalised compound words."""
    start = tok
    for c in sorted(tok.children, key=lambda c: -c.i):
        if c.dep_ == "compound" and c.i == start.i - 1 and c.pos_ == "PROPN" and c.text[:1].isupper():
            start = c
    return start.idx, tok.idx + len(tok.text)


def _known(text: str, rules: Rules) -> bool:
    """Do the rules or the gazetteer know the name as a place?"""
    place = canonical_place(text, rules)
    return bool(rules.lookup("place", place)) or place in _contained(rules) or is_place_name(place)


def _own_place_name(text: str) -> bool:
    """The gazetteer holds a place whose own name (not an alternate one) is ``text``.

    Alternate names reach far ("Google" is an old name of Topeka): a word the
    model read as an organisation needs the place's main name to count as one.
    """
    key = norm(text)
    return any(norm(p.name) == key for p in gazetteer_lookup(text))


def _untagged_places(doc: Doc, rules: Rules):
    """(token, (text, start, end)) for capitalised place names the model did not tag as places.

    The object of a place preposition is a place when the preposition only
    takes places ("off", "near", "outside", "beyond"); when the model tagged
    nothing (or not a person or an organisation) and the gazetteer or the
    rules know the name, or its last word says so ("Phillips Road",
    "Mediterranean Sea"); or when the model saw a person but the name is a
    known place after "in", "near", "off" or "outside". An organisation
    needs one of the place-only prepositions: clubs and firms are named for
    towns ("at Chelsea").
    """
    seen: set[int] = set()
    for tok in doc:
        if tok.pos_ == "NOUN" and tok.dep_ == "pobj" and tok.head.lower_ in SPATIAL_PREPS:
            # "near The Geysers geothermal steamfields": a named feature.
            names = sorted(
                (
                    c
                    for c in tok.children
                    if c.dep_ in ("compound", "nmod") and c.pos_ == "PROPN" and c.text[:1].isupper()
                ),
                key=lambda c: c.i,
            )
            if names and names[0].ent_type_ not in NOT_PLACE_LABELS | {"PERSON"}:
                s, e = names[0].idx, tok.idx + len(tok.text)
                seen.add(s)
                yield tok, (doc_text(doc)[s:e], s, e)
            continue
        if _named_site(tok, rules):
            # "Three shells hit Fakhura, a girls' school": the apposition says it is a site.
            ent = ent_at(tok)
            s, e = (
                (doc[ent.start].idx, tok.idx + len(tok.text))
                if ent is not None and ent.end == tok.i + 1
                else _proper_span(tok)
            )
            seen.add(s)
            yield tok, (doc_text(doc)[s:e], s, e)
            continue
        if tok.pos_ != "PROPN" or not tok.text[:1].isupper() or tok.ent_type_ in PLACE_LABELS | NOT_PLACE_LABELS:
            continue
        if tok.dep_ == "compound" and tok.head.pos_ == "PROPN":
            continue  # the last word of the name stands for it
        prep = _prep_of(tok)
        if prep is None or tok.dep_ not in ("pobj", "conj"):
            continue
        p = prep.lower_
        if p not in EXACT_PREPS and p not in NEAR_PREPS and not _as_far_as(prep):
            continue
        s, e = _proper_span(tok)
        if s in seen:
            continue
        text = doc_text(doc)[s:e]
        known = _known(text, rules)
        label = tok.ent_type_
        if label == "PERSON":
            ok = known and p in ("in", "near", "off", "outside")
        elif label == "ORG":
            # A club or a firm is named for its town ("at Chelsea", "at Google"); but "in" a
            # name the gazetteer holds as a place's own name ("the fight in Bern") is the place.
            ok = p in SPATIAL_PREPS or (p == "in" and _own_place_name(text))
        else:
            ok = known or p in SPATIAL_PREPS or _as_far_as(prep) or head_kind(text) in ("street", "water")
        if ok:
            seen.add(s)
            yield tok, (text, s, e)


def _named_site(tok: Token, rules: Rules) -> bool:
    """A proper name the text itself calls a site, by an apposition ("Fakhura, a girls school").

    The model's label is not asked (such names are often tagged NORP or ORG):
    the apposition's site noun is the text's own word for what the name is.
    A person's name is never a site.
    """
    if tok.pos_ != "PROPN" or not tok.text[:1].isupper() or tok.ent_type_ in PLACE_LABELS | {"PERSON"}:
        return False
    if tok.dep_ == "compound":
        return False
    return any(c.dep_ == "appos" and c.pos_ == "NOUN" and _site_noun(c, rules) for c in tok.children)


def _anchor(tok: Token) -> Token:
    """The noun a place stands in: "Papua" in "the province of Papua", in "West Papua province",
    "Sicily" in "off the coast of Sicily"."""
    if (
        tok.dep_ == "pobj"
        and tok.head.lower_ == "of"
        and tok.head.head.lower_ in AREA_WORDS + tuple(CAPITAL_WORDS | PART_NOUNS)
    ):
        return tok.head.head
    if tok.dep_ == "compound" and tok.head.lower_ in AREA_WORDS:
        return tok.head
    return tok


def _in_coordination(tok: Token) -> bool:
    """Is the place one of several joined by "and"/"or" ("between Sicily and Tunisia")?"""
    node = tok
    while node.dep_ in ("compound", "amod") and node.head != node:
        node = node.head
    return node.dep_ == "conj" or any(c.dep_ == "conj" for c in node.children)


def _site_noun(tok: Token, rules: Rules) -> bool:
    sites = set(rules.places.site_words)
    return tok.lower_ in sites or tok.lemma_.lower() in sites


def _predicate(
    prep: Token, rules: Rules, parts: Participants, street: bool = False
) -> tuple[Token | None, Token | None, bool]:
    """(predicate, noun, located participant) a place phrase on ``prep`` hangs off.

    The phrase's head, read through the forms the parse gives: a verb or an
    event noun is the predicate; a place noun that is itself in a place phrase
    ("an apartment on Independent Street", "a dwelling on Phillips Road":
    a site, or any noun on a street) passes the place on to its own phrase; a participant of a verb ("cables
    near Alexandria have been cut") places the event only roughly; an adverb
    ("as far south as Santa Rosa") leads up to its verb; a title-case
    headline verb tagged as a proper noun ("Erupts Outside Sacramento") is
    taken as the verb.
    """
    head = prep.head
    for _ in range(3):
        if head.pos_ in ("VERB", "AUX"):
            return head, None, False
        if head.pos_ in ("NOUN", "PROPN"):
            if head.lemma_.lower() in rules.lookups["event"]:
                return head, None, False
            if head.pos_ == "PROPN" and head.dep_ == "ROOT" and head.i > head.sent.start:
                return head, None, False
            if _key_noun(head, parts) is not None:
                return None, head, False
            # "Fakhura, a school in the Jabalya camp": the site noun stands for the name it describes.
            if head.dep_ == "appos" and _named_site(head.head, rules):
                return None, head.head, False
            outer = _prep_of(head)
            if (
                outer is not None
                and outer.lower_ in EXACT_PREPS | NEAR_PREPS
                and (street or _site_noun(head, rules) or head.lower_ in PART_NOUNS)
            ):
                head = outer.head
                continue
            if head.dep_ in ("nsubj", "nsubjpass", "dobj") and head.head.pos_ in ("VERB", "AUX"):
                return head.head, None, True
            return None, head, False
        if head.pos_ in ("ADV", "ADJ", "PRON"):
            node = head
            for _ in range(4):
                node = node.head
                if node.pos_ in ("VERB", "AUX") and node.dep_ != "prep":
                    return node, None, True
                if node.head == node:
                    break
        return None, None, False
    return None, None, False


def _event_place(
    tok: Token,
    place: str,
    text: str,
    s: int,
    e: int,
    sent: Span,
    parts: Participants,
    rules: Rules,
    add,
    site_only: bool = False,
) -> None:
    """The event a place phrase locates, and the claim for it."""
    tok = _anchor(tok)
    prep = _prep_of(tok)
    relation = None
    pred = None
    if prep is not None:
        p = prep.lower_
        on_ok = _is_site(place, rules) or head_kind(place) == "street"
        exact = EXACT_PREPS - ({"on"} if not on_ok else set())
        relation = "in" if p in exact else "near" if p in NEAR_PREPS or _as_far_as(prep) else None
        if p == "on" and tok.lower_ in PART_NOUNS:
            relation = "near"  # "on the outskirts of Kyoto", "on the coast of Sicily"
        if relation is None:
            return
        if _in_coordination(tok):
            relation = "near"  # one of several places: where part of it happened
        pred, noun_tok, participant = _predicate(prep, rules, parts, street=head_kind(place) == "street")
        if participant:
            relation = "near"
        if pred is None:
            # "the DNC's headquarters in the Watergate hotel": where a named thing is.
            noun = _key_noun(noun_tok, parts, site=_named_site(noun_tok, rules)) if noun_tok is not None else None
            if noun is not None and not site_only and place not in noun:
                add(
                    s,
                    e,
                    text,
                    sent,
                    f"location of {noun}",
                    place,
                    {"relation": relation, "place": place, "site": _is_site(place, rules)},
                )
            return
    elif tok.dep_ in ("dobj", "nsubjpass") and tok.head.lemma_.lower() in IMPACT_VERBS:
        relation, pred = "in", tok.head
    if pred is None:
        return
    ev = event_of(tok, parts, rules, pred)
    if ev is None:
        return
    add(
        s,
        e,
        text,
        sent,
        ev.subject,
        place,
        {"relation": relation, "place": place, "event": ev.to_dict(), "site": _is_site(place, rules)},
    )


def _as_far_as(prep: Token) -> bool:
    """Is it "as far south as Santa Rosa": how far something reached, not where it was?"""
    return prep.lower_ == "as" and any(t.lower_ == "far" for t in prep.doc[max(prep.sent.start, prep.i - 3) : prep.i])


def _is_site(place: str, rules: Rules) -> bool:
    return bool(place) and place.split()[-1] in set(rules.places.site_words)
