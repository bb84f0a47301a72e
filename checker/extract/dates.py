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
from typing import TYPE_CHECKING

from checker.dates import HEDGE_WORDS, parse, parse_published
from checker.extract.common import doc_text
from checker.extract.events import Participants, event_of, mentions_of
from checker.models import Claim

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

    from checker.models import Article
    from checker.rules import Rules

SKIP_AFTER = ("after", "before", "later", "since", "from", "into", "until", "till", "of")
SKIP_BEFORE = ("until", "since", "till", "from", "through", "throughout", "between", "every", "each", "per", "for", "within", "over", "of")
BOUND_BEFORE = {"by": "<=", "before": "<", "after": ">"}
AGE_RX = re.compile(r"\b(\d+|[a-z]+)[- ]years?[- ]old\b|\baged?\b", re.I)


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
    if nxt is not None and nxt.lower_ in SKIP_AFTER and not low.endswith(("ago", "earlier")):
        return True
    if prv is not None and prv.lower_ in SKIP_BEFORE:
        return True
    if AGE_RX.search(low) or (prv is not None and prv.lower_ in ("aged", "age")):
        return True
    # Bare durations ("three weeks", "30 years") time nothing by the calendar.
    return bool(re.fullmatch(r"(the\s+)?(past\s+|last\s+|next\s+|first\s+|several\s+|few\s+)?((a|an|\d+|[a-z]+)[\s-]+)?(days?|weeks?|months?|years?|hours?|minutes?|decades?|centuries?|seasons?)(\s+long)?", low))


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


def _merged(doc: Doc) -> list[Span]:
    """DATE/TIME entities, with neighbours that are one expression joined
    ("8:30 p." + "m. Thursday", "12:45 p.m. on Thursday" stays two)."""
    ents = [e for e in doc.ents if e.label_ in ("DATE", "TIME")]
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


def extract_dates(doc: Doc, article: Article, rules: Rules) -> list[Claim]:
    """Date claims for the DATE/TIME entities of one article."""
    base = parse_published(article.published)
    parts = Participants(doc, [m for m in mentions_of(doc, article, rules)])
    claims: list[Claim] = []
    for ent in _merged(doc):
        if not article.is_checked(ent.start_char, ent.end_char):
            continue
        clause = _when_clause(doc, ent)
        if _skip(doc, ent) and clause is None:
            continue
        ev = event_of(_root(ent), parts, rules, clause)
        if ev is None:
            continue
        start, hedge = _hedge_before(doc, ent)
        surface = doc_text(doc)[start : ent.end_char]
        when = parse(surface, base, future=ev.future)
        if when.empty:
            continue
        bound = BOUND_BEFORE.get(doc[ent.start - 1].lower_) if ent.start > 0 else None
        sent = ent.sent
        claims.append(
            Claim.in_sentence(
                article, sent, ent.start_char, ent.end_char, ent.text, "date", ev.subject, when.iso(),
                qualifier=bound or ("~" if when.approx or hedge else "="),
                low=float(when.days[0]) if when.days else None,
                high=float(when.days[1]) if when.days else None,
                display=surface,
                extra={"event": ev.to_dict(), "when": _when_dict(when), "bound": bound},
            )
        )
    return claims


def _when_dict(w) -> dict:
    return {
        "year": w.year, "month": w.month, "day": w.day, "weekday": w.weekday, "minutes": w.minutes,
        "zone": w.zone, "days": w.days, "doy": w.doy, "offset": w.offset, "approx": w.approx, "part": w.part,
    }
