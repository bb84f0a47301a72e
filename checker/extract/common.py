"""Parse helpers every claim kind shares: who said it, and in what scope.

Attribution and scope come from the dependency parse, not from word windows,
so that "Zelenskyy stated that 11,000 soldiers are deployed in Kursk, while
South Korean intelligence reported that 12,000 were sent" gives each figure
its own speaker and its own place.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from checker.rules import Rules

T = TypeVar("T")

REPORTING_VERBS = {
    "say",
    "state",
    "report",
    "tell",
    "confirm",
    "estimate",
    "indicate",
    "announce",
    "claim",
    "add",
    "believe",
    "warn",
    "note",
    "write",
    "suggest",
    "insist",
    "reveal",
    "disclose",
    "put",
    "quote",
    "explain",
    "assert",
    "acknowledge",
    "allege",
    "declare",
    "testify",
    "predict",
    "forecast",
    "show",
    "find",
    "record",
    "count",
    "tally",
}
ATTRIBUTION_PREPS = ("according to", "per", "citing", "cited by", "quoted by")
ENTITY_LABELS = {"PERSON", "ORG", "NORP", "GPE"}
PLACE_LABELS = {"GPE", "LOC", "FAC"}
PLACE_PREPS = {"in", "near", "at", "off", "to", "from", "into", "across", "inside", "outside", "around", "on"}


# Above this many children, a token's children are read once per document and
# looked up by dependency (see children_with).
HUB_CHILDREN = 16


def children_with(tok: Token, deps: tuple[str, ...], limit: int | None = None) -> list[Token]:
    """``tok``'s children whose dependency label is in ``deps``, in order (the first ``limit``).

    The root of a run-on sentence can have thousands of children; asked per
    figure, a scan of them all would cost the square of the figures. A token
    with many children has them read once per document, grouped by label,
    and a caller that needs only the first few says so with ``limit``.
    """
    if tok.n_lefts + tok.n_rights <= HUB_CHILDREN:
        got = [c for c in tok.children if c.dep_ in deps]
        return got if limit is None else got[:limit]
    table = tok.doc.user_data.setdefault("checker_children", {})
    by_dep = table.get(tok.i)
    if by_dep is None:
        by_dep = table[tok.i] = {}
        for c in tok.children:
            by_dep.setdefault(c.dep_, []).append(c.i)
    if len(deps) == 1:
        found = by_dep.get(deps[0], [])  # already in order
    else:
        found = sorted(i for d in deps for i in by_dep.get(d, ()))
    if limit is not None:
        found = found[:limit]
    return [tok.doc[i] for i in found]


def _one_line(toks: list[Token], anchor: Token) -> list[Token]:
    """The part of ``toks`` on the line of ``anchor`` (else the part nearest it).

    A headline has no full stop, so the parser often runs it into the first
    sentence and hangs it on the speaker: "Flood toll rises in Valencia" /
    "Rescue workers said 200 ..." must give "Rescue workers", not
    "Valencia\nRescue". A speaker never spans a line break that separates it
    from its verb; a name wrapped onto the verb's line keeps only that line,
    and one wholly on the line before the verb (hard-wrapped text) is kept.
    """
    toks = sorted((t for t in toks if not t.is_space), key=lambda t: t.i)
    if len(toks) < 2:
        return toks
    text = toks[0].doc.text
    if "\n" not in text[toks[0].idx : toks[-1].idx]:
        return toks
    lines, cur = [], [toks[0]]
    for a, b in zip(toks, toks[1:]):
        if "\n" in text[a.idx : b.idx]:
            lines.append(cur)
            cur = []
        cur.append(b)
    lines.append(cur)

    def apart(line: list[Token]) -> tuple[bool, int]:
        lo, hi = min(line[0].idx, anchor.idx), max(line[-1].idx, anchor.idx)
        return "\n" in text[lo:hi], min(abs(line[0].idx - anchor.idx), abs(line[-1].idx - anchor.idx))

    return min(lines, key=apart)


def _by_line(tokens: list[Token], anchor: Token) -> list[Token]:
    """``tokens`` with those on ``anchor``'s line first (a headline parsed as a second subject goes last)."""
    if len(tokens) < 2:
        return tokens
    text = anchor.doc.text
    return sorted(tokens, key=lambda t: "\n" in text[min(t.idx, anchor.idx) : max(t.idx, anchor.idx)])


def _compact(span_tokens: list[Token], anchor: Token | None = None) -> str | None:
    """A readable speaker name from a subject subtree: one line (see ``_one_line``), no leading determiners."""
    toks = [t for t in span_tokens if not t.is_space]
    if anchor is not None:
        toks = _one_line(toks, anchor)
    while toks and (toks[0].pos_ in ("DET", "PUNCT") or toks[0].lower_ in ("the", "a", "an")):
        toks = toks[1:]
    while toks and toks[-1].is_punct:
        toks = toks[:-1]
    if not toks or all(t.pos_ == "PRON" for t in toks):
        return None
    doc = toks[0].doc
    text = doc[toks[0].i : toks[-1].i + 1].text
    # A long subtree ("the head of X, Y, who ...") -> prefer its named entity.
    if len(toks) > 6:
        ents = ents_between(doc, toks[0].i, toks[-1].i + 1)
        for label in ("PERSON", "ORG"):
            for ent in ents:
                if ent.label_ == label:
                    return ent.text
    return text


def attribution(tok: Token, sent: Span) -> str | None:
    """Who the article says stated the fact at ``tok``, or None.

    Looks for "according to X" / "per X" / "citing X" in the sentence, then
    for a reporting verb ("said", "reported", "stated") above ``tok`` in
    the parse and takes its subject.
    """
    cited = _cited_source(sent)
    if cited:
        return cited
    node = tok
    seen = 0
    while node.head != node and seen < 12:
        node = node.head
        seen += 1
        if node.lemma_.lower() in REPORTING_VERBS and node.pos_ in ("VERB", "AUX"):
            subj = _by_line(children_with(node, ("nsubj", "nsubjpass")), node)
            if subj and subj[0].dep_ == "nsubj":
                return _compact(list(subj[0].subtree), node)
            agent = children_with(node, ("agent",))
            if agent:
                return _compact([t for t in agent[0].subtree if t != agent[0]], node)
    # "X said" after the clause: a reporting root with the clause as a child.
    root = sentence_root(sent)
    if root.lemma_.lower() in REPORTING_VERBS and root != tok:
        subj = _by_line(children_with(root, ("nsubj",)), root)
        if subj:
            return _compact(list(subj[0].subtree), root)
    return None


def _cited_source(sent: Span) -> str | None:
    """The X of "according to X" / "per X" / "citing X" in the sentence, once per sentence.

    It does not depend on which figure asks, and looking for it reads the
    whole sentence: asked per figure, a run-on sentence of thousands of
    figures would cost their square.
    """
    cache = sent.doc.user_data.setdefault("checker_cited", {})
    key = (sent.start, sent.end)
    if key not in cache:
        cache[key] = _find_cited_source(sent)
    return cache[key]


def _find_cited_source(sent: Span) -> str | None:
    low = doc_text(sent.doc)[sent.start_char : sent.end_char].lower()
    for prep in ATTRIBUTION_PREPS:
        i = low.find(prep + " ")
        if i >= 0:
            start = sent.start_char + i + len(prep) + 1
            span = sent.doc.char_span(start, sent.end_char, alignment_mode="expand")
            if span is not None and len(span):
                first = span[0]
                # The object phrase of the preposition: its subtree up to a comma.
                head = first
                while head.head != head and head.head.i >= first.i and head.head.i < sent.end:
                    if head.head.pos_ in ("VERB", "AUX", "ADP"):
                        break
                    head = head.head
                toks = [t for t in head.subtree if t.i >= first.i]
                cut = []
                for t in toks:
                    if t.text in (",", ";") or t.lower_ in ("citing", "who", "which"):
                        break
                    cut.append(t)
                name = _compact(cut, first)
                if name:
                    return name
    return None


def sentence_root(sent: Span) -> Token:
    """``sent.root``, found once per sentence (spaCy walks the whole sentence on each access)."""
    cache = sent.doc.user_data.setdefault("checker_roots", {})
    key = (sent.start, sent.end)
    if key not in cache:
        cache[key] = sent.root.i
    return sent.doc[cache[key]]


_PER_RULES: dict[tuple[int, str], tuple[Any, Any]] = {}


def per_rules(rules: Rules, what: str, build: Callable[[], T]) -> T:
    """``build()`` once per rules object and ``what`` (rules are read-only once loaded).

    Keyed by the object's id and checked by identity, so a new rules object
    (another folder, a reload) never gets tables built from an old one.
    """
    hit = _PER_RULES.get((id(rules), what))
    if hit is None or hit[0] is not rules:
        hit = _PER_RULES[(id(rules), what)] = (rules, build())
    return hit[1]


def doc_text(doc: Doc) -> str:
    """The document's text, built once: ``Doc.text`` joins every token on each access."""
    text = doc.user_data.get("checker_text")
    if text is None:
        text = doc.user_data["checker_text"] = doc.text
    return text


def doc_ents(doc: Doc) -> list[Span]:
    """``doc.ents`` as a list built once per doc: spaCy rebuilds every entity on each access."""
    ents = doc.user_data.get("checker_ents")
    if ents is None:
        ents = doc.user_data["checker_ents"] = list(doc.ents)
        doc.user_data["checker_ent_starts"] = [e.start for e in ents]
    return ents


def ents_between(doc: Doc, start: int, end: int) -> list[Span]:
    """The doc's entities inside tokens [start, end), found by bisection.

    ``span.ents`` and ``sent.ents`` walk every entity of the document; asked
    per sentence or per token, a long article pays the square of its length.
    """
    ents = doc_ents(doc)
    k = bisect.bisect_left(doc.user_data["checker_ent_starts"], start)
    out = []
    while k < len(ents) and ents[k].start < end:
        if ents[k].end <= end:
            out.append(ents[k])
        k += 1
    return out


def ent_at(tok: Token) -> Span | None:
    """The doc entity that holds ``tok``, or None (by bisection; see ``ents_between``)."""
    ents = doc_ents(tok.doc)
    k = bisect.bisect_right(tok.doc.user_data["checker_ent_starts"], tok.i) - 1
    return ents[k] if k >= 0 and ents[k].end > tok.i else None


def ents_within(span: Span) -> list[Span]:
    """``span.ents``, from the doc's entity list (see ``ents_between``)."""
    return ents_between(span.doc, span.start, span.end)


def ent_span(tok: Token) -> Span | None:
    """The named entity ``tok`` belongs to, found from its IOB tags.

    Cheap: ``doc.ents`` builds every entity span on each access, which
    dominates extraction time when asked per token.
    """
    if not tok.ent_type_:
        return None
    doc = tok.doc
    start = tok.i
    while start > 0 and doc[start].ent_iob_ == "I":
        start -= 1
    end = tok.i + 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    from spacy.tokens import Span  # imported here: spaCy is slow to import, and a warm rerun needs none

    return Span(doc, start, end, label=tok.ent_type_)


def sentence_ents(sent: Span) -> list[Span]:
    """The sentence's entities, computed once per sentence and cached on it."""
    key = (sent.start, sent.end)
    cache = sent.doc.user_data.setdefault("checker_sent_ents", {})
    if key not in cache:
        cache[key] = ents_between(sent.doc, sent.start, sent.end)
    return cache[key]


def clause_of(tok: Token) -> Token:
    """The verb heading the clause ``tok`` stands in (or the sentence root).

    Remembered for every token on the way up, so that the figures of a long
    chain (a run-on list of thousands) do not each climb the whole chain.
    """
    doc = tok.doc
    memo = doc.user_data.setdefault("checker_clause", {})
    path = []
    node = tok
    while node.i not in memo:
        if node.head.i == node.i or (
            node.pos_ in ("VERB", "AUX")
            and node.dep_ in ("ROOT", "ccomp", "advcl", "relcl", "conj", "xcomp", "acl", "pcomp")
        ):
            memo[node.i] = node.i
            break
        path.append(node.i)
        node = node.head
    found = memo[node.i]
    for i in path:
        memo[i] = found
    return doc[found]


class _SentenceScope:
    """A sentence's place and time entities, found once per sentence.

    Each figure's clause is a contiguous run of them (entities do not
    overlap), found by bisection, so a figure costs the places in its clause
    and a few look-ups, not a pass over every entity of its sentence.
    """

    def __init__(self, sent: Span) -> None:
        ents = sentence_ents(sent)
        self.places = [e for e in ents if e.label_ in PLACE_LABELS]
        self.times = [e for e in ents if e.label_ in ("DATE", "TIME")]
        self.time_texts = [e.text for e in self.times]
        self.time_years = [_YEAR.search(t) for t in self.time_texts]
        # The next time entity with a year, from each index on (len: none).
        self.next_year = [len(self.times)] * (len(self.times) + 1)
        for k in range(len(self.times) - 1, -1, -1):
            self.next_year[k] = k if self.time_years[k] else self.next_year[k + 1]
        dated = [e for e in ents if e.label_ == "DATE"]
        self.dated_text = " ".join(e.text for e in dated)
        self.with_year = [e for e in dated if _YEAR.search(e.text)]
        self.with_year_starts = [e.start for e in self.with_year]

    @staticmethod
    def within(ents: list[Span], lo: int, hi: int) -> tuple[int, int]:
        """Index range of the entities inside tokens [lo, hi] (starts and ends both increase)."""
        a = _bisect(ents, lo, lambda e: e.start)
        return a, max(a, _bisect(ents, hi + 2, lambda e: e.end))

    def nearest_year(self, i: int) -> Span | None:
        """The dated entity with a year nearest token ``i`` (the first on a tie)."""
        k = bisect.bisect_right(self.with_year_starts, i)
        cands = [self.with_year[j] for j in (k - 1, k) if 0 <= j < len(self.with_year)]
        if not cands:
            return None
        return min(cands, key=lambda e: min(abs(e.start - i), abs(e.end - 1 - i)))


def _bisect(ents: list[Span], value: int, key: Callable[[Span], int]) -> int:
    """The first index whose ``key`` is at least ``value`` (keys increase along ``ents``)."""
    a, b = 0, len(ents)
    while a < b:
        m = (a + b) // 2
        if key(ents[m]) < value:
            a = m + 1
        else:
            b = m
    return a


def _sentence_scope(sent: Span) -> _SentenceScope:
    cache = sent.doc.user_data.setdefault("checker_scope_ents", {})
    key = (sent.start, sent.end)
    if key not in cache:
        cache[key] = _SentenceScope(sent)
    return cache[key]


_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")


def canonical_place(text: str, rules: Rules) -> str:
    """A place name normalized through rules/places.yaml aliases."""
    t = text.lower().strip()
    for prefix in ("the ", "town of ", "city of ", "village of ", "region of "):
        if t.startswith(prefix):
            t = t[len(prefix) :]
    t = t.replace("’s", "").replace("'s", "").strip()
    found = rules.lookup("place", t)
    if found:
        return found
    # "Aceh province", "Nias island": the name alone unless the rules know the longer form.
    short = re.sub(r"\s+(province|region|oblast|state|county|district|island|islands)$", "", t)
    return rules.lookup("place", short) or short


def scope_of(tok: Token, sent: Span, rules: Rules, exclude: tuple[int, int] | None = None) -> dict:
    """Place, time and status qualifiers of the clause that holds ``tok``.

    ``status`` is the rules/subjects.yaml status class of the clause verb
    (training, deployed, sent -> presence; killed; injured), since counts of
    the killed and the wounded are about different things.
    """
    verb = clause_of(tok)
    scope: dict = {}
    lo, hi = verb.left_edge.i, verb.right_edge.i
    if verb.dep_ in ("relcl", "acl") and verb.head != verb:
        # "the 2004 tsunami that killed 220,000": the noun the clause hangs on is scope too.
        lo, hi = min(lo, verb.head.left_edge.i), max(hi, verb.head.right_edge.i)
    # Keep to the clause: stop at nested clauses' own verbs except the number's.
    places, all_places = [], []
    ss = _sentence_scope(sent)

    def excluded(ent: Span) -> bool:
        return bool(exclude and ent.start_char < exclude[1] and ent.end_char > exclude[0])

    a, b = ss.within(ss.places, lo, hi)
    for ent in ss.places[a:b]:
        if excluded(ent):
            continue
        all_places.append(ent)
        k = ent.start - 1
        # Skip "the", "eastern", "Russia's": "in the eastern Kursk region".
        while k > lo and sent.doc[k].lower_ in (
            "the",
            "eastern",
            "western",
            "northern",
            "southern",
            "central",
            "north",
            "south",
            "east",
            "west",
            "northeastern",
            "northwestern",
            "southeastern",
            "southwestern",
            "remote",
        ):
            k -= 1
        prev = sent.doc[k] if k >= 0 else None
        if prev is not None and prev.lower_ in PLACE_PREPS and _attaches_to(prev, tok, verb):
            places.append(ent)
    if places:
        group = _place_group(all_places[all_places.index(places[0]) :], sent)
        texts = [_place_text(p, sent) for p in group]
        canon = sorted({canonical_place(t, rules) for t in texts})
        scope["place"] = " + ".join(canon)
        scope["place_text"] = " and ".join(texts)
    # The clause's first time, and its first time with a year.
    a, b = ss.within(ss.times, lo, hi)
    first = next((k for k in range(a, b) if not excluded(ss.times[k])), None)
    if first is not None:
        scope["time"] = ss.time_texts[first]
    k = ss.next_year[a]
    while k < b and excluded(ss.times[k]):
        k = ss.next_year[k + 1]
    # The year a figure belongs to, from anywhere in its sentence: a
    # background figure ("the 2004 tsunami", "four years ago") is another time.
    near = ss.nearest_year(tok.i)
    if k < b:
        scope["year"] = ss.time_years[k].group(1)  # the figure's own clause dates it
    elif near is not None:
        # The dated phrase nearest the figure: "quakes in 2002, and the tsunami
        # that killed 168,000 in 2004" gives each figure its own year.
        scope["year"] = _YEAR.search(near.text).group(1)
    else:
        ago = re.search(r"\b(\w+)\s+(year|years|decade|decades) ago\b|\b(last year)\b", ss.dated_text.lower())
        if ago:
            # "four years ago": a past year, resolved against the publication
            # date when compared; kept as "past:4".
            from checker.extract.numbers import parse_words

            n = (
                1
                if ago.group(3)
                else parse_words(ago.group(1)) or (float(ago.group(1)) if ago.group(1).isdigit() else None)
            )
            scale = 10 if ago.group(2) and ago.group(2).startswith("decade") else 1
            scope["year"] = f"past:{int(n * scale)}" if n else "past"
    status = status_of(tok, verb, rules)
    if status:
        scope["status"], scope["status_word"] = status
    return scope


def _attaches_to(prep: Token, tok: Token, verb: Token) -> bool:
    """Does the place phrase belong to the figure at ``tok``: hang on a verb,
    or on the figure's own phrase, not on another noun's ("killed 230,000
    people, over 170,000 of them in Aceh": Aceh is the 170,000's place)?"""
    head = prep.head
    if head.pos_ in ("VERB", "AUX", "ADJ"):  # "arrived in", "dead in"
        return True
    own = {tok.i, tok.head.i} | {a.i for a in tok.ancestors if a.i != verb.i}
    return head.i in own or head.is_punct


PLACE_NOUNS = ("region", "province", "oblast", "state", "county", "district", "island", "islands")


def _place_text(p: Span, sent: Span) -> str:
    text = p.text
    nxt = sent.doc[p.end] if p.end < len(sent.doc) else None
    if nxt is not None and nxt.lower_ in PLACE_NOUNS:
        text = f"{text} {nxt.lower_}"
    return text


def _place_group(places: list[Span], sent: Span) -> list[Span]:
    """The place a figure is in: the first one after a preposition, narrowed by
    a possessive ("Indonesia's Aceh province" -> Aceh province) and widened by
    a list ("in Aceh province and Nias island" -> both)."""
    doc = sent.doc
    first = places[0]
    rest = places[1:]
    # "Indonesia's Aceh province": the possessed place is the narrower one.
    while rest and first.end < len(doc) and doc[first.end].lower_ in ("'s", "’s") and rest[0].start <= first.end + 2:
        first, rest = rest[0], rest[1:]
    group = [first]
    for p in rest:
        gap = doc[group[-1].end : p.start].text.lower().strip()
        gap = re.sub(r"^(region|province|oblast|state|county|district|island|islands)\b", "", gap).strip()
        if gap in (",", "and", ", and", "or", "&") or re.fullmatch(r",?\s*(and|or)?", gap):
            group.append(p)
        else:
            break
    return group


def status_of(tok: Token, verb: Token, rules: Rules) -> tuple[str, str] | None:
    """What happened to the counted things: a rules/subjects.yaml status class
    ("killed", "injured", "presence", "damaged"), so that counts of different
    events never meet. Verbs outside the table give no status: splitting on
    every verb would keep "in two boats" from meeting "attacked three boats"."""
    # A count inside a noun phrase ("Manokwari, a city of 160,000 people,
    # collapsed") is not what the clause's verb did.
    embedded = _embedded(tok, verb)
    cands = [tok.head, *children_with(tok.head, ("amod", "acl", "relcl"))]
    if embedded:
        node = tok.head
        for _ in range(4):
            if node.head == node:
                break
            node = node.head
            cands.append(node)
        return _first_status(cands, rules)
    cands = [verb] + cands
    cands += children_with(verb, ("xcomp", "acomp", "attr", "dobj", "prep"))
    cands += [g for c in children_with(verb, ("prep", "dobj", "attr")) for g in children_with(c, ("pobj", "amod"))]
    # "home to 167,000 people": the noun the phrase hangs on, a few levels up.
    node = tok.head
    for _ in range(3):
        if node.head == node or node == verb:
            break
        node = node.head
        cands.append(node)
    return _first_status(cands, rules)


def _embedded(tok: Token, verb: Token) -> bool:
    """Is ``tok`` inside an apposition or a noun's prepositional phrase below ``verb``?

    Remembered for every token on the way up (see ``clause_of``).
    """
    memo = tok.doc.user_data.setdefault("checker_embedded", {})
    path = []
    node, found = tok, False
    while node.head != node and node != verb:
        key = (node.i, verb.i)
        if key in memo:
            found = memo[key]
            break
        path.append(key)
        if node.dep_ in ("appos",) or (node.dep_ == "pobj" and node.head.head.pos_ in ("NOUN", "PROPN")):
            found = True
            break
        node = node.head
    for key in path:
        memo[key] = found
    return found


def _first_status(cands: list[Token], rules: Rules) -> tuple[str, str] | None:
    for c in cands:
        for form in (c.lemma_.lower(), c.lower_):
            s = rules.lookup("status", form)
            if s:
                return s, c.lower_
    return None


def char_span_tokens(sent: Span, start: int, end: int) -> Span | None:
    """Tokens covering the characters [start, end), expanded to whole tokens."""
    return sent.doc.char_span(start, end, alignment_mode="expand")
