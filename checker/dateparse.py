"""Reading dates and times: "May 30, 2005", "Thursday", "nine days earlier", "3.45pm".

A date expression becomes a ``When``: what the text fixes (year, month,
day, weekday, clock time and zone), the span it allows (ordinal days when
the year is known, else days of the year), and how it is hedged ("about
3pm", "early December"). Relative expressions are resolved against the
article's publication date when the metadata gives one (through dateparser
with a relative base where the grammar here does not cover the phrase);
without one, "Thursday" stays a weekday and "nine days earlier" an offset
from the unknown publication day, which is still comparable with another
undated article's offset.

``compatible`` says whether two ``When`` can both be true.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
MONTHS["sept"] = 9
WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}
WEEKDAYS.update({d.lower(): i for i, d in enumerate(calendar.day_abbr)})
NUM_WORDS = {
    "a": 1,
    "an": 1,
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
    "several": 3,
    "a few": 3,
    "few": 3,
    "a couple of": 2,
    "couple of": 2,
}
UNIT_DAYS = {
    "day": 1,
    "days": 1,
    "week": 7,
    "weeks": 7,
    "fortnight": 14,
    "fortnights": 14,
    "month": 30,
    "months": 30,
    "year": 365,
    "years": 365,
}
DECADE_WORDS = {
    "twenties": 2,
    "thirties": 3,
    "forties": 4,
    "fifties": 5,
    "sixties": 6,
    "seventies": 7,
    "eighties": 8,
    "nineties": 9,
}
ZONES = {
    "gmt": 0,
    "utc": 0,
    "bst": 60,
    "cet": 60,
    "ist": 330,
    "est": -300,
    "edt": -240,
    "cst": -360,
    "cdt": -300,
    "mst": -420,
    "mdt": -360,
    "pst": -480,
    "pdt": -420,
    "et": -300,
    "pt": -480,
    "wib": 420,
    "wit": 540,
}
HEDGE_WORDS = (
    "about",
    "around",
    "approximately",
    "roughly",
    "some",
    "circa",
    "nearly",
    "almost",
    "shortly after",
    "just after",
    "shortly before",
    "just before",
    "early",
    "late",
    "approx",
)

_MON = "|".join(sorted(MONTHS, key=len, reverse=True))
_WD = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
RX_MDY = re.compile(rf"\b({_MON})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:\s*(?:,|and\s+\d{{1,2}},?)?\s*(\d{{4}}))?\b")
RX_DMY = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MON})\.?(?:,?\s+(\d{{4}}))?\b")
# "10 Nov 11", "3 Dec '08": day, month and a two-digit year (military and navy
# releases, datelines). Only with the day before the month: "Nov 11" alone is a day.
_MON_ABBR = "|".join(sorted({m.lower() for m in calendar.month_abbr if m} | {"sept"}, key=len, reverse=True))
RX_DMYY = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?[\s-]+(?:({_MON_ABBR})\.?[\s-]+|({_MON})\.?[\s-]+')(\d\d)\b"
    r"(?![\d:]|\.\d|\s*(?:[ap]\.?m\b|hours|hrs|gmt|utc|[a-z]))"
)
RX_MY = re.compile(rf"\b({_MON})\.?,?\s+(\d{{4}})\b")
RX_MONTH = re.compile(rf"\b({_MON})\b\.?")
RX_YEAR = re.compile(r"(?<![\d:.])(1[5-9]\d\d|20\d\d)(?![\d:])(?!s)")
RX_DECADE = re.compile(r"\b(1[5-9]\d|20\d)0s\b|\b'?([2-9])0s\b")
RX_WD = re.compile(rf"\b({_WD})\b\.?")
RX_TIME = re.compile(
    r"\b(\d{1,2})(?:[:.](\d\d))?\s*(a\.?\s?m\.?|p\.?\s?m\.?)(?![a-z])|\b(\d{1,2}):(\d\d)\b|\b([01]\d|2[0-3])([0-5]\d)\s*(?:hours|hrs|gmt|utc|h)\b|\b(noon|midday|midnight)\b",
    re.I,
)
RX_ZONE = re.compile(r"\b(" + "|".join(ZONES) + r")\b|\blocal time\b", re.I)
RX_AGO = re.compile(
    r"\b(a few|a couple of|several|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|\d+)\s+"
    r"(days?|weeks?|fortnights?|months?|years?)\s+(ago|earlier|before|previously)\b"
)


ORDINAL_WORDS = {
    w: i + 1
    for i, w in enumerate(
        [
            "first",
            "second",
            "third",
            "fourth",
            "fifth",
            "sixth",
            "seventh",
            "eighth",
            "ninth",
            "tenth",
            "eleventh",
            "twelfth",
        ]
    )
}
_ORD = r"(?:" + "|".join(ORDINAL_WORDS) + r"|\d{1,2}(?:st|nd|rd|th))"
_CNUM = r"(?:\d{1,2}|" + "|".join(w for w in NUM_WORDS if " " not in w and w not in ("several", "few")) + r")"
PERIOD_UNITS = ("round", "quarter", "period", "half", "inning", "innings", "set", "frame", "lap")
_PU = "|".join(PERIOD_UNITS)
# "44 seconds into the seventh round", "after 44 seconds of the seventh round",
# "1:30 into the third quarter", "two seconds remaining of the sixth round",
# "at the 2:15 mark", "2:15 of round seven".
RX_CLOCK = re.compile(
    rf"\b(?:(?P<n>{_CNUM})\s+(?P<nu>seconds?|secs?|minutes?|mins?)|(?P<m>\d{{1,2}}):(?P<s>[0-5]\d))"
    rf"(?:\s+(?P<left>remaining|left|to go|from the end))?"
    rf"\s+(?:into|of|in)\s+(?:the\s+)?(?:(?P<p>{_ORD})[\s-]+(?P<u>{_PU})\b|(?P<u2>{_PU})\s+(?P<p2>{_CNUM})\b)"
    rf"|\bthe\s+(?P<mm>\d{{1,2}}):(?P<ss>[0-5]\d)\s+mark\b"
    rf"|\b(?:in|into)\s+the\s+(?P<minute>\d{{1,3}}(?:st|nd|rd|th)|{_ORD})\s+minute\b",
    re.I,
)
RX_PERIOD = re.compile(
    rf"\b(?:(?:in|of)\s+the\s+(?P<p>{_ORD})(?:[\s-]+(?P<u>{_PU}))?\b|(?P<u2>{_PU})\s+(?P<p2>{_CNUM})\b)", re.I
)


def _ordinal(word: str | None) -> int | None:
    if not word:
        return None
    w = word.lower()
    if w in ORDINAL_WORDS:
        return ORDINAL_WORDS[w]
    m = re.match(r"\d+", w)
    return int(m.group(0)) if m else _num(w)


def parse_clock(text: str, context: str = "") -> dict | None:
    """A game or fight clock in ``text`` ("44 seconds into the seventh round").

    ``context`` is the text before it in the sentence, where "at the 2:15
    mark" finds its period ("... wrapping it up in the seventh ... at the 2:15
    mark"). Returns {"period", "unit", "elapsed" | "remaining"} in seconds.
    """
    m = RX_CLOCK.search(text)
    if not m:
        return None
    if m.group("minute"):
        # "in the 89th minute" of a match: the minute that began at 88:00.
        n = _ordinal(m.group("minute"))
        if n is None or n < 1:
            return None
        return {"period": None, "unit": "minute", "elapsed": [(n - 1) * 60, n * 60]}
    if m.group("mm"):
        secs = int(m.group("mm")) * 60 + int(m.group("ss"))
        period = unit = None
        before = list(RX_PERIOD.finditer(context))
        if before:
            b = before[-1]
            period = _ordinal(b.group("p") or b.group("p2"))
            unit = (b.group("u") or b.group("u2") or "").lower() or None
        return {"period": period, "unit": unit, "elapsed": [secs, secs]}
    if m.group("m"):
        secs = int(m.group("m")) * 60 + int(m.group("s"))
    else:
        n = _num(m.group("n"))
        if n is None:
            return None
        secs = n * (60 if m.group("nu").lower().startswith("min") else 1)
    period = _ordinal(m.group("p") or m.group("p2"))
    unit = (m.group("u") or m.group("u2")).lower()
    key = "remaining" if m.group("left") else "elapsed"
    return {"period": period, "unit": unit, key: [secs, secs]}


def clocks_compatible(a: dict, b: dict) -> bool | None:
    """Two game clocks: True/False when comparable, None when they measure differently."""
    if a.get("unit") and b.get("unit") and a["unit"] != b["unit"] and "minute" in (a["unit"], b["unit"]):
        return None  # minute of the match against a period clock: measured differently
    if a.get("unit") and b.get("unit") and a["unit"] != b["unit"]:
        return None
    pa, pb = a.get("period"), b.get("period")
    if pa is not None and pb is not None and pa != pb:
        return False
    length = _period_length(a, b)
    if length is not None:
        ea, eb = _elapsed(a, length), _elapsed(b, length)
        if ea is not None and eb is not None and ("remaining" in a) != ("remaining" in b):
            # One clock counts up, the other down: read both as elapsed time. The
            # remaining time is the official elapsed time subtracted from the period,
            # so it agrees to the second (one second for rounding), not three.
            return ea[0] - 1 <= eb[1] and eb[0] - 1 <= ea[1]
    for key in ("elapsed", "remaining"):
        if a.get(key) is not None and b.get(key) is not None:
            (lo1, hi1), (lo2, hi2) = a[key], b[key]
            # A clock read to the second gets a few seconds' slack; a minute of the
            # match is the span [start, end), so the 89th and 90th minutes differ.
            slack = 3 if lo1 == hi1 and lo2 == hi2 else 0
            return lo1 - slack < hi2 + (slack > 0) and lo2 - slack < hi1 + (slack > 0)
    return None


def _period_length(a: dict, b: dict) -> int | None:
    """The period length two clocks share (set by the extractor from the sport), None if unknown or different."""
    la, lb = a.get("length"), b.get("length")
    if la is not None and lb is not None:
        return la if la == lb else None
    return la if la is not None else lb


def _elapsed(clock: dict, length: int) -> tuple[int, int] | None:
    """A clock's elapsed span in a period of ``length`` seconds (a remaining time subtracted)."""
    if clock.get("elapsed") is not None:
        lo, hi = clock["elapsed"]
        return (int(lo), int(hi))
    if clock.get("remaining") is not None:
        lo, hi = clock["remaining"]
        if hi > length:
            return None
        return (length - int(hi), length - int(lo))
    return None


RX_BARE_CLOCK = re.compile(r"(?:(?:at|after)\s+)?(?:the\s+)?(\d{1,2}):([0-5]\d)")


def parse_bare_clock(text: str, context: str = "") -> dict | None:
    """A bare "2:56" read as a contest clock, for an event that ends a contest.

    "referee Sam Williams stopped the fight at 2:56" gives no am or pm and no
    zone: on the stoppage of a fight it is the time into the round. The
    period comes from ``context`` (the sentence before it: "dropped him again
    in the sixth"), else it is left open. Minutes over 59 or a clock time with
    am/pm are not bare.
    """
    m = RX_BARE_CLOCK.fullmatch(" ".join(text.lower().split()))
    if not m:
        return None
    secs = int(m.group(1)) * 60 + int(m.group(2))
    period = unit = None
    before = list(RX_PERIOD.finditer(context))
    if before:
        b = before[-1]
        period = _ordinal(b.group("p") or b.group("p2"))
        unit = (b.group("u") or b.group("u2") or "").lower() or None
    return {"period": period, "unit": unit, "elapsed": [secs, secs]}


@dataclass
class When:
    """What a date expression fixes, and the span it allows."""

    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None  # Monday = 0
    minutes: tuple[int, int] | None = None  # clock time span, minutes after midnight
    zone: str | None = None  # "gmt", "local", ...
    days: tuple[int, int] | None = None  # ordinal day span (year known)
    doy: tuple[int, int] | None = None  # day-of-year span (year unknown)
    offset: tuple[int, int] | None = None  # days relative to an unknown publication day
    approx: bool = False
    part: str | None = None  # early / mid / late
    notes: list[str] = field(default_factory=list)
    # A clock on a game or fight: {"period": 7, "unit": "round", "elapsed": [44, 44]}
    # or {"remaining": [2, 2]} (seconds); compared only with clocks of the same kind.
    clock: dict | None = None
    # A time relative to something the text does not date ("that night", "the next day",
    # "next year" without a publication date): kept as written, never compared.
    relative: str | None = None
    # Minutes to add to ``minutes`` for UTC, when the zone (or the place's zone) is known.
    utc_offset: int | None = None

    @property
    def empty(self) -> bool:
        return not any(
            x is not None
            for x in (
                self.year,
                self.month,
                self.day,
                self.weekday,
                self.minutes,
                self.offset,
                self.days,
                self.doy,
                self.clock,
                self.relative,
            )
        )

    def iso(self) -> str:
        """ISO 8601 (with the truncated forms for missing parts).

        A game clock is written ``R7+00:44`` (44 seconds into round 7) or
        ``R6-00:02`` (two seconds left); an unanchored relative time ``R/next-day``.
        """
        if self.clock is not None:
            return clock_iso(self.clock)
        if self.relative is not None and self.empty_calendar:
            return f"R/{self.relative}"
        t = ""
        if self.minutes is not None:
            lo = self.minutes[0]
            t = f"T{lo // 60:02d}:{lo % 60:02d}"
        if self.year is not None and self.month is not None and self.day is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}{t}"
        if self.year is not None and self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        if self.days is not None and self.days[1] - self.days[0] > 366:
            a, b = date.fromordinal(self.days[0]).year, date.fromordinal(self.days[1]).year
            return f"{a:04d}/{b:04d}"
        if self.year is not None and self.month is None:
            return f"{self.year:04d}"
        if self.days is not None:
            a, b = date.fromordinal(self.days[0]), date.fromordinal(self.days[1])
            return a.isoformat() + t if a == b else f"{a.isoformat()}/{b.isoformat()}"
        if self.month is not None and self.day is not None:
            return f"--{self.month:02d}-{self.day:02d}{t}"
        if self.month is not None:
            return f"--{self.month:02d}"
        if self.weekday is not None:
            return f"-W-{self.weekday + 1}{t}"
        if self.offset is not None:
            lo, hi = self.offset
            return f"P{-hi}D" if lo == hi else f"P{-hi}D/P{-lo}D"
        return t or ""

    @property
    def empty_calendar(self) -> bool:
        """Nothing fixes a day, a clock time or an offset."""
        return not any(
            x is not None
            for x in (self.year, self.month, self.day, self.weekday, self.minutes, self.offset, self.days, self.doy)
        )


def clock_iso(clock: dict) -> str:
    """``R7+00:44``: period, then + elapsed or - remaining seconds as m:ss."""
    head = f"R{clock['period']}" if clock.get("period") is not None else ""
    for key, sign in (("elapsed", "+"), ("remaining", "-")):
        span = clock.get(key)
        if span is not None:
            s = int(span[0])
            return f"{head}{sign}{s // 60:02d}:{s % 60:02d}"
    return head


# Where a place's time zone comes from: ``place_timezone(name) -> "Asia/Aden" | None``,
# given by the places stage (its gazetteer) or set with ``set_place_timezone``.
_place_timezone = None


def set_place_timezone(fn) -> None:
    """Use ``fn(name) -> IANA zone or None`` to read local clock times in UTC (None: the default)."""
    global _place_timezone
    _place_timezone = fn


def place_timezone(name: str) -> str | None:
    """The IANA time zone of a place, from the hook or the places stage; None when unknown."""
    fn = _place_timezone
    if fn is None:
        import importlib

        for module in ("checker.places", "checker.extract.places"):
            try:
                fn = getattr(importlib.import_module(module), "place_timezone", None)
            except ImportError:
                fn = None
            if fn is not None:
                break
        if fn is None:
            return None
    try:
        return fn(name)
    except Exception:  # a gazetteer failing on odd text must not stop a run
        return None


def place_utc_offset(name: str, day: date | None) -> int | None:
    """Minutes to add to a local clock time at ``name`` for UTC, on ``day`` (for summer time)."""
    tz = place_timezone(name)
    if not tz:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    d = day or date(2001, 1, 15)
    off = datetime(d.year, d.month, d.day, 12, tzinfo=zone).utcoffset()
    return None if off is None else -int(off.total_seconds() // 60)


def parse_published(text: str | None) -> date | None:
    """The publication day from metadata in the shapes outlets use.

    ("2010-09-10", "Friday, Sep 10, 2010 | Updated 9:28 AM EDT",
    "09/10/10 08:23 PM ET", "10:10 AM PDT 6/6/2013", "June 6th, 2013 7:38pm EDT").
    """
    if not text:
        return None
    t = text.strip()
    try:
        return datetime.fromisoformat(t.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    m = re.search(r"\b(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})\b", t)
    if m:
        mo, d, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        y = y + 2000 if y < 50 else y + 1900 if y < 100 else y
        try:
            return date(y, mo, d)
        except ValueError:
            pass
    for part in t.split("|"):
        w = parse(part)
        if w.year and w.month and w.day:
            return date(w.year, w.month, w.day)
    import dateparser

    try:
        got = dateparser.parse(t.split("|")[0], languages=["en"], settings={"PREFER_DAY_OF_MONTH": "first"})
    except (ValueError, OverflowError, TypeError):
        return None
    return got.date() if got else None


def _num(word: str) -> int | None:
    word = word.lower()
    if word.isdigit():
        return int(word)
    return NUM_WORDS.get(word)


def parse(text: str, base: date | None = None, future: bool = False, anchor: date | None = None) -> When:
    """Read a date/time expression; resolve relative parts against ``base``.

    ``anchor`` is the day of the event the article dated last, for "that
    night" and "the next day". Never raises: an expression that names an
    impossible day ("February 30", "9999999999 years ago") reads as nothing
    rather than stopping a run.
    """
    try:
        return _parse(text, base, future, anchor)
    except (ValueError, OverflowError):
        return When()


def _parse(text: str, base: date | None, future: bool, anchor: date | None = None) -> When:
    w = When()
    low = " ".join(text.lower().replace("’", "'").split())
    low = re.sub(r"\bp\.\s+m\b", "p.m", low)
    low = re.sub(r"\ba\.\s+m\b", "a.m", low)
    w.approx = bool(re.search(r"\b(about|around|approximately|roughly|some|circa|nearly|almost|approx)\b", low))
    # Parts of a month or year: early / mid / late / end.
    pm = re.search(r"\b(early|mid|late|end)\b|-end\b|\bend of\b", low)
    if pm:
        w.part = {"early": "early", "mid": "mid", "late": "late"}.get(pm.group(1) or "", "late")
    _clock(low, w)
    rest = RX_TIME.sub(" ", low)
    _calendar(rest, w, base)
    wd = RX_WD.search(rest)
    if wd and not re.search(r"\b(may)\b", wd.group(0)):
        w.weekday = WEEKDAYS[wd.group(1)]
    _relative(rest, w, base, future, anchor)
    _span(w, base, future)
    return w


def _clock(low: str, w: When) -> None:
    m = RX_TIME.search(low)
    if not m:
        return
    if m.group(3):
        h, mi = int(m.group(1)), int(m.group(2) or 0)
        if h > 12:
            return
        pm = m.group(3).startswith("p")
        h = (h % 12) + (12 if pm else 0)
    elif m.group(4):
        h, mi = int(m.group(4)), int(m.group(5))
    elif m.group(6):
        h, mi = int(m.group(6)), int(m.group(7))
    else:
        h, mi = {"noon": (12, 0), "midday": (12, 0), "midnight": (0, 0)}[m.group(8).lower()]
    if h > 23 or mi > 59:
        return
    t = h * 60 + mi
    slack = 30 if w.approx else 0
    if re.search(r"\b(shortly|just)\s+after\b", low):
        w.minutes = (t, t + 30)
    elif re.search(r"\b(shortly|just)\s+before\b", low):
        w.minutes = (t - 30, t)
    else:
        w.minutes = (t - slack, t + slack)
    z = RX_ZONE.search(low)
    if z:
        w.zone = (z.group(1) or "local").lower()


def two_digit_year(yy: int, base: date | None) -> int:
    """The century of "'11": the one that puts the year nearest the publication year (else 2000-2049 / 1950-1999)."""
    if base is not None:
        return min((c + yy for c in (1900, 2000, 2100)), key=lambda y: (abs(y - base.year), y))
    return 2000 + yy if yy < 50 else 1900 + yy


def _calendar(low: str, w: When, base: date | None = None) -> None:
    short = RX_DMYY.search(low)
    if short:
        w.day, w.month = int(short.group(1)), MONTHS[short.group(2) or short.group(3)]
        w.year = two_digit_year(int(short.group(4)), base)
        if not 1 <= w.day <= 31:
            w.day = None
        return
    m = RX_MDY.search(low) or None
    if m:
        w.month, w.day = MONTHS[m.group(1)], int(m.group(2))
        if m.group(3):
            w.year = int(m.group(3))
    else:
        m = RX_DMY.search(low)
        if m:
            w.day, w.month = int(m.group(1)), MONTHS[m.group(2)]
            if m.group(3):
                w.year = int(m.group(3))
        else:
            m = RX_MY.search(low)
            if m:
                w.month, w.year = MONTHS[m.group(1)], int(m.group(2))
            else:
                mm = RX_MONTH.search(low)
                # "may" is a month only beside a number or a part word.
                if mm and (mm.group(1) != "may" or re.search(r"\b(early|mid|late|in|of)\s+may\b|\bmay\s+\d", low)):
                    w.month = MONTHS[mm.group(1)]
    if w.day is not None and not 1 <= w.day <= 31:
        w.day = None
    if w.year is None:
        y = RX_YEAR.search(low)
        if y:
            w.year = int(y.group(1))
    if w.year is None and w.month is None:
        d = RX_DECADE.search(low)
        if d and d.group(1):
            start = int(d.group(1)) * 10
            w.notes.append(f"decade:{start}")
        else:
            for word, n in DECADE_WORDS.items():
                if re.search(rf"\bnineteen[\s-]+{word}\b", low):
                    w.notes.append(f"decade:{1900 + n * 10}")


# Times relative to an event the article has just dated: "that night" is that event's day,
# "the next day" the day after. Resolved against ``anchor`` (the last full date before them
# in the article), else kept as relative and never compared.
ANCHORED = (
    (
        re.compile(
            r"\b(?:the\s+)?(?:next|following)\s+(?:day|morning|afternoon|evening|night)\b|\bthe\s+day\s+after\b"
        ),
        1,
        "next-day",
    ),
    (
        re.compile(
            r"\b(?:the\s+)?(?:previous|preceding)\s+(?:day|morning|afternoon|evening|night)\b|\bthe\s+day\s+before\b"
        ),
        -1,
        "previous-day",
    ),
    (
        re.compile(
            r"\b(?:later|earlier)?\s*that\s+(?:same\s+)?(?:day|morning|afternoon|evening|night)\b|\bthe\s+same\s+day\b"
        ),
        0,
        "same-day",
    ),
)
# Calendar words relative to the publication day: (regex, unit, step).
NEXT_LAST = re.compile(r"\b(next|last|this|coming)\s+(week|month|year)\b")


def _relative(low: str, w: When, base: date | None, future: bool, anchor: date | None = None) -> None:
    """Yesterday, "nine days earlier", "last month": offsets from the publication day."""
    off: tuple[int, int] | None = None
    for rx, step, name in ANCHORED:
        if rx.search(low):
            if anchor is not None:
                d = anchor + timedelta(days=step)
                w.year, w.month, w.day = d.year, d.month, d.day
            else:
                w.relative = name
            return
    nl = NEXT_LAST.search(low)
    if nl and not RX_AGO.search(low):
        which, unit = nl.group(1), nl.group(2)
        step = {"next": 1, "coming": 1, "last": -1, "this": 0}[which]
        if unit != "week":
            if base is None:
                if which != "this":
                    w.relative = f"{which}-{unit}"
            elif unit == "year":
                w.year = base.year + step
            else:
                y, mo = divmod(base.year * 12 + base.month - 1 + step, 12)
                w.year, w.month = y, mo + 1
            return
        if which in ("next", "coming"):
            if base is None:
                w.relative = "next-week"
            else:
                a = base + timedelta(days=7 - base.weekday())
                w.days = (a.toordinal(), a.toordinal() + 6)
            return
        # "this week" and "last week" are offsets from publication (below).
    if re.search(r"\byesterday\b|\blast night\b", low):
        off = (-1, -1)
    elif re.search(r"\bovernight\b", low):
        off = (-1, 0)  # the night before the story's day
    elif re.search(r"\btoday\b|\btonight\b|\bthis (morning|afternoon|evening)\b", low):
        off = (0, 0)
    elif re.search(r"\btomorrow\b", low):
        off = (1, 1)
    elif re.search(r"\b(earlier\s+)?this week\b", low):
        off = (-6, 0)
    elif re.search(r"\blast week\b", low):
        off = (-13, -5)
    m = RX_AGO.search(low)
    if m:
        n = _num(m.group(1))
        unit = UNIT_DAYS[m.group(2)]
        if n is not None and n * unit < 365 * 200:
            d = n * unit
            lo, hi = -d, -d
            if re.search(r"\b(almost|nearly)\b", low):
                lo, hi = -d, -int(d * 0.85)
            elif w.approx or unit >= 30:
                spread = max(1, int(d * 0.15))
                lo, hi = -d - spread, -d + spread
            if m.group(3) == "earlier":
                # Earlier than the story's day, itself about a day before publication.
                lo -= 2
            off = (lo, hi)
    if off is None:
        if re.search(r"\b(end|close) of (the|this) month\b", low):
            if base is not None:
                w.year, w.month, w.part = base.year, base.month, "late"
            else:
                w.relative = "end-of-month"
        return
    if base is not None:
        a, b = base + timedelta(days=off[0]), base + timedelta(days=off[1])
        w.days = (a.toordinal(), b.toordinal())
        if a == b:
            w.year, w.month, w.day = a.year, a.month, a.day
    else:
        w.offset = off


def _span(w: When, base: date | None, future: bool) -> None:
    """The day span the expression allows (ordinal days, or days of the year)."""
    if w.days is not None:
        return
    decade = next((int(n.split(":")[1]) for n in w.notes if n.startswith("decade:")), None)
    if decade is not None and w.year is None and w.month is None:
        a, b = decade, decade + 9
        if w.part == "early":
            b = decade + 4
        elif w.part == "late":
            a = decade + 5
        w.days = (date(a, 1, 1).toordinal(), date(b, 12, 31).toordinal())
        return
    # A weekday alone: the last such day up to publication (the next, for a future verb).
    if w.weekday is not None and w.month is None and w.year is None and base is not None:
        back = (base.weekday() - w.weekday) % 7
        d = base + timedelta(days=(7 - back) % 7) if future else base - timedelta(days=back)
        w.year, w.month, w.day = d.year, d.month, d.day
    if w.month is not None and w.year is None and base is not None:
        # A date without a year: the publication year, unless that puts a past event ahead.
        y = base.year
        try:
            cand = date(y, w.month, w.day or 1)
        except ValueError:
            return
        if not future and cand > base + timedelta(days=7):
            y -= 1
        elif future and cand < base - timedelta(days=7):
            y += 1
        w.year = y
    lo_hi = _part_days(w)
    if lo_hi is None:
        return
    if w.year is not None:
        try:
            if w.month is None:
                a, b = date(w.year, 1, 1), date(w.year, 12, 31)
                if w.part == "early":
                    b = date(w.year, 4, 30)
                elif w.part == "late":
                    a = date(w.year, 9, 1)
            else:
                a = date(w.year, w.month, lo_hi[0])
                b = date(w.year, w.month, min(lo_hi[1], calendar.monthrange(w.year, w.month)[1]))
        except ValueError:
            return
        slack = 1 if w.approx and w.day else 0
        w.days = (a.toordinal() - slack, b.toordinal() + slack)
    elif w.month is not None:
        start = date(2001, w.month, 1).timetuple().tm_yday
        w.doy = (start + lo_hi[0] - 1, start + min(lo_hi[1], calendar.monthrange(2001, w.month)[1]) - 1)


def _part_days(w: When) -> tuple[int, int] | None:
    """Days of the month a date allows: one day, or a third of the month for a part."""
    if w.day is not None:
        return (w.day, w.day)
    if w.month is None:
        return (1, 31) if w.year is not None else None
    return {"early": (1, 10), "mid": (11, 20), "late": (20, 31)}.get(w.part or "", (1, 31))


def compatible(a: When, b: When) -> bool:
    """Can both be true? Parts one of them leaves open never conflict.

    A game clock is compared only with another clock; a time relative to
    something undated ("the next day" with no date before it) with nothing.
    """
    if a.clock is not None or b.clock is not None:
        if a.clock is None or b.clock is None:
            return True
        return clocks_compatible(a.clock, b.clock) is not False
    if (a.relative and a.empty_calendar) or (b.relative and b.empty_calendar):
        return True
    days_ok = _days_compatible(a, b)
    if days_ok is False:
        return False
    if a.minutes is not None and b.minutes is not None and days_ok is not None:
        shift = _zone_shift(a, b)
        if shift is None:
            return True
        lo1, hi1 = a.minutes
        lo2, hi2 = b.minutes[0] + shift, b.minutes[1] + shift
        # A shift across midnight ("11:37 pm EST" is "0437 GMT" the next day); and a
        # span across midnight when no day is fixed ("about midnight" holds 11:50 pm).
        wraps = (0, -1440, 1440) if shift or not (_fixes_a_day(a) and _fixes_a_day(b)) else (0,)
        if not any(lo1 <= hi2 + k and lo2 + k <= hi1 for k in wraps):
            return False
    return True


def _fixes_a_day(w: When) -> bool:
    """Does the expression name its day (a date, a weekday, an offset), so its clock cannot slide across midnight?"""
    return w.days is not None or w.weekday is not None or w.offset is not None or w.doy is not None


def zone_offset(zone: str | None) -> int | None:
    """Minutes to add to a clock time in ``zone`` for UTC (GMT 0, EST +300), None if unknown."""
    if zone is None or zone == "local":
        return None
    z = ZONES.get(zone)
    return None if z is None else -z


def _zone_shift(a: When, b: When) -> int | None:
    """Minutes to add to b's clock to read it in a's zone; None when they cannot be compared.

    Same zone words (or none on both): no shift. Otherwise both must be tied to UTC,
    by a zone word ("0737 GMT") or by the place's zone ("7:37 AM local time" in Aden).
    """
    za, zb = a.zone or "local", b.zone or "local"
    ua = a.utc_offset if a.utc_offset is not None else zone_offset(za)
    ub = b.utc_offset if b.utc_offset is not None else zone_offset(zb)
    if ua is not None and ub is not None:
        return ub - ua
    return 0 if za == zb else None


def _days_compatible(a: When, b: When) -> bool | None:
    """True/False when the days can be compared, None when nothing says which day."""
    if a.days is not None and b.days is not None:
        return a.days[0] <= b.days[1] and b.days[0] <= a.days[1]
    # Weekdays: against each other, or against a full date.
    wa, wb = _weekday_of(a), _weekday_of(b)
    if wa is not None and wb is not None and (a.weekday is not None or b.weekday is not None):
        return wa == wb
    # Months and days without a year: assume one year.
    da, db = _doy(a), _doy(b)
    if da is not None and db is not None:
        return da[0] <= db[1] and db[0] <= da[1]
    # Offsets from two unknown publication days, taken as within two days of each other.
    if a.offset is not None and b.offset is not None:
        return a.offset[0] - 2 <= b.offset[1] and b.offset[0] - 2 <= a.offset[1]
    if a.minutes is not None and b.minutes is not None and a.empty is False and b.empty is False:
        # Two clock times with no day: taken as the same day.
        if (
            a.days is None
            and b.days is None
            and a.weekday is None
            and b.weekday is None
            and a.month is None
            and b.month is None
            and a.offset is None
            and b.offset is None
        ):
            return True
    return None


def _weekday_of(w: When) -> int | None:
    if w.weekday is not None:
        return w.weekday
    if w.days is not None and w.days[0] == w.days[1]:
        return date.fromordinal(w.days[0]).weekday()
    return None


def _doy(w: When) -> tuple[int, int] | None:
    if w.doy is not None:
        return w.doy
    if w.days is not None and w.days[1] - w.days[0] < 32:
        a, b = date.fromordinal(w.days[0]), date.fromordinal(w.days[1])
        if a.year != b.year:
            return None
        da = date(2001, a.month, min(a.day, 28 if a.month == 2 else a.day)).timetuple().tm_yday
        db = date(2001, b.month, min(b.day, 28 if b.month == 2 else b.day)).timetuple().tm_yday
        return (da, db)
    return None
