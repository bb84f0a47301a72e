"""Date and time claims: what the article says happened when.

Only spaCy DATE and TIME entities are read (never every token), each with
the hedge words just before it ("about 3pm", "early December"). The date is
attached to the event it times through the parse (``extract.events``), so
"Felt died on Friday" and "Felt died at his home ... Thursday" meet on "die
mark felt", while "met in June" and "attacked in November" stay apart.
Dates of statements ("officials said Saturday") and datelines are skipped.
Durations that time an event against another ("a week after suffering a
heart attack", "two days after the break-in") are skipped too: they date
one event by another, not by the calendar.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

from checker.dateparse import (
    HEDGE_WORDS,
    RX_CLOCK,
    When,
    parse,
    parse_bare_clock,
    parse_clock,
    parse_published,
    place_utc_offset,
)
from checker.extract.common import doc_text
from checker.extract.events import Participants, event_of, is_reporting, mentions_of, predicate_of
from checker.models import Claim
from checker.resolve.stories import is_prose, lead_sentences

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

    from checker.models import Article
    from checker.rules import Rules

SKIP_AFTER = ("after", "before", "later", "since", "from", "into", "until", "till", "of")
SKIP_BEFORE = (
    "until",
    "since",
    "till",
    "from",
    "through",
    "throughout",
    "between",
    "every",
    "each",
    "per",
    "for",
    "within",
    "over",
    "of",
)
BOUND_BEFORE = {"by": "<=", "before": "<", "after": ">", "since": ">="}
AGE_RX = re.compile(r"\b(\d+|[a-z]+)[- ]years?[- ]old\b|\baged?\b", re.I)
# A date that names the calendar ("1957", "Thursday", "yesterday") is not a duration,
# so "in 1957 after turning to Christianity" still dates the verb.
ABSOLUTE_RX = re.compile(
    r"\b(1[5-9]\d\d|20\d\d|january|february|march|april|june|july|august|september|october|november|december"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|tonight)\b",
    re.I,
)
# Clock times the model leaves untagged ("at around 4.30am", "0737 GMT").
RX_LOOSE_TIME = re.compile(
    r"\b(?:later\s+|earlier\s+)?that\s+(?:same\s+)?(?:day|morning|afternoon|evening|night)\b"
    r"|\b(?:this|yesterday|tomorrow)\s+(?:morning|afternoon|evening)\b|\blast\s+night\b|\bovernight\b"
    r"|\bthe\s+(?:next|following|previous)\s+(?:day|morning|afternoon|evening|night)\b|\b\d{1,2}[:.]\d\d\s*[ap]\.?\s?m\b\.?|\b\d{1,2}\s*[ap]\.m\.|\b(?:[01]\d|2[0-3])[0-5]\d\s*(?:gmt|utc|hours|hrs)\b",
    re.I,
)


def _hedge_before(doc: Doc, ent: Span) -> tuple[int, str]:
    """(start char including hedge words, hedge text) for an entity."""
    text = doc_text(doc)[max(0, ent.start_char - 25) : ent.start_char].lower()
    for h in sorted(HEDGE_WORDS, key=len, reverse=True):
        if re.search(rf"\b{re.escape(h)}\s+$", text):
            k = text.rfind(h)
            return ent.start_char - (len(text) - k), h
    return ent.start_char, ""


def _dateline(doc: Doc, ent: Span) -> bool:
    """A date standing on a line of its own (a dateline under the headline)."""
    text = doc_text(doc)
    a = text.rfind("\n", 0, ent.start_char) + 1
    b = text.find("\n", ent.end_char)
    line = text[a : b if b >= 0 else len(text)]
    return len(ent.text) >= 0.5 * len(line.strip())


def _skip(doc: Doc, ent: Span) -> bool:
    """Durations, ages, ranges and dates that are not when an event happened."""
    if _dateline(doc, ent):
        return True
    nxt = doc[ent.end] if ent.end < len(doc) else None
    prv = doc[ent.start - 1] if ent.start > 0 else None
    low = ent.text.lower()
    if ent.label_ not in ("DATE", "TIME") and not any(t.ent_type_ in ("DATE", "TIME") for t in ent):
        return True
    if (
        nxt is not None
        and nxt.lower_ in SKIP_AFTER
        and not low.endswith(("ago", "earlier"))
        and not ABSOLUTE_RX.search(low)
    ):
        return True
    # "since 2010" dates when a state began (kept, as a lower bound); "since then" does not.
    if prv is not None and prv.lower_ in SKIP_BEFORE and not (prv.lower_ == "since" and ABSOLUTE_RX.search(low)):
        return True
    if AGE_RX.search(low) or (prv is not None and prv.lower_ in ("aged", "age")):
        return True
    # "next year", "last month": the calendar, not a duration; "1100 hours": a clock time.
    if re.fullmatch(
        r"(the\s+)?(next|last|this|coming)\s+(week|month|year)|([01]\d|2[0-3])[0-5]\d\s+hours"
        r"|the\s+(next|following|previous)\s+(day|morning|afternoon|evening|night)|((later|earlier)\s+)?that\s+(same\s+)?(day|morning|afternoon|evening|night)",
        low,
    ):
        return False
    # Bare durations ("three weeks", "30 years") time nothing by the calendar.
    return bool(
        re.fullmatch(
            r"(the\s+)?(past\s+|last\s+|next\s+|first\s+|several\s+|few\s+)?((a|an|\d+|[a-z]+)[\s-]+)?(days?|weeks?|months?|years?|hours?|minutes?|decades?|centuries?|seasons?)(\s+long)?",
            low,
        )
    )


def _when_clause(doc: Doc, ent: Span):
    """The verb of "... until May 30, 2005 when Felt's family revealed": it is what the date times."""
    k = ent.end
    while k < len(doc) and doc[k].text == ",":
        k += 1
    if k < len(doc) and doc[k].lower_ in ("when", "that") and doc[k].head.pos_ == "VERB" and doc[k].head.i > k:
        return doc[k].head
    for c in ent.root.children:
        if c.dep_ in ("relcl", "advcl") and c.pos_ == "VERB" and any(g.lower_ in ("when", "that") for g in c.children):
            return c
    return None


def _clock_spans(doc: Doc) -> list[tuple[Span, dict]]:
    """Game and fight clocks ("44 seconds into the seventh round", "at the 2:15 mark")."""
    text = doc_text(doc)
    out: list[tuple[Span, dict]] = []
    if not re.search(r"round|quarter|period|half|inning|set|frame|lap|mark|minute", text, re.I):
        return out
    for sent in doc.sents:
        st = sent.text
        for m in RX_CLOCK.finditer(st):
            clock = parse_clock(m.group(0), st[: m.start()])
            if clock is None:
                continue
            span = doc.char_span(
                sent.start_char + m.start(), sent.start_char + m.end(), label="TIME", alignment_mode="expand"
            )
            if span is not None:
                out.append((span, clock))
    return out


def _loose_times(doc: Doc, ents: list[Span]) -> list[Span]:
    """Clock times the model did not tag, as TIME spans (never overlapping an entity)."""
    text = doc_text(doc)
    out: list[Span] = []
    for m in RX_LOOSE_TIME.finditer(text):
        if any(e.start_char < m.end() and m.start() < e.end_char for e in ents):
            continue
        span = doc.char_span(m.start(), m.end(), label="TIME", alignment_mode="expand")
        if span is not None:
            out.append(span)
    return out


def _merged(doc: Doc, clocks: list[tuple[Span, dict]] | None = None) -> list[Span]:
    """DATE/TIME entities, with neighbours that are one expression joined
    ("8:30 p." + "m. Thursday", "12:45 p.m. on Thursday" stays two).

    Entities inside a game clock ("2:15" of "at the 2:15 mark") are the clock's, not times of day.
    """
    ents = [e for e in doc.ents if e.label_ in ("DATE", "TIME")]
    if clocks:
        ents = [e for e in ents if not any(c.start_char < e.end_char and e.start_char < c.end_char for c, _ in clocks)]
    # A clock time the model took for a number ("3.45pm" as CARDINAL) is still read:
    # only DATE/TIME entities and game clocks keep a loose time out.
    taken = [e for e in doc.ents if e.label_ in ("DATE", "TIME")] + [c for c, _ in (clocks or [])]
    ents = sorted(ents + _loose_times(doc, taken), key=lambda e: e.start)
    # "8:30" + "p. m.": a clock time whose am/pm the model left outside.
    for i, e in enumerate(ents):
        m = re.match(r"\s*[ap]\.?\s?m\b\.?", doc_text(doc)[e.end_char : e.end_char + 8], re.I)
        if m and re.search(r"\d$", e.text):
            span = doc.char_span(e.start_char, e.end_char + m.end(), alignment_mode="expand")
            if span is not None:
                ents[i] = span
    out: list[Span] = []
    for e in ents:
        gap = doc_text(doc)[out[-1].end_char : e.start_char] if out else "x"
        if out and e.start == out[-1].end and not gap.strip() and "\n" not in gap:
            out[-1] = doc[out[-1].start : e.end]
        else:
            out.append(e)
    return out


def _root(ent: Span):
    """The token of the span whose head is outside it (the phrase's head)."""
    for t in ent:
        if t.head == t or not ent.start <= t.head.i < ent.end:
            return t
    return ent.root


def _reported_clause(tok, rules: Rules):
    """The clause a date really times when the parse hangs it on a trailing reporting verb.

    "Felt died at his home ..., Thursday, the Press Democrat reported": the date
    stands inside the reported clause (before the reporter), so it dates "died".
    """
    pred = predicate_of(tok, rules)
    if pred is None or not is_reporting(pred, rules):
        return None
    subj = [c for c in pred.children if c.dep_ in ("nsubj", "nsubjpass")]
    if not subj or subj[0].i < tok.i or pred.i < tok.i:
        return None
    for c in pred.children:
        if c.dep_ in ("ccomp", "parataxis") and c.pos_ in ("VERB", "AUX") and c.i < tok.i:
            return c
    # The parse may hang the reporting clause off the event instead ("died ..., X reported").
    head = pred.head
    if pred.dep_ in ("advcl", "parataxis", "ccomp", "conj") and head.pos_ in ("VERB", "AUX") and head.i < tok.i:
        return head
    return None


def _utc_offset(doc: Doc, ent: Span, when: When, base) -> int | None:
    """The UTC offset of a local clock time, from the zone of a place in its sentence."""
    if when.minutes is None or (when.zone not in (None, "local")):
        return None
    places = [e.text for e in ent.sent.ents if e.label_ in ("GPE", "LOC")]
    if not places and when.zone == "local":
        places = [e.text for e in doc.ents if e.label_ == "GPE"][:1]
    day = date.fromordinal(when.days[0]) if when.days else base
    for name in places:
        got = place_utc_offset(name, day)
        if got is not None:
            return got
    return None


def with_period_length(clock: dict, doc: Doc, rules: Rules) -> dict:
    """The clock with the length of its period, when the article names one sport of that unit.

    rules/events.yaml ``period_lengths``: a boxing round lasts three minutes, a
    UFC round five. A clock of no stated unit takes the unit of the one sport
    named. An article naming two sports of one unit, or none, gives no length.
    """
    text = doc_text(doc)
    named = [p for p in rules.events.period_lengths if any(_names_word(text, w) for w in p.sport)]
    unit = clock.get("unit")
    fits = {(p.unit, p.seconds) for p in named if unit in (None, p.unit)}
    if len(fits) != 1:
        return clock
    (u, seconds) = fits.pop()
    return {**clock, "unit": unit or u, "length": seconds}


def _names_word(text: str, word: str) -> bool:
    """``word`` stands whole in ``text`` (any case): "IBF" but not "ibfx", "boxing" but not "kickboxing"."""
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text, re.I) is not None


def lead_end(doc: Doc) -> int:
    """Token index where the article's lead ends: its first prose sentences (the headline's included).

    The lead states the story's main event and when it happened ("An Indian
    warship foiled a pirate attack on Friday"); compare/dates.py sets the
    leads' dates of one event class side by side even when the event names
    no one. The same lead as the story grouping's (``LEAD_SENTENCES``
    sentences with a verb; a verbless dateline is not counted).
    """
    sents = lead_sentences(doc)
    return sents[-1].end if sents else 0


def _in_lead(doc: Doc, ent: Span, head: int, end: int) -> bool:
    """Is the date in the lead, on the same line as the predicate it dates?

    A date on a line of its own above the lead ("TNN Nov 12, 2011, 05.51AM
    IST") that the parser hung on the lead's verb is a dateline, not a time
    of the event.
    """
    if ent.start >= end or not 0 <= head < len(doc) or not is_prose(ent.sent):
        return False
    a, b = sorted((ent.start_char, doc[head].idx))
    return "\n" not in doc_text(doc)[a:b]


# Words that say an event repeats an earlier one of its kind ("clashed again on Sunday",
# "another attack", "a second quake", "the latest tremor").
AGAIN_WORDS = frozenset(
    {"again", "anew", "another", "second", "third", "fourth", "fresh", "latest", "renewed", "further"}
)


def _repeats(doc: Doc, head: int) -> bool:
    """Does the text say the event at ``head`` repeats an earlier one of its kind?

    "Protesters clashed with police again on Sunday" or "another attack hit
    the town on Monday": the story holds more than one event of the class,
    so a lead's date of it need not be the date of the story's first one.
    """
    if not 0 <= head < len(doc):
        return False
    pred = doc[head]
    near = [pred, *(c for c in pred.children if c.dep_ in ("nsubj", "nsubjpass", "dobj"))]
    return any(
        c.lower_ in AGAIN_WORDS and c.dep_ in ("advmod", "amod", "det", "npadvmod") for t in near for c in t.children
    )


def extract_dates(doc: Doc, article: Article, rules: Rules) -> list[Claim]:
    """Date claims for the DATE/TIME entities and game clocks of one article."""
    base = parse_published(article.published)
    lead = lead_end(doc)
    parts = Participants(doc, [m for m in mentions_of(doc, article, rules)])
    claims: list[Claim] = []
    clocks = _clock_spans(doc)
    clock_of = {(c.start_char, c.end_char): k for c, k in clocks}
    spans = sorted(_merged(doc, clocks) + [c for c, _ in clocks], key=lambda e: e.start_char)
    anchor = None  # the day of the last event the article dated, for "that night"
    for ent in spans:
        if not article.is_checked(ent.start_char, ent.end_char):
            continue
        clock = clock_of.get((ent.start_char, ent.end_char))
        clause = _when_clause(doc, ent)
        if clock is None and _skip(doc, ent) and clause is None:
            continue
        root = _root(ent)
        if clause is None:
            clause = _reported_clause(root, rules)
        ev = event_of(root, parts, rules, clause)
        if ev is None:
            continue
        start, hedge = _hedge_before(doc, ent)
        surface = doc_text(doc)[start : ent.end_char]
        if clock is None and ev.verb in rules.events.once_per_contest_set:
            # "stopped the fight at 2:56": the time into the round, not a time of day.
            clock = parse_bare_clock(ent.text, doc_text(doc)[ent.sent.start_char : ent.start_char])
        if clock is not None:
            clock = with_period_length(clock, doc, rules)
            when = When(clock=clock, approx=bool(hedge))
        else:
            when = parse(surface, base, future=ev.future, anchor=anchor)
        if when.empty:
            continue
        when.utc_offset = _utc_offset(doc, ent, when, base)
        if when.days is not None and when.days[0] == when.days[1] and when.relative is None:
            anchor = date.fromordinal(when.days[0])
        bound = BOUND_BEFORE.get(doc[ent.start - 1].lower_) if ent.start > 0 else None
        sent = ent.sent
        claims.append(
            Claim.in_sentence(
                article,
                sent,
                ent.start_char,
                ent.end_char,
                ent.text,
                "date",
                ev.subject,
                when.iso(),
                qualifier=bound or ("~" if when.approx or hedge else "="),
                low=float(when.days[0]) if when.days else None,
                high=float(when.days[1]) if when.days else None,
                display=surface,
                extra={
                    "event": ev.to_dict(),
                    "when": _when_dict(when),
                    "bound": bound,
                    **({"lead": True} if _in_lead(doc, ent, ev.head, lead) else {}),
                    **({"repeats": True} if _repeats(doc, ev.head) else {}),
                },
            )
        )
    return claims


def _when_dict(w) -> dict:
    return {
        "year": w.year,
        "month": w.month,
        "day": w.day,
        "weekday": w.weekday,
        "minutes": w.minutes,
        "zone": w.zone,
        "days": w.days,
        "doy": w.doy,
        "offset": w.offset,
        "approx": w.approx,
        "part": w.part,
        "clock": w.clock,
        "relative": w.relative,
        "utc_offset": w.utc_offset,
    }
