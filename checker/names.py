"""Person names: their parts, and when two spellings name one person.

Shared by the linker (``checker.resolve.people``) and the comparator
(``checker.compare.people``), so both judge names by the same rules: case,
accents, hyphens and dropped initials or middle names never make a
different spelling; rules/names.yaml nicknames and transliterations are the
same name; anything else at or above the fitted similarity threshold is the
same name spelled differently.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz.distance import Indel

if TYPE_CHECKING:
    from checker.rules import Rules


@functools.lru_cache(maxsize=1 << 17)
def fold(text: str) -> str:
    """Lowercase ASCII without accents, dots or apostrophes ("José" -> "jose").

    Cached: a night's linking folds the same few thousand names hundreds of
    thousands of times.
    """
    t = unicodedata.normalize("NFKD", text)
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    return re.sub(r"[.'’`]", "", t.lower()).strip()


@dataclass(frozen=True)
class Name:
    """A name as written, split into given names and surname (folded)."""

    written: str
    given: tuple[str, ...]
    last: str
    last_written: str

    @property
    def full(self) -> bool:
        return bool(self.given)

    @property
    def key(self) -> str:
        return " ".join((*self.given, self.last)) if self.given else self.last


def split_name(written: str, rules: Rules) -> Name:
    """Given names and surname of a name as written ("W. Mark Felt Sr.")."""
    return _split_name(written, *_word_sets(tuple(rules.names.suffixes), tuple(rules.names.particles)))


@functools.lru_cache(maxsize=8)
def _word_sets(suffixes: tuple[str, ...], particles: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
    return frozenset(fold(s) for s in suffixes), frozenset(p.lower() for p in particles)


@functools.lru_cache(maxsize=1 << 16)
def _split_name(written: str, suffixes: frozenset[str], particles: frozenset[str]) -> Name:
    parts = [p for p in re.split(r"\s+", written.strip()) if p]
    while len(parts) > 1 and fold(parts[-1]) in suffixes:
        parts.pop()
    if not parts:
        return Name(written, (), "", "")
    last_i = len(parts) - 1
    while last_i > 0 and parts[last_i - 1].lower() in particles:
        last_i -= 1
    last_written = " ".join(parts[last_i:]).rstrip(",")
    given: list[str] = []
    for p in parts[:last_i]:
        # "H.W." is two initials; "Jean-Noel" is one given name.
        if re.fullmatch(r"(?:[A-Za-z]\.){2,}", p):
            given.extend(ch.lower() for ch in p if ch.isalpha())
        else:
            f = fold(p).replace("-", " ")
            given.extend(w for w in f.split() if w)
    return Name(written, tuple(given), fold(last_written).replace("-", " "), last_written)


@functools.lru_cache(maxsize=4)
def package_nicknames(given_threshold: float) -> dict[str, frozenset[str]]:
    """Given name -> its formal names, from the maintained ``nicknames`` package.

    Pairs the package lists that look like one name spelled two ways (Brian /
    Bryant: as similar as the fitted ``given_similarity_threshold`` and neither a
    clipping of the other) are left out: whether those are one name is the
    spelling judgment's call, not a nickname's.
    """
    try:
        from nicknames import NickNamer
    except ImportError:  # the package is a dependency; a broken install only loses its table
        return {}
    out: dict[str, set[str]] = {}
    for canon, nicks in NickNamer().nickname_lookup.items():
        c = fold(canon)
        for nick in nicks:
            n = fold(nick)
            if n == c or " " in n or " " in c:
                continue
            clipped = c.startswith(n) or n.startswith(c)
            if not clipped and Indel.normalized_similarity(c, n) >= given_threshold:
                continue
            out.setdefault(n, set()).add(c)
            out.setdefault(c, set()).add(c)
    return {k: frozenset(v) for k, v in out.items()}


class NameJudge:
    """Equivalence and similarity of name parts under rules/names.yaml.

    Nicknames come from the maintained ``nicknames`` package, with
    rules/names.yaml ``nicknames`` added on top (for names the package lacks);
    a given name that is a clipping of another ("Stan" / "Stanley", three
    letters at least) is a short form; ``variant_endings`` pairs name endings
    that are one name in two standard forms (Greek "Vassilios" / "Vassilis").
    """

    def __init__(self, rules: Rules) -> None:
        self.threshold = rules.names.similarity_threshold
        self.given_threshold = rules.names.given_similarity_threshold
        self.nick: dict[str, set[str]] = {k: set(v) for k, v in package_nicknames(self.given_threshold).items()}
        for canon, forms in rules.names.nicknames.items():
            for f in [canon, *forms]:
                self.nick.setdefault(fold(f), set()).add(fold(canon))
        self.endings = [
            (fold(a), fold(b)) for a, b in (pair[:2] for pair in rules.names.variant_endings if len(pair) >= 2)
        ]
        self.translit: dict[str, int] = {}
        self._same: dict[tuple[str, str], bool] = {}
        for i, group in enumerate(rules.names.transliterations):
            for f in group:
                self.translit[fold(f)] = i

    def known_given(self, word: str) -> bool:
        """A given name the nickname data or rules/names.yaml know (three letters at least)."""
        return len(word) >= 3 and word in self.nick

    def same_word(self, a: str, b: str) -> bool:
        """One name word, written two acceptable ways (never a misspelling)."""
        if a == b:
            return True
        key = (a, b)
        got = self._same.get(key)
        if got is None:
            got = self._same[key] = self._same_word(a, b)
        return got

    def _same_word(self, a: str, b: str) -> bool:
        if a.replace(" ", "") == b.replace(" ", ""):
            return True
        # "Mc" and "Mac" are one prefix written two ways.
        if re.sub(r"^mac", "mc", a) == re.sub(r"^mac", "mc", b):
            return True
        # A possessive or plural left on a name ("Cotterills") is not a spelling.
        if a + "s" == b or b + "s" == a:
            return True
        # One part of a double-barrelled surname ("Henin-Hardenne", "Hardenne").
        wa, wb = a.split(), b.split()
        if (len(wa) > 1 or len(wb) > 1) and (set(wa) <= set(wb) or set(wb) <= set(wa)):
            return True
        ta, tb = self.translit.get(a), self.translit.get(b)
        if ta is not None and ta == tb:
            return True
        na, nb = self.nick.get(a, set()), self.nick.get(b, set())
        return bool(na & nb) or a in nb or b in na

    def given_compatible(self, a: tuple[str, ...], b: tuple[str, ...]) -> bool:
        """Given names that can name one person: initials and middle names may be missing."""
        if not a or not b:
            return True
        short, long_ = (a, b) if len(a) <= len(b) else (b, a)
        j = 0
        for w in short:
            while j < len(long_) and not self._given_word(w, long_[j]):
                j += 1
            if j == len(long_):
                return False
            j += 1
        # The first written given names must agree unless one is a bare initial.
        return self._given_word(short[0], long_[0]) or len(short[0]) == 1 or len(long_[0]) == 1

    def _given_word(self, a: str, b: str) -> bool:
        if len(a) == 1 or len(b) == 1:
            return a[0] == b[0]
        return self.same_word(a, b) or self.short_form(a, b)

    def short_form(self, a: str, b: str) -> bool:
        """Given names that are one name in a usual short or standard form.

        A clipping ("Stan" / "Stanley", "Alex" / "Alexandra"), or two standard
        endings of one stem (``variant_endings``: "Vassilis" / "Vassilios").
        """
        short, long_ = (a, b) if len(a) <= len(b) else (b, a)
        if len(short) >= 3 and long_.startswith(short):
            return True
        for x, y in self.endings:
            for p, q in ((a, b), (b, a)):
                if (
                    p.endswith(x)
                    and q.endswith(y)
                    and len(p) - len(x) >= 3
                    and p[: len(p) - len(x)] == q[: len(q) - len(y)]
                ):
                    return True
        return False

    def similar(self, a: str, b: str) -> bool:
        """Surnames close enough to be one misspelled (rapidfuzz ratio >= threshold)."""
        if not a or not b:
            return False
        return Indel.normalized_similarity(a, b) >= self.threshold

    @staticmethod
    def one_edit(a: str, b: str) -> bool:
        """One letter added or dropped ("Page" / "Paige")."""
        return Indel.distance(a, b) <= 1

    def given_similar(self, a: tuple[str, ...], b: tuple[str, ...]) -> bool:
        """First given names that look like one name misspelled (Bryant/Brian)."""
        if not a or not b:
            return False
        x, y = a[0], b[0]
        return (
            len(x) > 1
            and len(y) > 1
            and Indel.normalized_similarity(x, y) >= self.given_threshold
            and not self.short_form(x, y)
        )

    def same_spelling(self, a: Name, b: Name) -> bool:
        """Two mentions that spell the name the same way (as far as both go).

        A bare surname may match any later part of a fuller name, since a
        double surname is sometimes written with a space ("Robert Kilroy
        Silk" and "Kilroy").
        """
        if self.same_word(a.last, b.last) and self.given_compatible(a.given, b.given):
            return True
        for x, y in ((a, b), (b, a)):
            if not x.given and y.given:
                parts = list(y.given[1:]) + y.last.split()
                if any(self.same_word(x.last, w) for w in parts):
                    return True
        return False
