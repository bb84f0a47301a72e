"""Turn number expressions into values: digits, words, mixes, fractions, ranges.

"11,000", "eleven thousand", "1.2 million", "4½", "a dozen", "two-thirds",
"$800m", "e85 million", "10,000-12,000", "between 40 and 43". Kept apart from
the extractor so the parsing of a number can be tested (and fuzzed) alone.
"""

from __future__ import annotations

import math
import re

UNITS_WORDS = {
    "zero": 0,
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
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
SCALE_WORDS = {
    "hundred": 100,
    "thousand": 1e3,
    "lakh": 1e5,
    "lakhs": 1e5,
    "crore": 1e7,
    "crores": 1e7,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
}
SUFFIX_SCALES = {"k": 1e3, "m": 1e6, "mn": 1e6, "mln": 1e6, "bn": 1e9, "b": 1e9, "tn": 1e12, "trn": 1e12}
FRACTION_WORDS = {
    "half": 0.5,
    "halves": 0.5,
    "third": 1 / 3,
    "thirds": 1 / 3,
    "quarter": 0.25,
    "quarters": 0.25,
    "fifth": 0.2,
    "fifths": 0.2,
    "tenth": 0.1,
    "tenths": 0.1,
}
VULGAR = {"½": 0.5, "¼": 0.25, "¾": 0.75, "⅓": 1 / 3, "⅔": 2 / 3, "⅛": 0.125}
DOZEN = {"dozen": 12, "score": 20, "pair": 2}
#: Ordinal words to their number: "the seventh straight day" (a count of repeats),
#: "the 12th Doctor" (a numbered role).
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
            "thirteenth",
            "fourteenth",
            "fifteenth",
            "sixteenth",
            "seventeenth",
            "eighteenth",
            "nineteenth",
            "twentieth",
        ]
    )
}

NUMBER_WORD = "|".join(sorted(list(UNITS_WORDS) + ["a", "an"], key=len, reverse=True))
# Digits: "11,000", "12,34,567.89" (Indian grouping), "10 1/2" and "3/4" (fractions of
# halves, thirds, quarters, eighths, sixteenths only: "9/11" is a date), "4.5".
_DIGITS = (
    r"\d{1,2}(?:,\d\d)+,\d{3}(?:\.\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?"
    r"|\d+\s\d/(?:2|3|4|8|16)(?![\d/])|\d/(?:2|3|4|8|16)(?![\d/])|\d+(?:\.\d+)?"
)
_VULG = "".join(VULGAR)


def parse_digits(s: str) -> float:
    """'11,000' -> 11000.0; '4½' -> 4.5; '½' -> 0.5."""
    s = s.strip()
    frac = 0.0
    if s and s[-1] in VULGAR:
        frac = VULGAR[s[-1]]
        s = s[:-1]
    if not s:
        return frac
    m = re.fullmatch(r"(?:(\d+)\s)?(\d+)/(\d+)", s)
    if m:
        if int(m.group(3)) == 0:  # "0/0", "3/0": a score or a ratio, not a number
            raise ValueError(f"not a fraction: {s!r}")
        return float(m.group(1) or 0) + int(m.group(2)) / int(m.group(3)) + frac
    return float(s.replace(",", "")) + frac


def parse_words(words: str) -> float | None:
    """'eleven thousand' -> 11000; 'twenty-five' -> 25; 'a dozen' -> 12.

    None when the words are not one number: "two three" is two numbers side
    by side ("two three-story hotels"), not five.
    """
    toks = [t for t in re.split(r"[\s-]+", words.lower().strip()) if t and t != "and"]
    if not toks:
        return None
    total = 0.0
    current = 0.0
    seen = False
    last = ""  # "unit" (1-19), "tens" (20-90), "scale", "article"
    for t in toks:
        if t in ("a", "an"):
            if seen:
                return None
            last = "article"
        elif t in UNITS_WORDS:
            v = UNITS_WORDS[t]
            kind = "tens" if v >= 20 and v % 10 == 0 else "unit"
            if last == "unit" or (last == "tens" and kind == "tens") or (last == "tens" and v >= 10):
                return None
            if last == "article":
                current = 0.0
            current += v
            last = kind
            seen = True
        elif t in DOZEN:
            current = max(current, 1) * DOZEN[t]
            last = "scale"
            seen = True
        elif t == "hundred":
            current = max(current, 1) * 100
            last = "hundred"
            seen = True
        elif t in SCALE_WORDS:
            total += max(current, 1) * SCALE_WORDS[t]
            current = 0
            last = "scale"
            seen = True
        elif re.fullmatch(_DIGITS, t):
            current += float(t.replace(",", ""))
            last = "unit"
            seen = True
        else:
            return None
    return total + current if seen else None


def parse_fraction(words: str) -> float | None:
    """'two-thirds' -> 0.667; 'a quarter' -> 0.25; 'half' -> 0.5."""
    toks = [t for t in re.split(r"[\s-]+", words.lower().strip()) if t]
    if not toks or toks[-1] not in FRACTION_WORDS:
        return None
    num = 1.0
    if len(toks) == 2:
        if toks[0] in ("a", "an", "one"):
            num = 1.0
        elif toks[0] in UNITS_WORDS:
            num = UNITS_WORDS[toks[0]]
        else:
            return None
    elif len(toks) > 2:
        return None
    return num * FRACTION_WORDS[toks[-1]]


def rounding_unit(surface: str, value: float) -> float:
    """The unit of the last significant digit as written.

    "11,000" -> 1000; "7.6" -> 0.1; "1.2 million" -> 100000; "eleven" -> 1.
    It sets how much a stated figure may differ from the truth by rounding.
    """
    if value == 0 or not math.isfinite(value):
        return 1.0
    m = re.search(r"(\d[\d,]*)(?:\.(\d+))?", surface)
    if not m:
        return 1.0
    intpart, dec = m.group(1).replace(",", ""), m.group(2)
    number = float(intpart + ("." + dec if dec else ""))
    scale = value / number if number else 1.0
    if dec:
        return 10 ** (-len(dec)) * scale
    stripped = intpart.rstrip("0")
    zeros = len(intpart) - len(stripped) if stripped else 0
    return (10**zeros) * scale


def safe_float(x: float) -> float | None:
    """None for values JSON cannot carry (inf, nan) or absurd magnitudes."""
    if x is None or not math.isfinite(x) or abs(x) > 1e18:
        return None
    return x
