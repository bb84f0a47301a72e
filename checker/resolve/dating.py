"""When was an undated article published? An estimate from the page or the text.

Story grouping keeps articles published far apart in different stories; an
article without a publication date used to be free to join any story, so
recurring news (a club's injury reports, an annual event, two earthquakes at
one place) merged across years. The estimate, in order of trust:

- ``html``: for a web page whose metadata gives no date, htmldate's search of
  the page for its original publication date (ingest, where the HTML is);
- ``dateline``: a date standing on its own line near the top ("June 6, 2013
  3:05 PM EDT") or a wire dateline ("LONDON, March 3 (Reuters) -", whose year
  comes from the text); as good as metadata;
- ``text``: the most recent date or year the article reports in the past
  tense. An article is published on or after the latest event it reports, so
  this is a lower bound only ("2008-12-13/..", ISO 8601's open interval):
  "floored Lennox Lewis in 2001" in a 2008 article must not date it 2001.
  Dates governed by a future or planning verb ("will meet on", "scheduled
  for") and bounds ("until", "by") are not events it reports.

Besides the estimate, the article's ``refs``: the days of every event the
text dates to the day, with a year, whatever the tense. A
follow-up two years on ("convicted of the September 10, 2010 rampage")
refers back to the earlier story's time and may join it (checker/resolve/stories.py).

The estimate is recorded (``Article.published_estimate`` / ``published_basis``,
the claims' columns of the same names) but never replaces ``published``:
relative dates ("Thursday"), currency rates and updates-versus-conflicts need
the day an article appeared, and a lower bound from its text is not that day
(a "Thursday" resolved against it could be weeks off and make a false
conflict). Only story grouping reads it.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

from checker.dateparse import MONTHS, parse, parse_published
from checker.models import Dating

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

    from checker.models import Article

# The key the dating travels under inside the fingerprint JSON (engine, store):
# terms are "e:..." / "n:...", so it never collides with one.
DATING_KEY = "_dating"
BASES = ("html", "dateline", "text")
# Lines from the top searched for a dateline (headline, dateline, first paragraph).
DATELINE_LINES = 4
# A dateline line is short and holds little but the date ("Posted:", "Last updated at", the outlet).
DATELINE_MAX_CHARS = 70
DATELINE_MAX_WORDS = 4
# Verbs that place a dated event ahead, or only in prospect, even in the past tense ("was
# scheduled for June 5", "forecast a fall in 2005, followed by declines in 2006").
PLANNING_LEMMAS = frozenset(
    {
        "schedule", "plan", "expect", "set", "slate", "due", "postpone", "delay", "reschedule", "intend",
        "forecast", "predict", "project", "propose", "aim", "target", "hope", "want", "bid",
    }
)  # fmt: skip
# Auxiliaries of what has not happened: the future, and the modals ("could be floated in 2007").
PROSPECT_AUX = frozenset(
    {"will", "shall", "'ll", "wo", "to", "would", "could", "may", "might", "should", "must", "can", "ca"}
)
# Dependencies of a date that qualifies a noun ("a 2007 deadline", "London's 2012 Olympic bid").
ATTRIBUTIVE_DEPS = frozenset({"compound", "nmod", "amod", "poss", "nummod"})
# Words before a date that make it a bound, not an event ("until 2012", "by March 2010").
BOUND_WORDS = frozenset({"until", "till", "by", "through", "before", "ahead", "next", "upcoming", "coming"})

_MON = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY_WORDS = {
    "mon",
    "tue",
    "tues",
    "wed",
    "thu",
    "thur",
    "thurs",
    "fri",
    "sat",
    "sun",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "am",
    "pm",
    "a",
    "p",
    "m",
    "hrs",
    "gmt",
    "utc",
    "bst",
    "cet",
    "ist",
    "est",
    "edt",
    "cst",
    "cdt",
    "mst",
    "mdt",
    "pst",
    "pdt",
    "et",
    "pt",
    "th",
    "st",
    "nd",
    "rd",
}
RX_FULL_DATE = re.compile(
    rf"\b(?:(?:{_MON})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MON})\.?,?\s+\d{{4}}"
    rf"|(?:{_MON})\.?\s+\d{{1,2}}\s+\d{{4}})\b|\b\d{{1,2}}/\d{{1,2}}/(?:\d{{4}}|\d{{2}})\b",
    re.I,
)
# "LONDON, March 3 (Reuters) -", "MANNHEIM, Germany, Dec. 13, 2008 (AP) --", "Paris, 9 September -"
# The place is capitalised (case matters there); the month is not ("DEC. 13").
RX_WIRE = re.compile(
    rf"^\s*[A-Z][A-Za-z.'’-]*(?:[ -][A-Z][A-Za-z.'’-]*){{0,3}}(?:,\s*[A-Z][A-Za-z.' ]{{1,30}})?,\s+"
    rf"(?P<date>(?i:(?:{_MON})\.?\s+\d{{1,2}}|\d{{1,2}}\s+(?:{_MON})\.?)(?:,?\s+\d{{4}})?)\s*(?:\([^)\n]{{1,40}}\))?\s*[-–—:]",
)


def dating_of(doc: Doc, article: Article, today: date | None = None) -> Dating:
    """What the parsed article says about its publication day (see the module doc).

    ``today`` caps the evidence: a date after it is a typo or a plan, never a
    publication bound.
    """
    from checker.extract.common import doc_text

    text = doc_text(doc)
    limit = (today or date.today()).toordinal()
    refs: list[tuple[int, int]] = []
    latest: tuple[int, str] | None = None  # (first day, ISO of the evidence)
    for ent in doc.ents:
        if ent.label_ != "DATE" or not article.is_checked(ent.start_char, ent.end_char):
            continue
        w = parse(ent.text)
        if w.year is None or w.days is None or w.days[1] > limit:
            continue
        if w.day is not None:
            refs.append(w.days)
        if reported_past(ent) and (latest is None or w.days[0] > latest[0]):
            latest = (w.days[0], _iso(w))
    out = Dating(refs=sorted(set(refs)))
    line = dateline(text, latest[0] if latest else None, limit)
    if line is not None:
        out.estimate, out.basis, out.lo, out.hi, out.exact = (
            line.isoformat(),
            "dateline",
            line.toordinal(),
            line.toordinal(),
            True,
        )
    elif latest is not None:
        out.estimate, out.basis, out.lo = f"{latest[1]}/..", "text", latest[0]
    return out


def dateline(text: str, after: int | None = None, limit: int | None = None) -> date | None:
    """The day a dateline near the top of ``text`` gives, or None.

    A wire dateline without a year ("LONDON, March 3 (Reuters) -") takes the
    year of ``after`` (the latest event the text reports, an ordinal day):
    the first such day on or after it. Without that evidence it dates nothing.
    """
    lines = [ln for ln in text.splitlines() if ln.strip()][:DATELINE_LINES]
    for k, ln in enumerate(lines):
        if len(ln.strip()) <= DATELINE_MAX_CHARS and RX_FULL_DATE.search(ln) and _date_words_only(ln, first=k == 0):
            day = parse_published(ln.strip())
            if day is not None and (limit is None or day.toordinal() <= limit):
                return day
    for ln in lines:
        m = RX_WIRE.match(ln)
        if not m:
            continue
        w = parse(m.group("date"))
        if w.month is None or w.day is None:
            continue
        if w.year is not None:
            day = _day(w.year, w.month, w.day)
        elif after is not None:
            y = date.fromordinal(after).year
            day = _day(y, w.month, w.day)
            if day is not None and day.toordinal() < after:
                day = _day(y + 1, w.month, w.day)
        else:
            day = None
        if day is not None and (limit is None or day.toordinal() <= limit):
            return day
    return None


def html_estimate(html: str) -> str | None:
    """The original publication day htmldate finds anywhere in a page (ISO), or None.

    Called only where the page's metadata gives no date: the extensive
    search reads dates in the page's text and markup, a guess to record as
    an estimate, not as the publication date.
    """
    try:
        from htmldate import find_date

        found = find_date(html, original_date=True, extensive_search=True, outputformat="%Y-%m-%d")
    except Exception:  # htmldate on odd markup: no estimate, the run goes on
        return None
    return found or None


def dating_for_stories(article: Article, dating: Dating | dict[str, Any] | None) -> Dating | None:
    """The publication bounds story grouping uses: the given date, else the estimate.

    A given date (parsed in the shapes outlets use) and an ``html`` estimate
    are single days; the first is exact, the second coarse (the page's text
    may date an event, not the page). The text's ``refs`` are kept either way.
    """
    d = Dating.from_dict(dating) if isinstance(dating, dict) else (dating or Dating())
    given = parse_published(article.published) if article.published else None
    if given is not None:
        return Dating(article.published, "given", given.toordinal(), given.toordinal(), True, d.refs)
    if article.published_basis == "html" and article.published_estimate:
        day = parse_published(article.published_estimate)
        if day is not None:
            return Dating(article.published_estimate, "html", day.toordinal(), day.toordinal(), False, d.refs)
    if d.lo is None and not d.refs:
        return None
    return d


def apply_estimates(articles: list[Article], datings: dict[str, dict[str, Any] | None]) -> None:
    """Record each undated article's estimate on it (an ``html`` one from ingest wins)."""
    for a in articles:
        if a.published or a.published_basis == "html":
            continue
        d = datings.get(a.id)
        if d and d.get("estimate"):
            a.published_estimate, a.published_basis = d["estimate"], d["basis"]


def reported_past(ent: Span, attributive: bool = False) -> bool:
    """Is the date that of an event the article reports as past?

    The governing verb is in the past tense (VBD, or a participle); neither it
    nor a verb above it plans or predicts ("was scheduled for", "forecast ...
    followed by declines in 2006") or has a future or modal auxiliary ("could
    be floated in 2007"); the date does not qualify a noun ("a 2007
    deadline"); and no bound word stands before it ("until 2012").
    ``attributive``: a date qualifying a noun counts too, for a weekday ("on
    Sunday morning", where "Sunday" qualifies "morning").
    """
    doc = ent.doc
    if ent.start > 0 and doc[ent.start - 1].lower_ in BOUND_WORDS:
        return False
    if any(t.lower_ in BOUND_WORDS for t in ent[:1]):
        return False
    tok = ent.root
    if not attributive and tok.dep_ in ATTRIBUTIVE_DEPS and tok.head.pos_ in ("NOUN", "PROPN"):
        return False
    tok = governing_verb(ent)
    if tok is None or tok.tag_ not in ("VBD", "VBN"):
        return False
    verb = tok
    for _ in range(8):
        if verb.pos_ in ("VERB", "AUX"):
            if verb.lemma_.lower() in PLANNING_LEMMAS:
                return False
            if any(c.dep_ in ("aux", "auxpass") and c.lower_ in PROSPECT_AUX for c in verb.children):
                return False
        if verb.head is verb:
            break
        verb = verb.head
    return True


def governing_verb(ent: Span) -> Any:
    """The verb a date phrase hangs from (up to eight steps up the parse), or None."""
    tok = ent.root
    for _ in range(8):
        if tok.pos_ in ("VERB", "AUX") or tok.head is tok:
            break
        tok = tok.head
    return tok if tok.pos_ in ("VERB", "AUX") else None


def _date_words_only(line: str, first: bool = False) -> bool:
    """Few words beyond the date itself: a dateline, not a sentence that names a date.

    On the first line (the headline, as a rule) only capitals may stand
    beside the date ("March 14, 2013-UNITED STATES-"): "Remembering the
    Sept. 11, 2001 attacks" is a headline, not a dateline.
    """
    rest = RX_FULL_DATE.sub(" ", line)
    words = [w for w in re.findall(r"[A-Za-z]+", rest) if w.lower() not in _DAY_WORDS and w.lower() not in MONTHS]
    if first and not all(w.isupper() for w in words):
        return False
    return len(words) <= DATELINE_MAX_WORDS


def _iso(w: Any) -> str:
    if w.month is not None and w.day is not None:
        return f"{w.year:04d}-{w.month:02d}-{w.day:02d}"
    if w.month is not None:
        return f"{w.year:04d}-{w.month:02d}"
    return f"{w.year:04d}"


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
