"""Quantity claims: value, hedge, unit, what is counted, who said it, scope.

Numbers are found in the sentence text (digits, words and mixes, with their
currency signs and scale suffixes), then judged with the spaCy parse of the
same sentence: spaCy's DATE/TIME/ORDINAL entities and the words around a
number rule out dates, clock times, rankings, article numbers and names; the
parse gives the counted noun, its owner and the clause's verb. quantulum3 is
asked only about measurement units the rules do not know, and only where
this pass already found a number (it misreads many news numbers on its own:
"2.15pm" is not picometres).
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from checker.currency_names import currency_by_name, currency_by_sign, is_currency_sign
from checker.extract.common import attribution, clause_of, doc_text, ent_span, scope_of, sentence_root
from checker.extract.numbers import (
    _DIGITS,
    _VULG,
    FRACTION_WORDS,
    ORDINAL_WORDS,
    SCALE_WORDS,
    SUFFIX_SCALES,
    UNITS_WORDS,
    parse_digits,
    parse_fraction,
    parse_words,
    rounding_unit,
    safe_float,
)
from checker.models import Claim

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from checker.models import Article
    from checker.rules import Rules

# Currency signs, and ISO codes written before the figure ("USD5m", "EUR 40"); a three-letter
# word that is no currency code is dropped from the mention again (``find_mentions``).
# A dollar sign may carry its country, glued or, in tokenised text, after a space ("C$", "c $",
# "HK $", "usd$", "Mex$"); ``_sign_start`` drops a prefix that names no currency ("the $5").
# Any other sign Unicode files as a currency symbol ("₾", "₭") is resolved through CLDR.
_SIGNS = "".join(sorted(ch for ch in map(chr, range(0x20A0, 0x20C1)) if is_currency_sign(ch)))
_CUR = (
    r"U\.S\.\s?\$|(?<![A-Za-z'])[A-Za-z]{1,3}\s?\$|\$|£|€|¥|["
    + _SIGNS
    + r"]|Rs\.?\s?|RM|(?<![A-Za-z])[ep](?=\d)|(?<![A-Za-z])[A-Z]{3}(?=\s?\d)"
)
_NUM = rf"(?:(?:{_DIGITS})[{_VULG}]?|[{_VULG}])"
# Letters glued to the number: a scale ("bn", "m") or a unit ("km", "GB", "p").
_SUF = r"[A-Za-z]{1,4}[23²³]?"  # "km2", "m³": an area or a volume
_SCALES = "hundred|thousand|lakhs?|crores?|million|billion|trillion"
_SCALE = rf"(?:[\s-]+(?:{_SCALES}))*"
_ONE = rf"(?P<curN>{_CUR})?\s?(?P<numN>{_NUM})(?P<sufN>{_SUF})?(?P<scaleN>{_SCALE})"
_ONE1, _ONE2 = _ONE.replace("N>", "1>"), _ONE.replace("N>", "2>")
DIGIT_RX = re.compile(rf"(?<![\w.,/:])(?:{_ONE1})(?:(?P<sep>\s?(?:-|–|—|to)\s?)(?:{_ONE2}))?(?![\w/]|[.,]\d)")
# Glued units the rules may not spell the same way.
GLUED_UNITS = {"p": "pence", "pc": "%", "gbs": "gb", "mbs": "mb", "lbs": "lb", "kms": "km", "in": "inch"}
_W = "|".join(sorted(UNITS_WORDS, key=len, reverse=True))
WORD_RX = re.compile(
    rf"\b(?:(?:a|an)\s+)?(?:(?:{_W})(?:[\s-]+(?:{_W}|{_SCALES}|and(?=\s+(?:{_W}))))*"
    rf"|(?:a|an)\s+(?:hundred|thousand|lakh|crore|million|billion|dozen)|dozen|(?:a|one)\s+pair(?=\s+of\b))"
    rf"(?:\s+(?:{_SCALES}))*\b",
    re.IGNORECASE,
)
# "half" and "quarter" stand alone; "third", "fifth" need a count before them
# ("two-thirds", "a fifth"), or they are ordinals ("the fifth set").
_BARE_FRACTIONS = "half|halves|quarter|quarters"
_COUNTED_FRACTIONS = "|".join(w for w in FRACTION_WORDS if w not in _BARE_FRACTIONS.split("|"))
FRACTION_RX = re.compile(
    rf"\b(?:(?:(?:a|an|one|{_W})[\s-])?(?:{_BARE_FRACTIONS})|(?:a|an|one|{_W})[\s-](?:{_COUNTED_FRACTIONS}))\b",
    re.IGNORECASE,
)

# Characters each way of a number that the tests on its surroundings read
# (hedges, units, dates, names): enough for any phrase they look for, and a
# bound on the work per number however long its sentence.
CONTEXT = 400
HEDGES = [
    # (phrase before the number, qualifier); longest first when matching.
    ("more than", ">"),
    ("greater than", ">"),
    ("over", ">"),
    ("above", ">"),
    ("in excess of", ">"),
    ("upwards of", ">"),
    ("exceeding", ">"),
    ("higher than", ">"),
    ("at least", ">="),
    ("no fewer than", ">="),
    ("no less than", ">="),
    ("a minimum of", ">="),
    ("not less than", ">="),
    ("fewer than", "<"),
    ("less than", "<"),
    ("under", "<"),
    ("below", "<"),
    ("just under", "<"),
    ("short of", "<"),
    ("lower than", "<"),
    ("up to", "<="),
    ("at most", "<="),
    ("no more than", "<="),
    ("a maximum of", "<="),
    ("as many as", "<="),
    ("as much as", "<="),
    ("not more than", "<="),
    ("about", "~"),
    ("around", "~"),
    ("approximately", "~"),
    ("roughly", "~"),
    ("some", "~"),
    ("nearly", "~"),
    ("almost", "~"),
    ("an estimated", "~"),
    ("estimated", "~"),
    ("circa", "~"),
    ("estimated at", "~"),
    ("put at", "~"),
    ("an estimated total of", "~"),
    ("close to", "~"),
    ("approx.", "~"),
    ("approx", "~"),
    ("just over", "~"),
    ("just under", "~"),
    ("an approximate", "~"),
    ("round about", "~"),
    ("somewhere around", "~"),
    ("nigh on", "~"),
    ("almost exactly", "="),
    ("exactly", "="),
    ("precisely", "="),
    ("only", "="),
    ("just", "="),
]
HEDGES.sort(key=lambda h: -len(h[0]))
AFTER_HEDGES = [
    ("or more", ">="),
    ("or so", "~"),
    ("or fewer", "<="),
    ("or less", "<="),
    ("plus", ">="),
    ("and above", ">="),
    ("and over", ">="),
    ("or over", ">="),
    ("or above", ">="),
    ("or older", ">="),
    ("and older", ">="),
    ("or under", "<="),
    ("or younger", "<="),
    ("-odd", "~"),
    ("odd", "~"),
]

UP_WORDS = {
    "rise",
    "rose",
    "risen",
    "up",
    "increase",
    "increased",
    "climb",
    "climbed",
    "gain",
    "gained",
    "jump",
    "jumped",
    "grow",
    "grew",
    "grown",
    "add",
    "added",
    "boost",
    "boosted",
    "surge",
    "surged",
    "soar",
    "soared",
    "advance",
    "advanced",
    "rally",
    "rallied",
    "raise",
    "raised",
    "higher",
}
DOWN_WORDS = {
    "fall",
    "fell",
    "fallen",
    "down",
    "drop",
    "dropped",
    "decline",
    "declined",
    "decrease",
    "decreased",
    "slip",
    "slipped",
    "lose",
    "lost",
    "shed",
    "plunge",
    "plunged",
    "slump",
    "slumped",
    "tumble",
    "tumbled",
    "sink",
    "sank",
    "shrink",
    "shrank",
    "dip",
    "dipped",
    "slide",
    "slid",
    "ease",
    "eased",
    "lower",
    "cut",
    "reduce",
    "reduced",
    "lowered",
}
NOT_QUANTITY_BEFORE = {
    "article",
    "articles",
    "clause",
    "section",
    "chapter",
    "paragraph",
    "page",
    "pages",
    "no",
    "no.",
    "number",
    "room",
    "flight",
    "route",
    "line",
    "platform",
    "version",
    "level",
    "grade",
    "category",
    "channel",
    "gate",
    "highway",
    "interstate",
    "unit",
    "item",
    "resolution",
    "amendment",
    "rule",
    "world war",
    "phase",
    "stage",
    "season",
    "episode",
    "volume",
    "vol",
    "vol.",
    "part",
    "act",
    "psalm",
    "verse",
    "block",
    "apartment",
    "suite",
    "floor",
    "row",
    "seat",
    "lot",
    "case",
    "division",
    "group",
    "pool",
    "top",
    "windows",
    "office",
    "iphone",
    "formula",
    "g",
    "boeing",
    "airbus",
    "apollo",
    "bbc",
    "radio",
    "code",
    "zone",
    "tier",
    "ward",
    "district",
}
TIME_WORDS = {
    "year",
    "years",
    "month",
    "months",
    "week",
    "weeks",
    "day",
    "days",
    "hour",
    "hours",
    "minute",
    "minutes",
    "second",
    "seconds",
    "decade",
    "decades",
    "century",
    "centuries",
}
PER_RX = re.compile(r"\s?-?\s*(?:per|a|an|each)[\s-]+([A-Za-z]+)\b(?!\s+(?:of|ago|earlier|before|later|previously)\b)")
# Abbreviated periods a rate is per, spelled out so "mm/yr" and "mm a year" are one rate.
PER_WORDS = {"yr": "year", "yrs": "year", "annum": "year", "hr": "hour", "hrs": "hour", "mo": "month", "wk": "week"}
# "50 centimeters/millisecond", "50 km/ms": a rate written with a slash.
PER_SLASH_RX = re.compile(r"\s?/\s?([A-Za-z]+)\b")
PERIOD_AFTER_OF_RX = re.compile(
    r"\s+of\s+(?:[A-Za-z-]+\s+){1,3}?(?:a|an|per|each)\s+(year|annum|month|week|day|hour|quarter)\b(?!\s+(?:of|ago|earlier|before|later)\b)"
)


def _singular_word(w: str) -> str:
    return w[:-1] if w.endswith("s") and not w.endswith("ss") and len(w) > 3 else w


TIME_UNITS = {"year", "month", "week", "day", "hour", "minute", "second", "decade", "century"}
RELATIVE_AFTER = ("ago", "earlier", "later", "before", "after", "since", "from now", "previously")
SCORE_WORDS = {
    "win",
    "won",
    "victory",
    "defeat",
    "beat",
    "beaten",
    "lost",
    "lose",
    "draw",
    "drew",
    "lead",
    "led",
    "score",
    "scored",
    "scoreline",
    "goal",
    "goals",
    "match",
    "game",
    "half-time",
    "halftime",
    "sets",
    "set",
    "trail",
    "trailed",
    "thrashing",
    "loss",
    "triumph",
    "routed",
    "edged",
    "held",
}
SCORE_NEXT = {
    "win",
    "victory",
    "defeat",
    "loss",
    "lead",
    "draw",
    "decision",
    "vote",
    "scoreline",
    "triumph",
    "victors",
    "thrashing",
    "home",
    "away",
    "aggregate",
    "margin",
    "majority",
    "verdict",
    "ruling",
}
SCORE_PREV = {
    "won",
    "lost",
    "beat",
    "drew",
    "led",
    "trailed",
    "voted",
    "leading",
    "trailing",
    "score",
    "scored",
    "winning",
    "losing",
    "thrashed",
    "edged",
    "routed",
    "by",
    "vote",
    "of",
}
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
)


@dataclass
class Mention:
    """A number expression in a sentence before it is judged."""

    start: int
    end: int
    text: str
    value: float | tuple[float, float]
    currency: str | None
    surface_num: str
    is_word: bool = False
    unit: str | None = None


def _currency_of(sym: str | None, rules: Rules) -> str | None:
    """ISO code of a currency sign or code before a figure: the rules table first, then a
    currency code or CLDR sign before "$" ("usd$", "Mex$", "MX$"), then any CLDR sign ("₾")."""
    if not sym:
        return None
    s = sym.strip().lower().replace(" ", "")
    if s in ("u.s.$",):
        s = "us$"
    got = rules.lookup("currency", s) or rules.lookup("currency", s.rstrip("."))
    if got:
        return got
    if len(s) > 1 and s.endswith("$"):
        prefix = s[:-1]
        code = rules.lookup("currency", prefix) if len(prefix) == 3 else None
        if code and code.lower() == prefix:
            return code  # "usd$ 15", "aud$"
        return currency_by_sign(prefix.upper() + "$")
    return currency_by_sign(sym.strip())


def _sign_start(sym: str | None, rules: Rules) -> int:
    """Where the currency sign starts in ``sym``: letters before "$" that name no currency
    ("the $5", "a $ 5 fee", "' s $ 5") are a word, not part of the sign; nor is a lone "a"
    or "s" before a spaced "$" (the article, a possessive split off by tokenising)."""
    if not sym or not re.fullmatch(r"[A-Za-z]{1,3}\s?\$", sym):
        return 0
    if " " in sym and sym[0].lower() in "as" and len(sym) == 3:
        return sym.index("$")
    return 0 if _currency_of(sym, rules) else sym.index("$")


def _glued(m: re.Match, n: int, text: str, rules: Rules) -> tuple[float, str | None] | None:
    """(scale, unit) for letters glued to a number; None if they make it a name."""
    suf = (m.group(f"suf{n}") or "").lower()
    if not suf:
        return 1.0, None
    has_cur = bool(m.group(f"cur{n}")) or bool(m.group("cur1"))
    if suf == "m" and not has_cur:
        # "300m" is metres unless money is in play nearby ("another 550m" after euros).
        near = text[max(0, m.start() - 60) : m.end() + 12].lower()
        money = re.search(r"[$£€¥]|\beuros?\b|\bdollars?\b|\bpounds?\b|\byen\b|\brupees?\b", near)
        return (1e6, None) if money else (1.0, "m")
    if suf in SUFFIX_SCALES:
        return SUFFIX_SCALES[suf], None
    if suf[-1] in "23²³":
        # "190 km2", "24703m2": a length unit to a power is an area or a volume; anything
        # else with a digit glued on ("x2") is no unit.
        base = rules.lookup("unit", suf[:-1])
        power = {"2": "²", "3": "³"}.get(suf[-1], suf[-1])
        got = rules.lookup("unit", f"{base}{power}") if base else None
        return (1.0, got) if got else None
    code = rules.lookup("currency", suf) if len(suf) == 3 else None
    if code:
        return 1.0, code  # "115USD"
    unit = GLUED_UNITS.get(suf, suf)
    if unit == "pence":
        return 0.01, "GBP"
    canon = rules.lookup("unit", unit)
    if canon:
        return 1.0, canon
    # Any other unit symbol glued to the number ("75ml", "100Mbps", "0.8rad"), from
    # quantulum3's unit catalogue: two letters at least, so "4G" or "3D" stay names.
    if len(suf) >= 2 and suf not in ("am", "pm", "st", "nd", "rd", "th", "hrs", "gmt", "utc"):
        got = catalogue_unit(m.group(f"suf{n}"), rules)
        if got:
            return 1.0, got
    return None


@functools.lru_cache(maxsize=1)
def _catalogue():
    """quantulum3's unit catalogue (symbols and surface words), loaded once per process."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from quantulum3 import load

    return load.units("en_US")


PHYSICAL = {
    "length",
    "mass",
    "area",
    "volume",
    "speed",
    "temperature",
    "energy",
    "power",
    "data storage",
    "data transfer rate",
    "frequency",
    "force",
    "torque",
    "pressure",
    "angle",
    "time",
    "acceleration",
    "electric potential",
    "electric current",
    "density",
    "fuel economy",
    "luminous intensity",
    "currency",
}


@functools.lru_cache(maxsize=4096)
def _catalogue_lookup(word: str) -> str | None:
    try:
        cat = _catalogue()
    except Exception:  # a broken quantulum3 install loses only this lookup
        return None
    got = cat.symbols.get(word) or (cat.surfaces_lower.get(word.lower()) if len(word) > 2 else None)
    if not got:
        return None
    units = sorted((u for u in got if u.entity.name in PHYSICAL and u.entity.name != "currency"), key=lambda u: u.name)
    return units[0].name if units else None


def catalogue_unit(word: str, rules: Rules) -> str | None:
    """The unit a word names in the rules, else in quantulum3's catalogue ("Mbps" -> megabit per second)."""
    w = word.strip()
    if not w:
        return None
    exact = _catalogue_lookup(w) if w != w.lower() else None
    lower = _catalogue_lookup(w.lower()) if exact else None
    if exact and lower and exact != lower:
        return exact  # the case says which: "Nm" is newton metres, "nm" nanometres
    return rules.lookup("unit", w.lower()) or _catalogue_lookup(w)


def _one_value(m: re.Match, n: int, scale_factor: float) -> float:
    v = parse_digits(m.group(f"num{n}")) * scale_factor
    scale = m.group(f"scale{n}") or ""
    for w in re.split(r"[\s-]+", scale.strip().lower()):
        if w:
            v *= SCALE_WORDS[w]
    return v


CHANGE_BEFORE = re.compile(
    r"\b(rose|rise|risen|fell|fall|fallen|up|down|lost|gained|gain|jumped|dropped|climbed|increased|decreased|"
    r"declined|slipped|added|shed|cut|raised|lowered|grew|surged|plunged|tumbled|eased)\s+(by\s+)?"
    r"((more|less) than|about|around|nearly|almost|some|just|over|under)?\s*$"
)


def find_mentions(text: str, rules: Rules) -> list[Mention]:
    """Every number expression in ``text`` (offsets relative to it)."""
    out: list[Mention] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    for m in DIGIT_RX.finditer(text):
        g1 = _glued(m, 1, text, rules)
        if g1 is None:
            continue
        try:
            v1 = _one_value(m, 1, g1[0])
        except (ValueError, OverflowError):
            continue
        skip1 = _sign_start(m.group("cur1"), rules)
        sym1 = (m.group("cur1") or "")[skip1:] or None
        cur = _currency_of(sym1, rules) or (g1[1] if g1[1] in rules.compare.currencies else None)
        unit1 = None if cur else g1[1]
        s0 = m.start() + skip1
        if m.group("cur1") and re.fullmatch(r"[A-Z]{3}", m.group("cur1")) and not _currency_of(m.group("cur1"), rules):
            s0 = m.start("num1")  # "GDP 5%": a word, not a currency code
        if not m.group("num2"):
            surface = text[s0 : m.end()].rstrip(" -–—")
            out.append(Mention(s0, s0 + len(surface), surface, v1, cur, m.group("num1"), unit=unit1))
            taken.append((s0, s0 + len(surface)))
            continue
        sep = m.group("sep").strip()
        g2 = _glued(m, 2, text, rules)
        try:
            v2 = _one_value(m, 2, g2[0]) if g2 is not None else None
        except (ValueError, OverflowError):
            v2 = None
        n1, n2 = m.group("num1"), m.group("num2")
        looks_years = re.fullmatch(r"(1[89]|20)\d\d", n1) and re.fullmatch(r"\d\d|(1[89]|20)\d\d", n2)
        before = text[max(0, s0 - 40) : s0].lower()
        two_levels = sep == "to" and (
            v2 is None or v2 <= v1 or v2 > v1 * 10 or before.rstrip().endswith("from") or CHANGE_BEFORE.search(before)
        )
        if looks_years or (sep != "to" and v2 is not None and v2 < v1 and not re.match(r"\d+\.\d", n1)):
            # "2012-13", or "7-5": a season or a score, judged later as one span.
            surface = text[s0 : m.end()]
            out.append(Mention(s0, m.end(), surface, (v1, v2 or v1), cur, n1, unit=unit1))
            taken.append((s0, m.end()))
            continue
        # "from $2 to $3 billion": the scale word of the second end is the first's too.
        if (
            v2 is not None
            and not m.group("suf1")
            and not (m.group("scale1") or "").strip()
            and (m.group("scale2") or "").strip()
        ):
            bare2 = parse_digits(n2)
            if bare2 and parse_digits(n1) <= bare2 < parse_digits(n1) * 10:
                v1 = v1 * (v2 / bare2)
                two_levels = sep == "to" and (before.rstrip().endswith("from") or CHANGE_BEFORE.search(before))
        if two_levels or v2 is None:
            # "fell 11,000 to 813,200", "from £6 to £10": two figures, not a range.
            e1 = m.end("scale1") if m.group("scale1") else m.end("suf1") if m.group("suf1") else m.end("num1")
            out.append(Mention(s0, e1, text[s0:e1], v1, cur, n1, unit=unit1))
            if v2 is not None:
                skip2 = _sign_start(m.group("cur2"), rules)
                s2 = m.start("cur2") + skip2 if m.group("cur2") else m.start("num2")
                cur2 = (
                    _currency_of((m.group("cur2") or "")[skip2:] or None, rules)
                    or (g2[1] if g2[1] in rules.compare.currencies else None)
                    or cur
                )
                out.append(Mention(s2, m.end(), text[s2 : m.end()], v2, cur2, n2, unit=None if cur2 else g2[1]))
            taken.append((s0, m.end()))
            continue
        # "1.2-1.5 million": the scale of the second applies to both.
        if not m.group("suf1") and not (m.group("scale1") or "").strip() and v2 > v1 * 100 and parse_digits(n2):
            v1 = v1 * (v2 / parse_digits(n2))
        sym2 = (m.group("cur2") or "")[_sign_start(m.group("cur2"), rules) :] or None
        cur = cur or _currency_of(sym2, rules) or (g2[1] if g2[1] in rules.compare.currencies else None)
        out.append(Mention(s0, m.end(), text[s0 : m.end()], (v1, v2), cur, n1, unit=unit1 or (None if cur else g2[1])))
        taken.append((s0, m.end()))
    for m in FRACTION_RX.finditer(text):
        s0, e0 = m.start(), m.end()
        if not free(s0, e0):
            continue
        v = parse_fraction(m.group(0))
        if v is None:
            continue
        # "half a million", "a quarter of a million": a fraction of a scale word.
        more = re.match(
            r"\s+(?:of\s+)?(?:(?:a|an)\s+)?(thousand|lakh|crore|million|billion|trillion)\b", text[e0:], re.IGNORECASE
        )
        if more:
            v *= SCALE_WORDS[more.group(1).lower()]
            e0 += more.end()
        out.append(Mention(s0, e0, text[s0:e0], v, None, m.group(0), is_word=True))
        taken.append((s0, e0))
    for m in WORD_RX.finditer(text):
        pieces = [(m.start(), m.end())]
        if parse_words(m.group(0)) is None:
            # "Two three-story hotels": two numbers side by side, each on its own.
            pieces = [(w.start() + m.start(), w.end() + m.start()) for w in re.finditer(r"[A-Za-z]+", m.group(0))]
        for s0, e0 in pieces:
            surface = text[s0:e0]
            if not free(s0, e0) or surface.lower() in ("a", "an", "and"):
                continue
            v = parse_words(surface)
            if v is None:
                continue
            if surface.lower().startswith(("a ", "an ")) and surface.split()[1].lower() in UNITS_WORDS:
                # "a five-year deal": the article is not part of the number.
                s0 += len(surface.split()[0]) + 1
                surface = text[s0:e0]
            out.append(Mention(s0, e0, surface, v, None, surface, is_word=True))
            taken.append((s0, e0))
    # Numbers too large for a float (thousands of digits) are not claims anyone checks.
    out = [m for m in out if all(math.isfinite(v) for v in (m.value if isinstance(m.value, tuple) else (m.value,)))]
    # "between 40 and 43", "between 150 euros and 300 euros": one stated range.
    out.sort(key=lambda x: x.start)
    merged: list[Mention] = []
    i = 0
    while i < len(out):
        a = out[i]
        if i + 1 < len(out) and not isinstance(a.value, tuple) and not isinstance(out[i + 1].value, tuple):
            b = out[i + 1]
            gap = text[a.end : b.start].strip().lower()
            before = text[max(0, a.start - 30) : a.start].lower()
            unit_gap = re.fullmatch(r"(?:([a-z%]+)\s+)?and", gap)
            if unit_gap and re.search(r"\bbetween\b(?:\s+(?:the\s+)?(?:ages?|age)\s+of)?\s*$", before):
                av, bv = float(a.value), float(b.value)
                if av < bv:
                    merged.append(
                        Mention(
                            a.start,
                            b.end,
                            text[a.start : b.end],
                            (av, bv),
                            a.currency or b.currency,
                            a.surface_num,
                            unit=a.unit or b.unit,
                        )
                    )
                    i += 2
                    continue
            # "two to three thousand", "eight to 10 feet": one stated range, the second
            # end's scale word applying to both; "from two to three" after a change is two levels.
            raw_gap = text[a.end : b.start]
            if (
                (gap == "to" or raw_gap in ("-", "–"))
                and (a.is_word or b.is_word)
                and not a.currency
                and not a.unit
                and not FRACTION_RX.search(a.text + " " + b.text)
            ):
                av, bv = float(a.value), float(b.value)
                scale = re.search(r"\b(hundred|thousand|lakh|crore|million|billion|trillion)$", b.text.lower())
                if scale and not re.search(r"(hundred|thousand|lakh|crore|million|billion|trillion)", a.text.lower()):
                    factor = SCALE_WORDS[scale.group(1)]
                    if av * factor <= bv:
                        av *= factor
                changing = before.rstrip().endswith("from") or CHANGE_BEFORE.search(before)
                if av < bv and not changing:
                    merged.append(
                        Mention(
                            a.start,
                            b.end,
                            text[a.start : b.end],
                            (av, bv),
                            b.currency,
                            a.surface_num,
                            is_word=a.is_word and b.is_word,
                            unit=b.unit,
                        )
                    )
                    i += 2
                    continue
        merged.append(a)
        i += 1
    return merged


def _tokens(doc: Doc, start: int, end: int) -> list[Token]:
    span = doc.char_span(start, end, alignment_mode="expand")
    return list(span) if span is not None else []


def _hedge(before: str, after: str) -> tuple[str, int]:
    """(qualifier, number of chars of ``before`` the hedge takes)."""
    b = before.lower().rstrip()
    for phrase, q in HEDGES:
        if b.endswith(phrase) and (len(b) == len(phrase) or not b[-len(phrase) - 1].isalnum()):
            return q, len(before) - (len(b) - len(phrase))
    a = after.lower().lstrip()
    for phrase, q in AFTER_HEDGES:
        if a.startswith(phrase) and (len(a) == len(phrase) or not a[len(phrase)].isalnum()):
            return q, 0
    return "=", 0


def _unit_after(after: str, rules: Rules) -> tuple[str | None, str | None, int]:
    """(unit, currency, chars consumed) from the words right after a number."""
    a = after.lower()
    sign = re.match(rf"\s?([{_SIGNS}])", after)  # "100 ₡", "100₾"
    if sign and currency_by_sign(sign.group(1)):
        return None, currency_by_sign(sign.group(1)), sign.end()
    # "20 (kg)", "20 [kg]": a unit alone in brackets right after the figure, as tables write it.
    bracket = re.match(r"\s?([(\[<])\s?([^\s()\[\]<>]{1,12})\s?([)\]>])", after)
    if bracket and {"(": ")", "[": "]", "<": ">"}[bracket.group(1)] == bracket.group(3):
        got = catalogue_unit(bracket.group(2), rules)
        if got:
            return got, None, bracket.end()
    m = re.match(r"\s?(-|\s)?([a-z%°$€£/\".]+(?:[\s-][a-z.]+){0,2})", a)
    if not m:
        return None, None, 0
    words = m.group(2)
    parts = re.split(r"([\s-])", words)
    # Longest prefix of up to three words that names a unit or currency.
    for k in range(len(parts), 0, -1):
        cand = "".join(parts[:k]).strip(" -")
        if not cand:
            continue
        consumed = m.start(2) + len("".join(parts[:k]).rstrip(" -"))
        # A sentence's full stop is not part of the unit ("35 lakh rupees.").
        if cand.endswith(".") and not rules.lookup("currency", cand) and not rules.lookup("unit", cand):
            cand, consumed = cand.rstrip("."), consumed - (len(cand) - len(cand.rstrip(".")))
        # The rules table, then CLDR's English names ("turkish lira", "dutch guilders").
        cur = rules.lookup("currency", cand) or currency_by_name(cand)
        if cur and cand not in ("e", "won", "rs"):
            return None, cur, consumed
        unit = rules.lookup("unit", cand)
        if unit:
            orig = after[m.start(2) : m.start(2) + len(cand)]
            if orig != cand and re.fullmatch(r"[A-Za-z]+", orig):
                unit = catalogue_unit(orig, rules) or unit
            power = re.match(r"[23²³](?![\w/])", after[consumed:])
            if power:  # "190 km2", "5 cm³": the unit squared or cubed
                sup = {"2": "²", "3": "³"}.get(power.group(0), power.group(0))
                powered = rules.lookup("unit", f"{unit}{sup}") or catalogue_unit(f"{orig}{sup}", rules)
                if powered:
                    return powered, None, consumed + 1
            return unit, None, consumed
        if " " in cand:
            # A unit of several words the rules table lacks ("cubic feet", "fluid ounces", "light
            # years"), from quantulum3's catalogue: several words, so no common word is read as one.
            got = _catalogue_lookup(cand)
            if got:
                return got, None, consumed
    return None, None, 0


def _counted_noun(toks: list[Token], rules: Rules) -> Token | None:
    """The noun a number counts ("11,000 North Korean infantrymen" -> infantrymen)."""
    if not toks:
        return None
    last = toks[-1]
    node = last
    for _ in range(4):
        if node.dep_ in ("nummod", "quantmod", "compound", "amod", "npadvmod", "nmod", "appos") and node.head != node:
            nxt = node.head
            if (
                nxt.i in {t.i for t in toks}
                or nxt.like_num
                or nxt.lower_ in ("million", "billion", "thousand", "hundred", "dozen")
            ):
                node = nxt
                continue
            if nxt.pos_ in ("NOUN", "PROPN") and nxt.i > last.i:
                return nxt
            break
        break
    # "five of the pirates", "12 Somalis", "one person"
    for child in last.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            objs = [c for c in child.children if c.dep_ == "pobj"]
            if objs and objs[0].pos_ in ("NOUN", "PROPN"):
                return objs[0]
    nxt = last.doc[last.i + 1] if last.i + 1 < len(last.doc) else None
    if nxt is not None and nxt.pos_ == "NOUN" and nxt.head == last:
        return nxt
    return None


# Verbs that only say what a figure is worth ("diamonds valued at 85 million
# euros were stolen"): the event is the verb above them.
VALUING_VERBS = {"value", "estimate", "put", "price", "worth", "total", "amount"}


def predicate_class(tok: Token, rules: Rules) -> str | None:
    """The event class of the verb a figure belongs to (rules/events.yaml classes).

    "Robbers steal e80 million", "stole diamonds valued at 85 million euros",
    "making off with $102 million in jewelry": one haul named by three
    nouns but one event (steal), which alignment weighs as a feature.
    Reporting verbs ("said") name no event.
    """
    from checker.extract.events import is_reporting, predicate_of

    # From the noun the number counts or measures ("40 million dollars" -> dollars).
    for _ in range(3):
        if (
            tok.dep_ in ("nummod", "compound", "quantmod")
            and tok.head.pos_ in ("NOUN", "PROPN", "NUM")
            and tok.head != tok
        ):
            tok = tok.head
    # "one of 99 members seized on Tuesday", "people killed in the raid": a participle
    # giving the counted noun its status says what happened to what is counted, whatever
    # the clause's verb ("hanged himself"); one that only describes it ("houses built
    # in 1990") does not.
    acl = None
    if tok.pos_ == "NOUN":
        acl = next(
            (c for c in tok.children if c.dep_ == "acl" and c.tag_ == "VBN" and rules.lookup("status", c.lower_)), None
        )
    pred = acl if acl is not None else predicate_of(tok, rules)
    if pred is None:
        # A headline the parser reads as one noun phrase ("Robbers in drag
        # steal e80 million"): the event word nearest the figure.
        events = rules.lookups["event"]
        near = [t for t in tok.sent if t.lemma_.lower() in events or t.lower_ in events]
        return rules.lookup("event", min(near, key=lambda t: abs(t.i - tok.i)).lemma_.lower()) if near else None
    for _ in range(3):
        if pred is None or pred.lemma_.lower() not in VALUING_VERBS or pred.head == pred:
            break
        pred = predicate_of(pred, rules)
    if pred is None or pred.pos_ not in ("VERB", "NOUN") or is_reporting(pred, rules):
        return None
    lemma = pred.lemma_.lower()
    for c in pred.children:
        if c.dep_ == "prt":
            lemma = rules.lookup("event_particle", f"{lemma} {c.lower_}") or lemma
    return rules.lookup("event", lemma) or lemma


# What happens to people, not things: a bare number beside one of these counts people.
HARMED_STATUSES = {"killed", "injured", "hospitalised", "shot", "missing", "rescued", "evacuated"}


def harmed_people(last: Token, rules: Rules) -> tuple[str, str] | None:
    """(status, word) when a bare number counts people by what befell them.

    "43 people were killed and 55 wounded", "30 dead and 55 wounded", "12
    injured": the noun is left out because the participle says it (only
    people are wounded, killed, missing), so the count is of people with
    that status and meets "55 people were wounded". The participle is the
    word right after the number, bound to it in the parse (its head or its
    dependent); "wounded" before a noun ("three wounded soldiers") leaves the
    soldiers counted.
    """
    doc = last.doc
    if last.i + 1 >= len(doc):
        return None
    nxt = doc[last.i + 1]
    if nxt.tag_ not in ("VBN", "JJ") or not (nxt.head == last or last.head == nxt):
        return None
    if nxt.i + 1 < len(doc) and doc[nxt.i + 1].pos_ in ("NOUN", "PROPN") and doc[nxt.i + 1].head == nxt.head:
        return None
    status = rules.lookup("status", nxt.lower_)
    return (status, nxt.lower_) if status in HARMED_STATUSES else None


GENERIC_MODS = {
    "new",
    "several",
    "total",
    "few",
    "many",
    "some",
    "last",
    "first",
    "next",
    "previous",
    "such",
    "own",
    "separate",
    "different",
    "similar",
    "estimated",
    "reported",
    "confirmed",
    "known",
    "potential",
    "possible",
    "alleged",
    "suspected",
    "least",
    "about",
    "whole",
    "entire",
    "only",
    "just",
    "single",
    "same",
    "big",
    "small",
    "large",
    "major",
    "minor",
    "local",
    "foreign",
    "young",
    "old",
    "nearly",
    "over",
}


def _kind_of(noun: Token, toks: list[Token], rules: Rules) -> tuple[str | None, bool]:
    """Which kind of the counted thing (its identifying modifiers), and
    whether the count is a part ("seven other workers", "three of the employees").

    "4 school buildings" and "42 government buildings" are different things;
    "two counts of murder" and "one count of attempted murder" too.
    """
    last = toks[-1] if toks else None
    partial = False
    if last is not None and noun.head.lower_ == "of" and noun.head.head == last:
        # "three of the employees" is a part; "170,000 of them in Aceh" is a
        # count of its own place.
        partial = not any(c.dep_ == "prep" and c.lower_ in ("in", "at", "from") for c in last.children)
    mods = []
    for c in noun.children:
        if c.dep_ in ("compound", "amod", "nmod") and c.i < noun.i and (last is None or c.i > last.i):
            lem = c.lemma_.lower()
            if lem in rules.subjects.partial_modifiers:
                partial = True
            elif (
                c.ent_type_ not in ("NORP", "GPE", "ORG")
                and lem not in GENERIC_MODS
                and c.is_alpha
                and rules.lookup("subject", f"{c.lower_} {noun.lower_}") is None
            ):
                mods.append(lem)
        if c.dep_ == "prep" and c.lower_ == "of":
            for o in c.children:
                if o.dep_ == "pobj" and o.pos_ == "NOUN":
                    words = [
                        g.lemma_.lower()
                        for g in o.children
                        if g.dep_ in ("amod", "compound") and g.i < o.i and g.lemma_.lower() not in GENERIC_MODS
                    ]
                    mods.append(" ".join(words + [o.lemma_.lower()]))
    # "the pirates in two boats": the boats are the pirates'; a noun the
    # counted phrase hangs on says which boats.
    prep = noun.head
    if not mods and noun.dep_ == "pobj" and prep.dep_ == "prep" and prep.lower_ in ("in", "on", "aboard", "with"):
        holder = prep.head
        if holder.pos_ not in ("NOUN", "PROPN") and prep.i > 0:
            # The small model often attaches the phrase to the verb or a comma:
            # take the noun right before the preposition ("the pirates, in").
            k = prep.i - 1
            if noun.doc[k].is_punct and k > 0:
                k -= 1
            holder = noun.doc[k]
        if (
            holder.pos_ in ("NOUN", "PROPN")
            and holder.lemma_.lower() not in rules.subjects.stop_heads
            and not rules.lookup("unit", holder.lower_)
            and holder.ent_type_ not in ("DATE", "TIME")
        ):
            mods.append(holder.lemma_.lower())
    return (" ".join(mods) or None), partial


def _owner(noun: Token, rules: Rules, number: Token | None = None) -> str | None:
    """Whose the counted thing is: a NORP/GPE/ORG modifier of the noun, normalized.

    The entity between the number and its noun wins ("12 Somali and 11
    Yemeni pirates": 11 are Yemeni).
    """
    if number is not None and number.i < noun.i:
        spans = {(e.start, e.end): e for e in (ent_span(t) for t in noun.doc[number.i + 1 : noun.i]) if e is not None}
        for ent in spans.values():
            if number.i < ent.start and ent.end <= noun.i and ent.label_ in ("NORP", "GPE", "ORG"):
                name = re.sub(r"(’s|'s)$", "", ent.text.lower()).strip()
                name = re.sub(r"^the\s+", "", name)
                return rules.lookup("alias", name) or name
    for child in noun.children:
        if child.dep_ in ("amod", "compound", "poss", "nmod") and child.ent_type_ in ("NORP", "GPE", "ORG"):
            # The whole entity ("North Korean"), not just the child token.
            ent = ent_span(child)
            name = (ent.text if ent is not None else child.text).lower()
            name = re.sub(r"(’s|'s)$", "", name).strip()
            name = re.sub(r"^the\s+", "", name)
            return rules.lookup("alias", name) or name
    for child in noun.children:
        if child.dep_ == "prep" and child.lower_ in ("from", "of"):
            for o in child.children:
                if o.dep_ == "pobj" and o.ent_type_ in ("NORP", "GPE"):
                    ent = ent_span(o)
                    name = (ent.text if ent is not None else o.text).lower()
                    return rules.lookup("alias", name) or name
    return None


def _plural(word: str) -> str:
    if word in ("people", "police", "staff", "personnel", "cattle"):
        return word
    if re.search(r"(s|x|z|ch|sh)$", word):
        return word + "es"
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    return word + "s"


def _noun_key(noun: Token, rules: Rules) -> str:
    """Canonical singular of a counted noun via rules/subjects.yaml synonyms."""
    for form in (noun.lower_, noun.lemma_.lower()):
        c = rules.lookup("subject", form)
        if c:
            return c
    # Multi-word synonyms ("military personnel", "death toll").
    prev = noun.doc[noun.i - 1] if noun.i > 0 else None
    if prev is not None:
        c = rules.lookup("subject", f"{prev.lower_} {noun.lower_}")
        if c:
            return c
    return noun.lemma_.lower()


MEASURE_PREPS = {
    "of",
    "at",
    "for",
    "to",
    "by",
    "from",
    "worth",
    "with",
    "around",
    "about",
    "over",
    "than",
    "under",
    "near",
    "in",
    "on",
}


def _is_unitish(t: Token, rules: Rules) -> bool:
    low = t.lower_
    return bool(
        t.like_num
        or rules.lookup("unit", low)
        or rules.lookup("currency", low)
        or low in SUFFIX_SCALES
        or low in ("million", "billion", "trillion", "thousand", "hundred", "cent", "cents", "percent", "pence")
    )


def _noun_or_none(t: Token | None, rules: Rules) -> Token | None:
    if t is None or t.pos_ not in ("NOUN", "PROPN") or _is_unitish(t, rules):
        return None
    return t


def _subject_of(verb: Token, rules: Rules, skip: Token | None = None) -> Token | None:
    for dep in ("nsubj", "nsubjpass"):
        for c in verb.children:
            if c.dep_ == dep and c != skip:
                n = _noun_or_none(c, rules)
                if n is not None:
                    return n
    if verb.dep_ in ("xcomp", "conj", "advcl") and verb.head != verb:
        return _subject_of(verb.head, rules, skip)
    return None


def _measured(tok: Token, rules: Rules) -> Token | None:
    """For a money/percent/measure, the noun it is a measure of.

    "profits rose 5%" -> profits; "a $800m deal" -> deal; "debts of about
    14bn euros" -> debts; "agreed to buy the stake for $353m" -> stake;
    "the toll is 5" -> toll. None when the parse does not say.
    """
    # The top of the amount phrase: climb over the number's own parts ("$", "m", "euros").
    anchor = tok
    for _ in range(4):
        h = anchor.head
        if h != anchor and (h.like_num or _is_unitish(h, rules)) and abs(h.i - tok.i) <= 3:
            anchor = h
        else:
            break
    if anchor.dep_ == "conj" and anchor.head != anchor:
        anchor = anchor.head
    dep, head = anchor.dep_, anchor.head
    if dep in ("compound", "nummod", "amod", "nmod", "quantmod", "appos") and head.i != anchor.i:
        n = _noun_or_none(head, rules)
        if n is not None:
            return n
    if dep == "pobj" and head.lower_ in MEASURE_PREPS:
        target = head.head
        n = _noun_or_none(target, rules)
        if n is not None:
            return n
        if target.pos_ in ("VERB", "AUX"):
            if head.lower_ == "for":
                for c in target.children:
                    if c.dep_ == "dobj" and _noun_or_none(c, rules) is not None:
                        return c
            return _subject_of(target, rules)
        if target.pos_ == "ADJ" and target.head != target:  # "worth $2bn"
            n = _noun_or_none(target.head, rules)
            return (
                n
                if n is not None
                else (_subject_of(target.head, rules) if target.head.pos_ in ("VERB", "AUX") else None)
            )
        return None
    if dep in ("dobj", "attr", "npadvmod", "oprd", "acomp", "advmod", "ROOT") and head.pos_ in ("VERB", "AUX"):
        if head.lemma_.lower() in ("say", "tell", "report", "state"):
            return None
        return _subject_of(head, rules, anchor)
    if dep in ("nsubj", "nsubjpass") and head.pos_ in ("VERB", "AUX"):
        for c in head.children:
            if c.dep_ == "prep" and c.lower_ in ("on", "for", "in"):
                for o in c.children:
                    n = _noun_or_none(o, rules) if o.dep_ == "pobj" else None
                    if n is not None:
                        return n
    return None


def _skip_reason(m: Mention, sent_text: str, rel: int, toks: list[Token], rules: Rules, sent: Span) -> str | None:
    """Why a number is not a quantity claim (a date, a time, a ranking, a name), or None."""
    before = sent_text[max(0, rel - CONTEXT) : rel].rstrip()
    after = sent_text[rel + len(m.text) : rel + len(m.text) + CONTEXT]
    words_before = re.findall(r"[\w.']+", before.lower())[-2:]
    prev = words_before[-1] if words_before else ""
    prev2 = " ".join(words_before)
    al = after.lower()
    if m.currency:
        return None
    # Clock times and time zones: "2.15pm", "8:30 p.m.", "1100 hours", "2248 GMT".
    if (
        re.match(r"\s?(a\.?\s?m\.?|p\.?\s?m\.?)(?![a-z])", al)
        or re.match(r"\s?(hours|hrs|gmt|utc|bst|est|pst|ist|local time)\b", al)
        and re.fullmatch(r"\d{4}", m.surface_num)
    ):
        return "time"
    if re.match(r"[:.]\d\d\s?(a\.?m|p\.?m|gmt|utc|local|pst|est|ist|hours)", al) or re.fullmatch(
        r"\d{1,2}[:]\d\d", m.text
    ):
        return "time"
    if re.match(r"\s?(?:a\.?m\.?|p\.?m\.?|o'clock)\b", al):
        return "time"
    if not m.is_word and re.fullmatch(r"\d{1,2}\.\d\d", m.text) and re.match(r"\s?(a\.?m|p\.?m|gmt|bst|local)", al):
        return "time"
    # Ordinals and rankings: "1st", "No 2", "ranked 3".
    if re.match(r"(st|nd|rd|th)\b", al):
        return "ordinal"
    if prev in NOT_QUANTITY_BEFORE or prev2 in NOT_QUANTITY_BEFORE:
        if not re.match(r"\s?(%|per ?cent)", al):
            return "label"
    if prev in ("ranked", "rank", "number", "no", "no.", "#") or before.endswith("#"):
        return "ranking"
    # Parts of names and codes: "G8", "F-16", "AK-47", "Windows 7", "MP3".
    if (
        re.search(r"[A-Za-z][-]?$", before[-2:] if before else "")
        and rel > 0
        and not sent_text[rel - 1].isspace()
        and not before.lower().endswith("age-")
    ):
        return "name"
    if re.match(r"[A-Za-z]", after) and not re.match(r"(bn|m|k|mn|km|kg|cm|mm|ft|lb|mph|mw|gb|mb|ghz)\b", al):
        return "name"
    # Years and dates.
    if not m.is_word and not isinstance(m.value, tuple):
        v = m.value
        if re.fullmatch(r"(1[5-9]|20)\d\d", m.text) and not re.match(r"\s?(%|per ?cent|people|troops|[a-z]+s\b)", al):
            return "year"
        if re.fullmatch(r"(1[5-9]|20)\d\d", m.text) and prev in (
            "in",
            "since",
            "of",
            "by",
            "from",
            "until",
            "till",
            "before",
            "after",
            "during",
        ):
            return "year"
        if v == int(v) and 1 <= v <= 31 and (prev in MONTHS or re.match(r"\s?(" + "|".join(MONTHS) + r")\b", al)):
            return "date"
        if re.fullmatch(r"'?\d\d", m.text) and prev in MONTHS:
            return "date"
        if re.match(r"s\b", al) and re.fullmatch(r"(1[5-9]|20)?\d0", m.text):
            return "decade"
    if (
        isinstance(m.value, tuple)
        and not m.unit
        and re.search(r"[-–]", m.text)
        and all(float(x).is_integer() for x in m.value)
    ):
        # Scores and vote splits: "won 3-1", "a 2-1 decision", "voted 8-1", "7-5 2-2".
        lo, hi = m.value
        nxt = re.match(r"[\s-]*([a-z]+)", al)
        if hi < lo or (nxt and nxt.group(1) in SCORE_NEXT) or prev in SCORE_PREV:
            return "score"
    if not m.is_word and re.fullmatch(r"0\d{3}", m.text):
        return "time"
    # A capitalised neighbour makes a number part of a name: "FTSE 100",
    # "Fathers 4 Justice", "Three Gorges Dam", "Six Nations", "357 Magnum".
    if toks and not m.currency and not m.unit:
        first, last = toks[0], toks[-1]
        doc = first.doc
        before_tok = doc[first.i - 1] if first.i > sent.start else None
        after_tok = doc[last.i + 1] if last.i + 1 < sent.end else None
        if (
            m.is_word
            and m.text[:1].isupper()
            and first.i > sent.start
            and before_tok is not None
            and before_tok.text not in ('"', "“", "(", ":", "-", "—", "'", "‘")
        ):
            return "name"
        if (
            before_tok is not None
            and before_tok.i > sent.start
            and (before_tok.is_title or (before_tok.is_upper and len(before_tok) > 1))
            and before_tok.is_alpha
            and before_tok.ent_type_ not in ("DATE", "NORP", "MONEY", "CARDINAL")
            and before_tok.lower_ not in MONTHS
            and not rules.lookup("currency", before_tok.lower_)
            and before_tok.lower_ not in ("i",)
        ):
            return "name"
        if (
            after_tok is not None
            and after_tok.is_title
            and after_tok.ent_type_ not in ("NORP", "GPE", "DATE")
            and not re.match(r"\s*[,.;:]", after)
            and after_tok.pos_ == "PROPN"
        ):
            if not (
                last.idx + len(last.text) == after_tok.idx - 1
                and catalogue_unit(after_tok.text, rules)
                and len(after_tok.text) >= 2
            ):
                return "name"
    # Reporting periods and points in time: "for the three months to December",
    # "the past 12 months", "the best in five years", "after 20 minutes".
    if re.match(r"[\s-]?(" + "|".join(sorted(TIME_WORDS, key=len, reverse=True)) + r")\b", al):
        # "after 13 days of bombardment": how long an event lasted, not a reporting period
        # ("the first three months of the year").
        lasted = re.match(r"[\s-]?[a-z]+\s+of\s+(?:the\s+|a\s+|an\s+|its\s+|their\s+)?(?:[a-z]+\s+){0,2}?([a-z]+)", al)
        of_event = (
            lasted is not None
            and lasted.group(1) not in TIME_WORDS
            and lasted.group(1) not in ("age", "year", "season", "quarter", "half")
        )
        if (
            re.search(r"\b(the|the past|the last|the next|the first|in|after|past|last|next)\s*$", before.lower()[-16:])
            and not of_event
            and not _age_like(before, after)
        ):
            return "period"
    # Designations: "the 60m hurdles", "a 17-inch notebook", "a 5.56mm rifle".
    if m.unit in ("m", "mm", "cm", "inch", "km") or re.match(r"[\s-]?(meter|metre|inch|mm)\b", al):
        rest = re.sub(r"^[\s-]?(meters?|metres?|inch(es)?|mm)?", "", al) if not m.unit else al
        if re.match(r"[\s-]?[a-z]+", rest) and not re.match(
            r"[\s-]?(of|off|from|to|away|long|high|wide|deep|thick|tall|in|above|below|north|south|east|west|northeast|northwest|southeast|southwest|and|or)\b",
            rest,
        ):
            return "designation"
    glued_measure = m.unit is not None and m.unit not in TIME_UNITS
    for t in toks:
        if t.ent_type_ in ("DATE", "TIME") and not m.currency and not glued_measure and not _age_like(before, after):
            if re.match(r"[\s-]?(" + "|".join(sorted(TIME_WORDS, key=len, reverse=True)) + r")\b", al):
                if any(
                    re.match(rf"[\s-]?\w+[\s-]+{w}\b", al) or re.match(rf"[\s-]?\w+\s+\w+\s+{w}\b", al)
                    for w in RELATIVE_AFTER
                ) or re.match(r"[\s-]?\w+\s+(ago|earlier|later|previously)\b", al):
                    return "relative date"
                return None  # a duration: "three weeks", "nine days"
            if re.match(r"[\s-]?year[\s-]old|[\s-]?years?\s+old", al):
                return None
            return "date"
    if m.is_word:
        low = m.text.lower()
        if low in ("one", "an", "a") or low.startswith("one"):
            nxt = re.match(r"\s*(of|another|day|time|way|thing|side|point|hand|another|by|or|and|thing)\b", al)
            if nxt or re.search(r"\b(no|any|every|each|the|this|that|which)$", before.lower()):
                return "pronoun"
        if low in ("half", "quarter") and not (
            re.match(r"\s*(of|a|an|the|their|its|his|her|our|your|all|lives|live)\b", al)
            or re.search(r"\b(than|about|nearly|almost|over|some|roughly|around)\s*$", before.lower())
        ):
            return "not a fraction"
        if re.match(r"-(way|sided|off|and-a-half|time)\b", al):
            return "not a count"
    return None


def extract_quantities(doc: Doc, article: Article, rules: Rules) -> list[Claim]:
    """Every quantity claim in the parsed article ``doc``."""
    claims: list[Claim] = []
    for sent in doc.sents:
        if not article.is_checked(sent.start_char, sent.end_char):
            continue
        found = _sentence_quantities(sent, article, rules)
        records = record_claims(sent, article, rules)
        if records:
            # The figures of a record are the record's, not counts of their own.
            spans = {(c.start, c.end) for c in records}
            found = [c for c in found if not any(c.start < e and s < c.end for s, e in spans)]
        claims.extend(found + records + ordinal_claims(sent, article, rules))
    records = [c for c in claims if c.extra.get("record")]
    if records:
        told = "past" if told_in_past(doc) else "other"
        for c in records:
            c.extra["told"] = told
    claims.sort(key=lambda c: (c.start, c.end))
    return claims


def _sentence_quantities(sent: Span, article: Article, rules: Rules) -> list[Claim]:
    doc = sent.doc
    text = doc_text(doc)[sent.start_char : sent.end_char]
    out: list[Claim] = []
    for m in find_mentions(text, rules):
        start = sent.start_char + m.start
        end = sent.start_char + m.end
        toks = _tokens(doc, start, end)
        if _skip_reason(m, text, m.start, toks, rules, sent):
            continue
        claim = _claim_for(m, sent, text, start, end, toks, article, rules)
        if claim is None:
            continue
        prev = out[-1] if out else None
        if prev is not None and toks and _of_pronoun(toks[-1]) and prev.extra.get("counted"):
            # "killed 230,000 people, over 170,000 of them in Aceh": the same
            # things, counted in a place of their own.
            claim.subject, claim.unit = prev.subject, prev.unit
            claim.extra.update({k: prev.extra.get(k) for k in ("owner", "counted", "subject_known")})
            claim.extra["partial"] = "place" not in claim.scope
            for k in ("status", "status_word", "year", "kind"):
                if k in prev.scope and k not in claim.scope:
                    claim.scope[k] = prev.scope[k]
        part = _part_phrase(toks[-1]) if toks else None
        if (
            part is not None
            and prev is not None
            and prev.extra.get("counted")
            and not claim.extra.get("counted")
            and claim.unit is None
        ):
            # "Five soldiers were killed, four from friendly fire": a bare figure
            # set off after a count, with what it came from, is a part of that count
            # (the count's things, and a partial figure: a different fact from the total).
            claim.subject, claim.unit = prev.subject, prev.unit
            claim.extra.update({k: prev.extra.get(k) for k in ("owner", "counted", "subject_known")})
            claim.extra["partial"] = True
            claim.extra["part"] = part
            for k in ("status", "status_word"):
                if k in prev.scope:
                    claim.scope[k] = prev.scope[k]
        if prev is not None and _is_conversion(prev, claim, article.text, rules):
            # "about 14bn euros ($19bn; £10bn)": the same amount, converted.
            claim.qualifier = prev.qualifier
            claim.subject = prev.subject
            claim.scope = dict(prev.scope)
            claim.attribution = prev.attribution
            claim.change = prev.change
            claim.extra.update({k: prev.extra.get(k) for k in ("subject_known", "owner", "partial")})
            claim.extra["conversion_of"] = prev.extra.get("conversion_of", prev.start)
            claim.low, claim.high = (
                safe_float(x)
                for x in interval(
                    _value_of(claim), claim.qualifier, rounding_unit(claim.text, _point(_value_of(claim))), rules
                )
            )
        out.append(claim)
    return out


ORDINAL_RX = re.compile(
    r"^(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|"
    r"fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|\d{1,3}(?:st|nd|rd|th))$",
    re.I,
)
# Words that make an ordinal a count of repeats ("the seventh straight day", "his 10th consecutive bout").
SERIES_WORDS = {"consecutive", "straight", "successive", "running", "successful"}


def _ordinal_value(text: str) -> int | None:
    t = text.lower()
    if t in ORDINAL_WORDS:
        return ORDINAL_WORDS[t]
    m = re.match(r"(\d{1,3})(st|nd|rd|th)$", t)
    return int(m.group(1)) if m else None


def ordinal_claims(sent: Span, article: Article, rules: Rules) -> list[Claim]:
    """Ordinals that state how many times something has happened.

    "Klitschko's sixth defence", "his 10th consecutive bout", "for the fifth
    time", "the seventh straight day": the ordinal counts repeats of one
    person's or one story's event, so "fifth" against "sixth" disagree.
    Ordinals that only pick an item ("the second game", "the first quarter")
    are not claims: nothing says they count the same series.
    """
    out: list[Claim] = []
    for tok in sent:
        if tok.dep_ != "amod" or tok.head.pos_ != "NOUN" or not ORDINAL_RX.match(tok.text):
            continue
        value = _ordinal_value(tok.text)
        noun = tok.head
        # "first" says only that it had not happened before; "one-third" is a fraction.
        if value is None or value < 2 or noun.i < tok.i or (tok.i > 0 and sent.doc[tok.i - 1].text in ("-", "–")):
            continue
        series = any(c.lower_ in SERIES_WORDS for c in noun.children if c.i < noun.i)
        # "this year's third quarter" names a period; "his sixth defence" counts his defences.
        owned = any(c.dep_ == "poss" for c in noun.children) and noun.lemma_.lower() not in TIME_WORDS | {
            "quarter",
            "half",
            "period",
            "round",
            "set",
            "leg",
        }
        times = (
            noun.lemma_.lower() == "time"
            and tok.i >= 2
            and sent.doc[tok.i - 1].lower_ == "the"
            and sent.doc[tok.i - 2].lower_ == "for"
        )
        if not (series or owned or times) or not article.is_checked(tok.idx, tok.idx + len(tok.text)):
            continue
        owner = next((c for c in noun.children if c.dep_ == "poss"), None)
        who = (
            ent_span(owner).text.lower()
            if owner is not None and ent_span(owner) is not None
            else (owner.lower_ if owner is not None else None)
        )
        if who is not None:
            who = re.sub(r"(’s|'s)$", "", who).strip()
        if who in ("his", "her") and (named := _clause_person(noun)) is not None:
            # "O'Connor will win his third cap", "Maggs, who wins his 67th cap": the
            # pronoun is the clause's named subject, whose caps differ from another's.
            who = named
        subject = (
            f"{who} {noun.lemma_.lower()}"
            if who and who not in ("his", "her", "their", "its", "my", "our")
            else noun.lemma_.lower()
        )
        end = noun.idx + len(noun.text)
        out.append(
            Claim.in_sentence(
                article,
                sent,
                tok.idx,
                tok.idx + len(tok.text),
                tok.text,
                "quantity",
                subject,
                float(value),
                unit="ordinal",
                qualifier="=",
                low=float(value),
                high=float(value),
                attribution=attribution(tok, sent),
                scope=scope_of(noun, sent, rules),
                display=article.text[tok.idx : end],
                extra={"owner": who, "counted": noun.lower_, "subject_known": True, "partial": False, "ordinal": True},
            )
        )
    return out


# A win-loss(-draw) record with an optional knockout count, in three settings:
# "Klitschko (52-3, 46 KOs)", "Klitschko, 53-3, 47 KO's, stopped ..." (in apposition) and
# "improved to 52-3 with 46 KOs" / "dropped to 45-7-2" (after a verb of change).
_RECORD_BODY = (
    r"(?P<w>\d{1,3})-(?P<l>\d{1,3})(?:-(?P<d>\d{1,3}))?"
    r"(?:(?:,\s*|\s+with\s+)(?P<k>\d{1,3})\s*(?:KO[\u2019']?s|KOs?|knockouts?)\b)?"
)
RECORD_RX = re.compile(rf"(?:(?P<open>\()|(?P<comma>,\s+)|(?P<to>\bto\s+)){_RECORD_BODY}(?P<close>\))?(?![\w-])")
# What may follow a record in apposition: the comma closing it, or the sentence's end.
_APPOSITION_END = re.compile(r"\s*(?:[,;)]|\.(?:\s|$)|$)")
_NEXT_SCORE = re.compile(r"\s*[,;]?\s*\d{1,3}-\d{1,3}\b")
_RECORD_PARTS = (("w", "win", "wins"), ("l", "loss", "losses"), ("d", "draw", "draws"), ("k", "knockout", "knockouts"))


def _clause_person(tok: Token) -> str | None:
    """The named person who is the subject of the clause holding ``tok`` (through a
    relative clause to the name it hangs on: "Maggs, who will win ..."), lower-cased."""
    verb = tok.head
    while verb.dep_ not in ("ROOT", "relcl", "ccomp", "advcl") and verb.head is not verb:
        verb = verb.head
    subj = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subj is not None and subj.tag_ == "WP" and verb.dep_ == "relcl":
        subj = verb.head
    if subj is None or not (subj.ent_type_ == "PERSON" or subj.pos_ == "PROPN"):
        return None
    span = ent_span(subj)
    return (span.text if span is not None else subj.text).lower()


def _named(tok: Token | None) -> bool:
    return tok is not None and (tok.ent_type_ == "PERSON" or tok.pos_ == "PROPN")


def _record_owner_after_verb(to: Token) -> Token | None:
    """Whose record "improved to 52-3" gives: the verb's named object or subject, else the one
    person named inside its subject ("Klitschko's sixth defence improved the fighter to 52-3")."""
    verb = to.head
    while verb.dep_ == "conj" and not any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children):
        verb = verb.head  # "Rahman struggled ... and dropped to 45-7-2": the subject is the first verb's
    for c in verb.children:
        if c.dep_ in ("dobj", "nsubj", "nsubjpass") and c.ent_type_ == "PERSON":
            return c
    if verb.dep_ in ("acl", "relcl") and verb.head.ent_type_ == "PERSON":
        return verb.head  # "Walcott, who lost and dropped to 40-12-3" (or parsed as a clause on the name)
    for c in verb.children:
        if c.dep_ in ("nsubj", "nsubjpass"):
            named = [t for t in c.subtree if t.ent_type_ == "PERSON"]
            if named and len({ent_span(t).text.split()[-1].lower() for t in named}) == 1:
                return named[-1]
    return None


def record_claims(sent: Span, article: Article, rules: Rules) -> list[Claim]:
    """A fighter's or team's career record beside the name or after a verb of change.

    "Klitschko (52-3, 46 KOs)", "Klitschko, 53-3, 47 KO's," and "improved to 52-3 with 46
    KOs": wins, losses, draws and knockouts each become a count of that person's. The owner's
    name span is kept (``person_start``, ``person_end``) so that people linking can key the
    record by the person ("Bowe" and "Riddick Bowe" have one record). ``extract_quantities``
    adds ``told``: whether the article is a past-tense report ("past") or not (``told_in_past``).
    """
    out: list[Claim] = []
    doc = sent.doc
    for m in RECORD_RX.finditer(sent.text):
        form = "open" if m.group("open") else "comma" if m.group("comma") else "to"
        if bool(m.group("close")) != (form == "open"):
            continue
        if form == "comma" and (not _APPOSITION_END.match(sent.text, m.end()) or _NEXT_SCORE.match(sent.text, m.end())):
            continue  # not in apposition, or one score of a series ("beat Federer, 6-4, 6-3")
        a = sent.start_char + m.start()
        if not article.is_checked(a, sent.start_char + m.end()):
            continue
        # A career record, not a score: a knockout count, a draw column, or ten bouts or more.
        if not (m.group("d") or m.group("k") or int(m.group("w")) + int(m.group("l")) >= 10):
            continue
        owner: Token | None
        if form == "to":
            to = doc.char_span(a, a + 2, alignment_mode="expand")
            owner = _record_owner_after_verb(to[0]) if to is not None and to[0].head.pos_ == "VERB" else None
        else:
            prev = doc.char_span(a, a + 1, alignment_mode="expand")
            owner = doc[prev.start - 1] if prev is not None and prev.start > sent.start else None
            while owner is not None and owner.is_space and owner.i > sent.start:
                owner = doc[owner.i - 1]
        if not _named(owner):
            continue
        ent = ent_span(owner)
        who = re.sub(r"(’s|'s)$", "", (ent.text if ent is not None else owner.text)).strip()
        who_start = ent.start_char if ent is not None else owner.idx
        who_end = ent.end_char if ent is not None else owner.idx + len(owner.text)
        for g, what, whats in _RECORD_PARTS:
            if m.group(g) is None:
                continue
            s0, e0 = sent.start_char + m.start(g), sent.start_char + m.end(g)
            v = float(m.group(g))
            out.append(
                Claim.in_sentence(
                    article,
                    sent,
                    s0,
                    e0,
                    m.group(g),
                    "quantity",
                    f"{who.lower()} {whats}",
                    v,
                    unit=what,
                    qualifier="=",
                    low=v,
                    high=v,
                    display=m.group(0).strip(" ,()").removeprefix("to ").strip(),
                    extra={
                        "owner": who.lower(),
                        "counted": what,
                        "subject_known": True,
                        "partial": False,
                        "record": True,
                        "person_start": who_start,
                        "person_end": who_end,
                    },
                )
            )
    return out


def told_in_past(doc: Doc) -> bool:
    """Does the article lead with a finished event: is the main verb of its lead (the first
    sentence after the headline that has one) in the past tense ("stopped", "had won")?

    News leads with what happened: a fight report's lead tells the result ("Klitschko stopped
    Rahman"), a preview's what is to come ("will defend", "faces"). A report gives a fighter's
    record after the bout; a preview, the one before. The headline is read only when the article
    has nothing else (headlines tell past events in the present: "Klitschko stops Rahman").
    """
    headline_end = doc.text.find("\n")
    sents = [s for s in doc.sents if s.root.pos_ in ("VERB", "AUX")]
    body = [s for s in sents if headline_end < 0 or s.start_char > headline_end]
    lead = (body or sents or [None])[0]
    if lead is None:
        return False
    root = lead.root
    auxes = [c for c in root.children if c.dep_ in ("aux", "auxpass")]
    return (auxes[0].tag_ if auxes else root.tag_) == "VBD"


# What a part of a count came from: "four from friendly fire", "two by gunfire",
# "three through illness". "of"/"in" are left out: "four of them" is handled by
# _of_pronoun, and "in" names a place or a time far more often than a cause.
_PART_PREPS = ("from", "by", "through", "due")


def _phrase(noun: Token) -> str:
    """The noun with its compounds and adjectives, lemmatised ("friendly fire")."""
    words = [c.lemma_.lower() for c in noun.lefts if c.dep_ in ("compound", "amod") and c.is_alpha]
    return " ".join(words + [noun.lemma_.lower()])


def _part_phrase(tok: Token) -> str | None:
    """What a bare number set off by a comma came from: "..., four from friendly fire".

    Only a number in an appositive (a comma right before it) with such a
    preposition of its own: "killed four from the village" is not set off.
    """
    doc = tok.doc
    if tok.i == 0 or doc[tok.i - 1].text != ",":
        return None
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ in _PART_PREPS:
            objs = [o for o in c.subtree if o.dep_ == "pobj" and o.pos_ in ("NOUN", "PROPN")]
            if objs:
                return _phrase(objs[0])
    return None


def agent_phrase(noun: Token) -> str | None:
    """What the counted things' participle says they came from: "soldiers killed by
    friendly fire" gives "friendly fire" (see ``_part_phrase`` and the story pass
    ``mark_named_parts``)."""
    for v in noun.children:
        if v.dep_ == "acl" and v.tag_ == "VBN":
            for c in v.children:
                if c.dep_ in ("agent", "prep") and c.lower_ in _PART_PREPS:
                    objs = [o for o in c.children if o.dep_ == "pobj" and o.pos_ in ("NOUN", "PROPN")]
                    if objs:
                        return _phrase(objs[0])
    return None


def _perfect(tok: Token) -> bool:
    """Is the figure's clause in the active present perfect ("Owen has scored nine goals",
    "she has cleared five metres")? Such a figure is a tally or a best as of the day of
    writing, and grows; it holds for that day only. (A toll, "has killed 40", has a status
    and is judged as a growing toll instead; a passive, "has been measured at 7.1", is a
    finding, not a tally.)"""
    verb = clause_of(tok)
    if verb is tok or verb.tag_ != "VBN":
        return False
    # A finite "has"/"have" only: "tremors to have hit the region since ..." is not told as of today.
    finite = any(c.dep_ == "aux" and c.lemma_.lower() == "have" and c.tag_ in ("VBZ", "VBP") for c in verb.children)
    return (
        finite
        and not any(c.dep_ in ("auxpass", "aux") and c.tag_ in ("MD", "TO") for c in verb.children)
        and not any(c.dep_ == "auxpass" for c in verb.children)
    )


def _of_volatile(tok: Token, rules: Rules) -> bool:
    """Is the figure what a thing that moves daily stood at ("crude oil closed at $51",
    "the FTSE 100 ended at 4,751")? The subject of the figure's clause says so when the
    figure has no noun of its own; such a figure holds for one day only."""
    verb = clause_of(tok)
    if verb is tok:
        return False
    for _ in range(3):
        subj = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
        if subj or verb.dep_ not in ("advcl", "xcomp", "conj") or verb.head is verb:
            break
        verb = verb.head  # "crude jumped to $53.09 before closing at $53.03": the first verb's subject
    words = {t.lower_ for c in subj for t in c.subtree}
    return bool(words & set(rules.compare.volatile))


def _of_pronoun(tok: Token) -> bool:
    """Is the number followed by "of them/those/these" (a part of things named before)?"""
    return any(
        c.dep_ == "prep" and c.lower_ == "of" and any(o.lower_ in ("them", "those", "these") for o in c.children)
        for c in tok.children
    )


def _value_of(c: Claim) -> float | tuple[float, float]:
    return (c.value[0], c.value[1]) if isinstance(c.value, list) else c.value


def _is_conversion(prev: Claim, claim: Claim, text: str, rules: Rules) -> bool:
    """Is ``claim`` a bracketed conversion of the money amount ``prev``?"""
    cur = rules.compare.currencies
    if prev.unit not in cur or claim.unit not in cur or prev.unit == claim.unit and "conversion_of" not in prev.extra:
        return False
    gap = text[prev.end : claim.start]
    if "conversion_of" in prev.extra:
        return bool(re.fullmatch(r"\s*[;,/]\s*(or\s+)?", gap))
    return bool(
        re.fullmatch(r"[^()\[\];]{0,12}?\s*[(\[]\s*(about|around|some|or|roughly|nearly)?\s*|\s*,?\s*or\s+", gap)
    )


_QUANTIFIERS = "several|multiple|many|numerous|various|separate|previous|recent|past"
_PREPS = "during|in|over|across|throughout|within|from"
_DETS = "the|its|their|these|those|his|her|our"


@functools.lru_cache(maxsize=8)
def _cumulative_rx(running: tuple[str, ...], periods: tuple[str, ...], occasions: tuple[str, ...]) -> re.Pattern:
    """One pattern for the three forms of rules/subjects.yaml ``cumulative``."""

    def alt(words: tuple[str, ...]) -> str:
        return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))

    num = rf"(?:\d[\d,]*|(?:{_W})(?:[\s-]+(?:{_W}))*)"
    forms = []
    if running:
        forms.append(rf"(?<!\bup\s)\b(?:{alt(running)})\b")
    # After a bare number only a plural period is many occasions ("in 12 days"; "in one day" is one).
    plural = tuple(p for p in periods if p.endswith("s"))
    if periods:
        # "over the past three years", "in the last year", "in the 12 days of the offensive".
        forms.append(
            rf"\b(?:{_PREPS})\s+(?:(?:{_DETS})\s+)?"
            rf"(?:(?:past|last|previous|first)\s+(?:{num}\s+)?(?:{alt(periods)})|{num}\s+(?:{alt(plural)}))\b"
        )
    if occasions:
        # "during the five operations", "in all three raids", "across several missions".
        forms.append(
            rf"\b(?:{_PREPS})\s+(?:(?:{_DETS})\s+)?(?:all\s+)?(?:(?:{num}|{_QUANTIFIERS})\s+)+"
            rf"(?:[a-z][\w-]*\s+)?(?:{alt(occasions)})\b"
        )
    forms.append(r"\bsince\b")
    return re.compile("|".join(forms), re.IGNORECASE)


def _cumulative_spans(sent: Span, rules: Rules) -> list[tuple[int, int, str]]:
    """(first token, end token, words) of each cumulative marker in the sentence, found once."""
    memo = sent.doc.user_data.setdefault("checker_cumulative", {})
    if sent.start in memo:
        return memo[sent.start]
    forms = rules.subjects.cumulative
    rx = _cumulative_rx(tuple(forms.running), tuple(forms.periods), tuple(forms.occasions))
    text = sent.text
    out = []
    for m in rx.finditer(text):
        span = sent.doc.char_span(sent.start_char + m.start(), sent.start_char + m.end(), alignment_mode="expand")
        if span is None:
            continue
        if m.group(0).lower() == "since":
            # "since January", "since 2008": a preposition before a date ("since the attack began" is a reason or a
            # start, not a period of its own).
            first = span[0]
            nxt = sent.doc[first.i + 1 : min(first.i + 5, sent.end)]
            if first.dep_ != "prep" or not any(t.ent_type_ == "DATE" for t in nxt):
                continue
            span = sent.doc[first.i : max(t.i for t in nxt if t.ent_type_ == "DATE") + 1]
        out.append((span.start, span.end, " ".join(span.text.lower().split())))
    memo[sent.start] = out
    return out


def cumulative_marker(tok: Token, sent: Span, rules: Rules) -> str | None:
    """The words that make the figure at ``tok`` a running total over many occasions, or None.

    "So far, the navy has seized 14 rifles" and "seized 14 rifles during the five operations" total
    several seizures; "six rifles were seized in the raid" is one. Such figures never contradict each
    other, so the total is scoped apart. A marker counts only in the figure's own clause, or in a
    clause hung on the figure's noun ("600 people who have been killed so far"), and never when it
    holds the figure itself ("the five operations" is a count of its own).
    """
    verb = clause_of(tok)
    own = {tok.i, tok.head.i}
    for i, j, words in _cumulative_spans(sent, rules):
        if i <= tok.i < j:
            continue
        mverb = clause_of(sent.doc[i])
        if mverb.i == verb.i or (mverb.dep_ in ("relcl", "acl") and mverb.head.i in own):
            return words
    return None


def _claim_for(
    m: Mention, sent: Span, text: str, start: int, end: int, toks: list[Token], article: Article, rules: Rules
) -> Claim | None:
    # Every test on the words around a number reads at most CONTEXT characters
    # each way: a run-on sentence of thousands of numbers costs each one the same.
    before, after = text[max(0, m.start - CONTEXT) : m.start], text[m.end : m.end + CONTEXT]
    qualifier, hedge_len = _hedge(before, after)
    if m.unit:
        unit, currency, consumed = m.unit, None, 0
    else:
        unit, currency, consumed = _unit_after(after, rules)
    currency = m.currency or currency
    al = after.lower()
    # "magnitude 7.6" / "magnitude-7.3": the unit stands before the number.
    if unit is None and currency is None and re.search(r"magnitude[\s-]?(of\s)?$", before.lower()):
        unit = "magnitude"
    if unit is None and currency is None and re.match(r"\s?(?:per ?cent|%)", al):
        unit = "%"
    # "69 cents", "119 pence": a hundredth of the currency.
    # "a 12-cent-a-share dividend": the hyphenated form too.
    small = re.match(r"[\s-]?(cents?|pence|euro ?cents?)\b", al) if unit is None and currency is None else None
    if small:
        m.value = (m.value[0] / 100, m.value[1] / 100) if isinstance(m.value, tuple) else m.value / 100
        currency = "GBP" if small.group(1) == "pence" else "EUR" if "euro" in small.group(1) else "USD"
        consumed = small.end()
    # "minus 5", "-5 degrees", "- 20 degrees fahrenheit": a negative figure (a hyphen
    # glued to a word before it is a compound, "a 3-5 win" a range).
    negative = re.search(r"\bminus\s*$", before.lower()) or (
        re.search(r"(?:^|[\s(])[-−–]\s?$", before)
        and (unit in ("°C", "°F", "degree") or m.currency is None and re.match(r"\s?(degrees?|°)", al))
    )
    if negative and not isinstance(m.value, tuple):
        m.value = -m.value
    if unit in ("decade", "century"):
        factor = 10 if unit == "decade" else 100
        m.value = (m.value[0] * factor, m.value[1] * factor) if isinstance(m.value, tuple) else m.value * factor
        unit = "year"
    # "361 million pounds": money, not weight, at a scale no one weighs things in.
    if unit == "lb" and currency is None and _point(m.value) >= 1e6:
        unit, currency = None, "GBP"
    if currency:
        unit = currency
    counted = None
    age_of = _age(m, before, after, toks, sent) if unit is None else None
    if age_of is not None:
        unit = "year"
    harmed = None
    if unit is None:
        counted = _counted_noun(toks, rules)
        if counted is None and not toks:
            return None
        if counted is None:
            harmed = harmed_people(toks[-1], rules)
        if counted is not None and (
            counted.lower_ in rules.subjects.stop_heads or counted.lemma_.lower() in rules.subjects.stop_heads
        ):
            counted = None
        if counted is not None and rules.lookup("unit", counted.lower_):
            unit = rules.lookup("unit", counted.lower_)
            counted = None
        elif (
            counted is not None
            and counted.i == toks[-1].i + 1
            and len(counted.text) >= 2
            and catalogue_unit(counted.text, rules)
        ):
            # A unit of any kind right after the number ("100 Mbps", "400 Nm"), from the catalogue.
            unit = catalogue_unit(counted.text, rules)
            counted = None
        elif counted is None:
            unit = _quantulum_unit(text[m.start : m.end + 30], rules) if re.match(r"\s?[a-zµ°]", al) else None
    if isinstance(m.value, tuple) and m.value[0] > m.value[1]:
        return None  # "7-5" that is not a score by its words: not a range either
    if isinstance(m.value, tuple) and qualifier in ("<=", ">="):
        qualifier = "="  # "as many as 35 to 40": the range is the claim
    change = _change(before[: len(before) - hedge_len] if hedge_len else before, toks, rules)
    low, high = interval(m.value, qualifier, rounding_unit(m.text, _point(m.value)), rules)
    subject, unit_key, owner, head = _subject(m, toks, counted, unit, sent, rules)
    if harmed is not None:
        subject, unit = "people", "people"
    known = (
        harmed is not None
        or counted is not None
        or subject not in (unit, _plural(unit or ""), "number", None)
        and subject != (unit or "").lower()
    )
    if age_of:
        subject = f"{age_of} age"
    if counted is not None:
        unit = unit_key
    tok = toks[-1] if toks else sentence_root(sent)
    scope = scope_of(tok, sent, rules)
    partial_flag = False
    if counted is not None:
        kind, partial_flag = _kind_of(counted, toks, rules)
        if kind:
            scope["kind"] = kind
    elif head is not None:
        # "the first quake, magnitude 7.6" vs "the second, 7.4": which one is measured.
        kinds = [c.lower_ for c in head.children if c.lower_ in MEASURE_KINDS or c.ent_type_ == "ORDINAL"]
        if kinds:
            scope["kind"] = kinds[0]
    if harmed is not None:
        scope["status"], scope["status_word"] = harmed
    cumulative = cumulative_marker(tok, sent, rules)
    if cumulative:
        scope["cumulative"] = cumulative
    if counted is not None and "status" not in scope:
        s = rules.lookup("status", counted.lower_) or rules.lookup("status", counted.lemma_.lower())
        if s:
            scope["status"] = s
    # A rate: "$2.50 a share", "500,000 barrels a day", "64.2 cents a dozen", "5% per year".
    # What it is per is part of what is measured: "12 cents a share" is not "12 cents".
    if unit is not None:
        first = re.match(r"\s?([a-zA-Zµμ%°]+)", after)
        if consumed:
            rest = after[consumed:]
        elif unit == "%" or (
            first and not m.unit and counted is None and catalogue_unit(first.group(1), rules) == unit
        ):
            rest = (
                after[first.end() :] if first else after
            )  # the unit word after the figure ("37.8 microgrammes per gramme")
        else:
            rest = after  # glued to the figure ("50km a day"), a sign before it, or a counted noun
        # "2.4 billion gallons of jet fuel a year": a period after what is measured is still the rate's.
        per = PER_RX.match(rest) or PER_SLASH_RX.match(rest) or PERIOD_AFTER_OF_RX.match(rest)
        if " per " in unit or "/" in unit.strip("/"):
            per = None  # the unit is a rate already ("inch per year", "km/h")
        if (
            per
            and per.group(1).lower() not in UNITS_WORDS
            and per.group(1).lower() not in ("few", "lot", "little", "bit", "number", "total", "record", "further")
        ):
            scope["per"] = PER_WORDS.get(per.group(1).lower(), _singular_word(per.group(1).lower()))
    disp_start = start - hedge_len
    display = article.text[disp_start:end]
    if consumed and unit != "%":
        display = article.text[disp_start : end + consumed]
    value = [safe_float(m.value[0]), safe_float(m.value[1])] if isinstance(m.value, tuple) else safe_float(m.value)
    if value is None or (isinstance(value, list) and None in value):
        return None
    verb = predicate_class(toks[-1], rules) if toks else None
    return Claim.in_sentence(
        article,
        sent,
        start,
        end,
        article.text[start:end],
        "quantity",
        subject,
        value,
        unit=unit,
        qualifier=qualifier,
        change=change,
        low=safe_float(low),
        high=safe_float(high),
        attribution=attribution(tok, sent),
        scope=scope,
        display=display.strip(),
        extra={
            "owner": owner,
            "counted": counted.lower_ if counted is not None else "people" if harmed else None,
            "subject_known": bool(known or age_of),
            "partial": partial_flag,
            "demonym": counted is not None and counted.ent_type_ == "NORP",
            # A nationality owns the count ("two Israeli tank shells"): see spread_sole_owner.
            "owner_norp": bool(owner and counted is not None and any(t.ent_type_ == "NORP" for t in counted.lefts)),
            **({"verb": verb} if verb else {}),
            **({"agent": agent} if (agent := agent_phrase(counted) if counted is not None else None) else {}),
            **({"volatile": True} if counted is None and toks and _of_volatile(toks[-1], rules) else {}),
            # A count's status makes it a toll (judged as growing); a measure's "status" is noise.
            **(
                {"tally": True}
                if not ("status" in scope and (counted is not None or harmed is not None))
                and toks
                and _perfect(toks[-1])
                else {}
            ),
        },
    )


def _age(m: Mention, before: str, after: str, toks: list[Token], sent: Span) -> str | None:
    """Whose age a bare number gives ("Hiller, 43,", "aged 91", "a 43-year-old
    woman", "He was 95."), as a lowercase name; "" when the person is unclear."""
    if isinstance(m.value, tuple) and not re.search(r"\b(aged|ages? of)\b", before.lower()[-20:]):
        return None
    v = m.value[1] if isinstance(m.value, tuple) else m.value
    if not (0 < v < 125) or m.currency:
        return None
    bl = before.lower().rstrip()
    person = ""
    if re.match(r"\s?[\s-]\s?years?\s?[\s-]\s?old\b", after.lower()):
        nxt = re.match(r"\s?[\s-]\s?years?\s?[\s-]\s?old\s+([a-z]+)", after.lower())
        return nxt.group(1) if nxt else ""
    if re.match(r"\s(years?|months?|weeks?|days?)\s+of\s+age\b", after.lower()):
        return ""  # "ninety five years of age"
    if re.search(r"\b(aged|at the age of|age of|ages of|ages|age)$", bl) or re.search(r"\bage-$", bl):
        return ""
    # "At 55, he is ...": a bare figure after "at" opening the sentence, before a comma.
    if re.fullmatch(r"\s*at", bl, re.I) and re.match(r"\s*,", after):
        return ""
    if toks and re.match(r"\s*[,;)]", after) and re.search(r",\s*$|\(\s*$", before):
        prev = sent.doc[toks[0].i - 2] if toks[0].i >= 2 else None
        if prev is not None and prev.ent_type_ == "PERSON":
            ent = ent_span(prev)
            person = (ent.text if ent is not None else prev.text).lower()
            return person
    if re.search(r"\b(he|she)\s+(was|is)$", bl) and re.match(r"\s*[.,]", after) and not re.match(r"\s*[.,]\d", after):
        return ""
    return None


def _age_like(before: str, after: str) -> bool:
    """Is a number in an age pattern ("Hiller, 43,", "aged 91", "He was 95.")?"""
    bl = before.lower().rstrip()
    if (
        re.search(r"\b(aged|at the age of|age of|ages of|age)$", bl)
        or re.search(r"\bage-$", bl)
        or re.match(r"\s?[\s-]\s?years?\s?[\s-]\s?old\b", after.lower())
    ):
        return True
    if re.match(r"\s(years?|months?|weeks?|days?)\s+of\s+age\b", after.lower()) or (
        re.fullmatch(r"\s*at", bl) and re.match(r"\s*,", after)
    ):
        return True
    if re.search(r"[A-Z][a-z]+,$", before.rstrip()) and re.match(r"\s*[,;]", after):
        return True
    return bool(re.search(r"\b(he|she)\s+(was|is)$", bl) and re.match(r"\s*\.(\s|$)", after))


def _point(value: float | tuple[float, float]) -> float:
    return value[1] if isinstance(value, tuple) else value


HEDGE_CAP = 0.2  # "about N": at most a fifth of N either side, however round N is


def interval(value: float | tuple[float, float], qualifier: str, unit: float, rules: Rules) -> tuple[float, float]:
    """The interval a stated figure allows after its hedge and its rounding.

    A bare figure allows the rounding its last digit implies, capped at 2% so
    "10,000" never swallows "11,000"; "about" widens to at least 5% and to
    the rounding of its last digit, capped at 20% ("about 11,000" holds
    11,000, "around 100" is 80 to 120, not half of 100 either side, so it
    does not hold 55); bounds ("more than 300") are open on one side.
    """
    inf = float("inf")
    if isinstance(value, tuple):
        lo, hi = value
        if qualifier == "~":
            return lo - max(unit / 2, lo * 0.05), hi + max(unit / 2, hi * 0.05)
        return lo, hi
    v = value
    half = min(unit / 2, abs(v) * 0.02) if rules.compare.rounding else 0.0
    if qualifier == "~":
        w = max(min(unit / 2, abs(v) * HEDGE_CAP), abs(v) * 0.05)
        return v - w, v + w
    if qualifier == ">":
        return v, inf
    if qualifier == ">=":
        return v - half, inf
    if qualifier == "<":
        return -inf if v < 0 else 0.0, v
    if qualifier == "<=":
        return -inf if v < 0 else 0.0, v + half
    return v - half, v + half


def _change(before: str, toks: list[Token], rules: Rules) -> str | None:
    """'up'/'down' when the number is the size of a rise or fall."""
    words = re.findall(r"[a-z-]+", before.lower())[-3:]
    if (
        words
        and words[-1] in ("to", "from", "at", "of")
        and not (
            len(words) > 1
            and words[-1] == "of"
            and words[-2] in ("rise", "fall", "increase", "decrease", "drop", "gain", "loss", "decline", "cut", "jump")
        )
    ):
        return None
    for w in reversed(words):
        if w == "by" or w in (
            "a",
            "an",
            "some",
            "nearly",
            "about",
            "almost",
            "more",
            "than",
            "around",
            "over",
            "of",
            "just",
        ):
            continue
        if w in UP_WORDS:
            return "up"
        if w in DOWN_WORDS:
            return "down"
        break
    if toks:
        head = toks[-1].head
        if head.dep_ in ("dobj", "npadvmod") and head.head.pos_ == "VERB":
            head = head.head
        if toks[-1].dep_ in ("npadvmod", "dobj") and head.pos_ == "VERB":
            lem = head.lemma_.lower()
            if lem in ("rise", "increase", "climb", "gain", "jump", "grow", "surge", "soar", "advance"):
                return "up"
            if lem in (
                "fall",
                "drop",
                "decline",
                "decrease",
                "slip",
                "plunge",
                "slump",
                "tumble",
                "sink",
                "shrink",
                "dip",
                "slide",
                "ease",
            ):
                return "down"
    return None


def _subject(
    m: Mention, toks: list[Token], counted: Token | None, unit: str | None, sent: Span, rules: Rules
) -> tuple[str, str | None, str | None, Token | None]:
    """(subject key, counted-noun unit, owner, head noun) for a quantity."""
    if counted is not None and counted.ent_type_ == "NORP":
        # "12 Somalis": people of a nationality; resolve_demonyms may later
        # find what they are in the story (pirates, troops).
        owner = rules.lookup("alias", counted.lower_) or counted.lower_
        return f"{owner} people", "people", owner, counted
    if counted is not None:
        noun = _noun_key(counted, rules)
        owner = _owner(counted, rules, toks[-1] if toks else None)
        subj = counted.lower_ if counted.tag_ in ("NNS", "NNPS") and noun == counted.lemma_.lower() else _plural(noun)
        return (f"{owner} {subj}" if owner else subj), noun, owner, counted
    measured = _measured(toks[-1], rules) if toks else None
    if measured is not None and measured.lemma_.lower() in rules.subjects.stop_heads:
        measured = None
    if measured is not None:
        noun = _noun_key(measured, rules)
        owner = _owner(measured, rules)
        if unit == "magnitude":
            # A magnitude measures a quake (or a storm): "the 7.6 quake" -> "quake magnitude".
            return (f"{noun} magnitude" if noun not in ("magnitude",) else "quake magnitude"), None, None, measured
        label = f"{owner} {noun}" if owner else noun
        return label, None, owner, measured
    if unit == "magnitude":
        return "quake magnitude", None, None, None
    return (unit or "number"), None, None, None


MEASURE_KINDS = {
    "main",
    "initial",
    "first",
    "second",
    "third",
    "latest",
    "last",
    "final",
    "biggest",
    "largest",
    "strongest",
}


_Q_PARSER = None


def _fail_fast_classifier() -> None:
    """Make quantulum3's unit classifier fail at once when it cannot load.

    Its pickled classifier does not load under every scikit-learn (it needs
    the module ``_loss``); quantulum3 does not remember the failure and loads
    it again, seconds each time, for every ambiguous unit. The outcome is the
    same (the parse raises and no unit is taken), only without the wait.
    """
    from quantulum3 import classifier as qc

    try:
        qc.classifier("en_US")
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"

        def unavailable(*args: object, **kwargs: object) -> None:
            raise RuntimeError(f"quantulum3's classifier is unavailable ({reason})")

        qc.classifier = unavailable


def _quantulum_unit(snippet: str, rules: Rules) -> str | None:
    """A measurement unit quantulum3 sees at the start of ``snippet``, if any.

    Only physical units are taken (lengths, masses, areas, speeds...):
    quantulum3 mistakes currency shorthand and clock times for units.
    """
    global _Q_PARSER
    try:
        if _Q_PARSER is None:
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                from quantulum3 import parser as qp

                _fail_fast_classifier()
            _Q_PARSER = qp
        quants = _Q_PARSER.parse(snippet)
    except Exception:  # quantulum3 raises on odd text; never let that stop a run
        return None
    for q in quants:
        if q.span[0] > 2:
            break
        ent = q.unit.entity.name
        if ent in (
            "length",
            "mass",
            "area",
            "volume",
            "speed",
            "temperature",
            "energy",
            "power",
            "data storage",
            "frequency",
        ):
            return rules.lookup("unit", q.unit.name) or q.unit.name
    return None
