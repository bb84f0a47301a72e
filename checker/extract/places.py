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

from checker.extract.common import canonical_place, doc_text, ents_within, per_rules
from checker.extract.events import Participants, event_of, mentions_of
from checker.models import Claim

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from checker.models import Article
    from checker.rules import Rules

PLACE_LABELS = {"GPE", "LOC", "FAC"}
EXACT_PREPS = {"in", "at", "inside", "within", "throughout", "on"}
NEAR_PREPS = {"near", "off", "outside", "around", "close", "beside", "by"}
IMPACT_VERBS = {"hit", "strike", "rattle", "shake", "rock", "jolt", "devastate", "flatten", "batter", "level"}
AREA_WORDS = ("region", "province", "oblast", "state", "county", "district", "island", "islands", "regency")
CAPITAL_WORDS = {"capital", "city", "town", "village", "port", "province", "region", "state", "district", "suburb"}
DIST_UNITS = {"km": 1.0, "kilometres": 1.0, "kilometers": 1.0, "kilometre": 1.0, "kilometer": 1.0, "kms": 1.0,
              "miles": 1.609, "mile": 1.609, "mi": 1.609, "nautical": 1.852, "nm": 1.852}


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
    for _ in range(3):
        if node.dep_ == "pobj" and node.head.pos_ == "ADP":
            return node.head
        if node.dep_ in ("compound", "amod", "appos", "poss") and node.head != node:
            node = node.head
            continue
        break
    return None


def _key_noun(noun: Token, parts: Participants) -> str | None:
    """A named thing a place is given for: "the DNC's headquarters", "Felt's home".

    People are not given places: they move, so "Syhiha in Kyiv" and
    "Syhiha in Paris" are two days, not two claims about one thing.
    """
    if parts.person(noun) is not None or noun.ent_type_ == "PERSON":
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

    def add(start: int, end: int, text: str, sent: Span, subject: str, value: str, extra: dict, display: str | None = None) -> None:
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
        _bearing(doc, ent, place, rules, add)
        _event_place(ent.root, place, text, s, e, sent, parts, rules, add)
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
    """"Djibouti in Ivory Coast", "Santa Rosa, California", "Manokwari, the capital of West Papua"."""
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
        attached = doc[nxt].head.i in range(ent.start, ent.end) or other is not None and other.root.head.i in range(ent.start, ent.end)
        if other is not None and (attached or place in _contained(rules)):
            otext, _, oe = _place_text(doc, other)
            outer = canonical_place(otext, rules)
            if outer != place:
                add(s, oe, doc_text(doc)[s:oe], sent, f"location of {place}", outer, {"relation": "in", "place": outer, "inner": place})
    # PLACE, the capital/main city of PLACE
    if nxt + 2 < sent.end and doc[nxt].text == ",":
        k = nxt + 1
        window = doc[k : min(sent.end, k + 8)]
        if any(t.lower_ in CAPITAL_WORDS for t in window) and any(t.lower_ == "of" for t in window):
            of = next(t for t in window if t.lower_ == "of")
            other = next((x for x in ents_within(sent) if x.start in (of.i + 1, of.i + 2) and x.label_ in PLACE_LABELS), None)
            if other is not None:
                otext, _, oe = _place_text(doc, other)
                outer = canonical_place(otext, rules)
                if outer != place:
                    add(s, oe, doc_text(doc)[s:oe], sent, f"location of {place}", outer, {"relation": "in", "place": outer, "inner": place})
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
                    add(owner.start_char, e, doc_text(doc)[owner.start_char:e], sent, f"location of {place}", outer, {"relation": "in", "place": outer, "inner": place})


def _contained(rules: Rules) -> set[str]:
    """Places rules/places.yaml puts inside another (whose whereabouts can be checked)."""
    return per_rules(rules, "contained", lambda: {
        rules.lookup("place", x.lower()) or x.lower() for inner in rules.places.contains.values() for x in inner
    })


def _bearings(rules: Rules) -> dict[str, str]:
    """Bearing word (and its forms) -> bearing, from rules/places.yaml."""
    return per_rules(rules, "bearings", lambda: {
        s.lower(): b for b, forms in rules.places.bearings.items() for s in [b, *forms] if len(s) > 2
    })


def _in_list(doc: Doc, ent: Span) -> bool:
    """Is the place one item of a list ("Indonesia, Sri Lanka, India and ...")?"""
    sent = ent.sent
    places = [e for e in ents_within(sent) if e.label_ in PLACE_LABELS]
    idx = next((i for i, e in enumerate(places) if e.start == ent.start), None)
    if idx is None:
        return False
    def joined(a: Span, b: Span) -> bool:
        gap = doc[a.end : b.start]
        return len(gap) <= 2 and all(t.text in (",", "and", "or") for t in gap) and any(t.lower_ in ("and", "or") for t in gap)
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


def _bearing(doc: Doc, ent: Span, place: str, rules: Rules, add) -> None:
    """"150 nautical miles west of Aden": bearing and distance from a place."""
    lookup = _bearings(rules)
    k = ent.start - 1
    while k > ent.sent.start and (doc[k].pos_ in ("DET", "ADJ") or doc[k].text in ("'s", "’s") or doc[k].lower_ in CAPITAL_WORDS or doc[k].ent_type_ in PLACE_LABELS):
        k -= 1
    if k <= ent.sent.start or doc[k].lower_ != "of":
        return
    j = k - 1
    word = doc[j].lower_
    if j > 0 and doc[j - 1].text == "-":
        word = f"{doc[j - 2].lower_}-{word}"
        j -= 2
    bearing = lookup.get(word)
    if bearing is None:
        return
    dist = None
    window = doc[max(ent.sent.start, j - 6) : j]
    for t in window:
        if t.like_num:
            unit = next((DIST_UNITS[x.lower_] for x in doc[t.i + 1 : t.i + 3] if x.lower_ in DIST_UNITS), None)
            if unit is not None:
                try:
                    dist = float(t.text.replace(",", "")) * unit
                except ValueError:
                    dist = None
                break
    start = window[0].idx if dist is not None and len(window) else doc[j].idx
    first_num = next((t for t in window if t.like_num), None)
    if dist is not None and first_num is not None:
        start = first_num.idx
    end = ent.end_char
    add(start, end, doc_text(doc)[start:end], ent.sent, f"position relative to {place}", bearing,
        {"relation": "bearing", "bearing": bearing, "distance_km": dist, "anchor": place})


def _anchor(tok: Token) -> Token:
    """The noun a place stands in: "Papua" in "the province of Papua", in "West Papua province"."""
    if tok.dep_ == "pobj" and tok.head.lower_ == "of" and tok.head.head.lower_ in AREA_WORDS + tuple(CAPITAL_WORDS):
        return tok.head.head
    if tok.dep_ == "compound" and tok.head.lower_ in AREA_WORDS:
        return tok.head
    return tok


def _event_place(tok: Token, place: str, text: str, s: int, e: int, sent: Span, parts: Participants, rules: Rules, add, site_only: bool = False) -> None:
    """The event a place phrase locates, and the claim for it."""
    tok = _anchor(tok)
    prep = _prep_of(tok)
    relation = None
    pred = None
    if prep is not None:
        p = prep.lower_
        exact = EXACT_PREPS - ({"on"} if not _is_site(place, rules) else set())
        relation = "in" if p in exact else "near" if p in NEAR_PREPS else None
        if relation is None:
            return
        head = prep.head
        if head.pos_ in ("VERB", "AUX"):
            pred = head
        elif head.pos_ in ("NOUN", "PROPN"):
            # "the epicenter in Papua province": a place on an event noun.
            if head.lemma_.lower() in rules.lookups["event"]:
                pred = head
            else:
                # "the DNC's headquarters in the Watergate hotel": where a named thing is.
                noun = _key_noun(head, parts)
                if noun is not None and not site_only and place not in noun:
                    add(s, e, text, sent, f"location of {noun}", place, {"relation": relation, "place": place, "site": _is_site(place, rules)})
                return
        else:
            return
    elif tok.dep_ in ("dobj", "nsubjpass") and tok.head.lemma_.lower() in IMPACT_VERBS:
        relation, pred = "in", tok.head
    if pred is None:
        return
    ev = event_of(tok, parts, rules, pred)
    if ev is None:
        return
    add(s, e, text, sent, ev.subject, place, {"relation": relation, "place": place, "event": ev.to_dict(), "site": _is_site(place, rules)})


def _is_site(place: str, rules: Rules) -> bool:
    return bool(place) and place.split()[-1] in set(rules.places.site_words)

