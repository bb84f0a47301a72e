"""Title phrases: from the words around a name to canonical offices.

A title phrase ("Apple's senior vice president of Worldwide Product
Marketing", "the No. 2 official at the FBI", "French Foreign Minister") is
split into what the comparator needs: the canonical offices (through
rules/titles.yaml synonyms and abbreviations), whether each is an office, a
rank or a role, the body it is held in (Apple, the FBI, France), the unit
within that body ("Gaza", "fire"), and whether the text puts it in the past
("former"). The tables come from the rules, so a fact-checker extends them
without touching code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from checker.extract.common import doc_text, ent_at, per_rules
from checker.extract.numbers import ORDINAL_WORDS

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

    from checker.rules import Rules

SPLIT_PREPS = {"of", "for", "at", "in", "with", "to", "under", "on", "from", "during"}
ENTITY_ORG = {"ORG", "NORP", "GPE", "LOC", "FAC", "PERSON"}
POSSESSIVE = {"'s", "’s", "'", "’"}
ORDINAL_RX = re.compile(r"^(\d+)(?:st|nd|rd|th)$")
# Joining words left out of an acronym ("United Nations Relief and Works Agency" = UNRWA).
ACRONYM_SKIP = {"and", "of", "the", "for", "in", "on", "&"}
# Head nouns a writer may leave lowercase after a body's capitalized name
# ("the UN Relief and Works agency"): the entity ends before them, but the
# name with them is the body ("unrwa").
BODY_NOUNS = {"agency", "organisation", "organization", "commission", "programme", "program", "fund", "authority"}
# Words that make "general" a military rank rather than part of an office.
RANK_PREFIXES = {"brigadier", "major", "lieutenant", "lt", "brig", "maj", "gen"}


def norm_word(text: str) -> str:
    """A word as the lexicon stores it: lowercase, no dots, curly quotes straight."""
    return text.lower().replace("’", "'").replace(".", "")


def norm_phrase(text: str) -> str:
    """A phrase as the lexicon stores it: words joined by spaces, hyphens split."""
    words = re.split(r"[\s\-–]+", text.lower().replace("’", "'").replace(".", ""))
    return " ".join(w for w in words if w)


@dataclass
class Lexicon:
    """rules/titles.yaml and rules/names.yaml tables, as lookups built once."""

    canon: dict[str, str]
    category: dict[str, str]
    office_heads: set[str]
    role_heads: set[str]
    modifiers: set[str]
    descriptors: set[str]
    former: set[str]
    honorifics: set[str]
    change_verbs: set[str]
    leave_verbs: set[str]
    compatible: set[frozenset[str]]
    orgs: dict[str, str]
    relational: set[str] = field(default_factory=set)
    head_words: set[str] = field(default_factory=set)
    max_len: int = 1

    def unspecified(self, office: str) -> bool:
        """A bare head word that is no office of its own ("minister", "chancellor")."""
        return office in self.office_heads and office not in self.category

    def is_title_word(self, word: str) -> bool:
        """True when ``word`` can end a title ("minister", "gov", "vp")."""
        return word in self.head_words


def _head_word(phrase: str) -> str:
    """The head of a title phrase: the word before "of"/"for", else the last word."""
    words = phrase.split()
    for i, w in enumerate(words):
        if w in ("of", "for") and i > 0:
            return words[i - 1]
    return words[-1]


def lexicon(rules: Rules) -> Lexicon:
    """The lexicon for ``rules`` (built once per rules object)."""
    return per_rules(rules, "lexicon", lambda: _build_lexicon(rules))


def _build_lexicon(rules: Rules) -> Lexicon:
    t = rules.titles
    canon: dict[str, str] = {}
    category: dict[str, str] = {}
    for office, surfaces in t.synonyms.items():
        c = office.lower()
        for s in [office, *surfaces]:
            canon[norm_phrase(s)] = c
        category[c] = "office"
    for abbr, full in t.abbreviations.items():
        canon.setdefault(norm_phrase(abbr), canon.get(norm_phrase(full), full.lower()))
    for rank, surfaces in t.ranks.items():
        c = rank.lower()
        for s in [rank, *surfaces]:
            canon[norm_phrase(s)] = c
        category[c] = "rank"
    office_heads = {norm_phrase(w) for w in t.office_heads}
    role_heads = {norm_phrase(w) for w in t.role_heads}
    orgs: dict[str, str] = {}
    for org, surfaces in rules.names.organizations.items():
        for s in [org, *surfaces]:
            orgs[norm_phrase(s)] = org.lower()
    heads = {_head_word(k) for k in canon} | office_heads | role_heads | {_head_word(r) for r in role_heads}
    lex = Lexicon(
        canon=canon,
        category=category,
        office_heads=office_heads,
        role_heads=role_heads,
        modifiers={norm_phrase(w) for w in t.modifiers},
        descriptors={norm_phrase(w) for w in t.descriptors},
        former={norm_phrase(w) for w in t.former},
        honorifics={norm_phrase(w) for w in t.honorifics},
        change_verbs={w.lower() for w in t.change_verbs},
        leave_verbs={w.lower() for w in t.leave_verbs},
        compatible={frozenset((a.lower(), b.lower())) for g in t.compatible for a in g for b in g if a != b},
        orgs=orgs,
        relational={norm_phrase(w) for w in t.relational_nouns},
        head_words=heads,
        max_len=max((len(k.split()) for k in canon), default=1),
    )
    return lex


@dataclass
class Office:
    """One canonical office inside a title ("president" in "President and GM")."""

    name: str
    category: str  # office | rank | role


@dataclass
class Title:
    """A parsed title phrase with its place in the text."""

    start: int
    end: int
    surface: str
    offices: list[Office]
    orgs: list[str]
    unit: str | None
    former: bool
    branch: str | None = None
    ordinal: int | None = None

    @property
    def value(self) -> str:
        """The canonical value shown and compared: offices joined by "and"."""
        return " and ".join(o.name for o in self.offices)

    @property
    def category(self) -> str:
        """office when any part is an office, else rank, else role."""
        cats = {o.category for o in self.offices}
        return "office" if "office" in cats else "rank" if "rank" in cats else "role"


def acronym(text: str) -> str:
    """The acronym a body's written-out name makes, lowercase ("" for one word).

    Each word gives its first letter, a word in capitals all of its letters
    ("UN Relief and Works agency" -> "unrwa"); joining words give none.
    """
    words = [w for w in re.split(r"[\s\-–]+", text.replace(".", "")) if w and w.lower() not in ACRONYM_SKIP]
    if len(words) < 2:
        return ""
    return "".join(w if w.isupper() and w.isalpha() else w[0] for w in words).lower()


def canonical_org(text: str, rules: Rules) -> str:
    """A body or country named in a title, normalized so mentions meet.

    A written-out name whose acronym is a known body ("UN Relief and Works
    agency") is that body: articles name one body both ways.
    """
    raw = re.sub(r"^(the)\s+", "", text.strip(), flags=re.I)
    raw = re.sub(r"\s*['’]s?$", "", raw)
    t = norm_phrase(raw)
    t = re.sub(r"\s*'s?$", "", t)
    lex = lexicon(rules)
    found = lex.orgs.get(t) or rules.lookup("alias", t) or rules.lookup("place", t)
    if found:
        return found
    acr = acronym(raw)
    return (lex.orgs.get(acr) or t) if acr else t


def _org_with_head(ent: Span, rules: Rules) -> str:
    """A body entity's name, with a lowercase head noun after it when that makes a known body.

    "head of the UN Relief and Works agency": the entity stops before
    "agency", but "UN Relief and Works agency" is UNRWA, the body another
    article names by its acronym; a head noun that makes no known body is
    left out, as before.
    """
    nxt = ent.doc[ent.end] if ent.end < len(ent.doc) else None
    if nxt is not None and nxt.lower_ in BODY_NOUNS and nxt.is_lower:
        full = canonical_org(f"{ent.text} {nxt.text}", rules)
        if full in lexicon(rules).orgs.values():
            return full
    return canonical_org(ent.text, rules)


def same_body(a: str, b: str) -> bool:
    """Two body names for one body: equal, or one is the other's acronym."""
    return a == b or (" " in a and acronym(a) == b) or (" " in b and acronym(b) == a)


def _office_of(words: list[str], lex: Lexicon) -> tuple[str, int, int] | None:
    """(canonical, start, end) of the longest known office in ``words``.

    The match must include the last word of the main part (its head), which
    the caller passes as ``words``; prepositional tails are tried by the
    caller so "minister of foreign affairs" and "chief of staff" match whole.
    """
    n = len(words)
    for size in range(min(lex.max_len, n), 0, -1):
        s = n - size
        key = " ".join(words[s:])
        if key in lex.canon:
            return lex.canon[key], s, n
    return None


def _category(name: str, lex: Lexicon) -> str:
    if name in lex.role_heads:
        return "role"
    if name in lex.category:
        return lex.category[name]
    if name.endswith(" general") and name.split()[0] not in RANK_PREFIXES:
        return "office"
    head = name.split()[-1]
    if head in lex.office_heads:
        return "office"
    return "role"


def _canonical(words: list[str], lex: Lexicon) -> tuple[str, int] | None:
    """Canonical office for the words of one title part, and where it starts."""
    found = _office_of(words, lex)
    if found is None:
        kept = [w for w in words if w not in lex.descriptors]
        if kept != words and kept:
            found = _office_of(kept, lex)
            if found is not None:
                # Map back: the office starts where its first kept word was.
                name, s, _ = found
                first = kept[s]
                idx = max(i for i, w in enumerate(words) if w == first)
                found = (name, idx, len(words))
    if found is None:
        # Roles of more than one word ("show runner"), then a bare head word.
        for size in range(min(3, len(words)), 0, -1):
            key = " ".join(words[-size:])
            if key in lex.office_heads or key in lex.role_heads:
                found = (key, len(words) - size, len(words))
                break
        else:
            return None
    name, s, _ = found
    # "general" after another noun is part of that office ("surgeon general", "director
    # general"), a rank only after a rank word ("brigadier general").
    if (
        name == "general"
        and s > 0
        and lex.category.get(lex.canon.get(words[s - 1], ""), "") != "rank"
        and words[s - 1] not in RANK_PREFIXES
    ):
        s -= 1
        name = lex.canon.get(f"{words[s]} general", f"{words[s]} general")
    # "deputy" prime minister, "senior" VP: modifiers make a different office.
    while s > 0 and words[s - 1] in lex.modifiers:
        s -= 1
        longer = f"{words[s]} {name}"
        name = lex.canon.get(longer, longer)
    return name, s


def _best_office(part: list[tuple[str, Token]], lex: Lexicon) -> tuple[str, int] | None:
    """The office in one title part, read with and without its named-entity words.

    "New Home Secretary" needs the word the model tags as an entity ("Home");
    "interim FBI director" needs it dropped, so "interim" reaches "director".
    The reading that covers more words wins.
    """
    words = [w for w, _ in part]
    full = _canonical(words, lex)
    keep = [
        i for i, (w, t) in enumerate(part) if t.ent_type_ not in ENTITY_ORG or w in lex.head_words or w in lex.modifiers
    ]
    bare = _canonical([words[i] for i in keep], lex) if len(keep) < len(words) and keep else None
    if bare is not None:
        name, s = bare
        span_bare = len(keep) - s
        if full is None or span_bare > len(words) - full[1]:
            return name, keep[s]
    return full


def parse_title(tokens: list[Token], rules: Rules) -> Title | None:
    """A Title from the tokens of a title phrase, or None when it names no office.

    ``tokens`` is the phrase as found beside a name ("the associate director
    of the FBI during the Watergate scandal"); determiners, possessors and
    named bodies are peeled off here.
    """
    lex = lexicon(rules)
    toks = [t for t in tokens if not t.is_space]
    # Leading determiners and possessive pronouns are not part of the title.
    while toks and (
        toks[0].pos_ in ("DET", "PRON", "PUNCT", "CCONJ", "ADP") or norm_word(toks[0].text) in lex.honorifics
    ):
        toks = toks[1:]
    while toks and (toks[-1].is_punct or toks[-1].pos_ in ("CCONJ", "ADP", "DET")):
        toks = toks[:-1]
    if not toks:
        return None
    # Main part and prepositional tail ("director | of operations in Gaza").
    cut = next((i for i, t in enumerate(toks) if i > 0 and t.lower_ in SPLIT_PREPS and t.pos_ == "ADP"), len(toks))
    main, tail = toks[:cut], toks[cut:]
    owner_orgs: list[str] = []
    # A possessor ("Apple's", "France's", "Williams'") is the body or person it belongs to.
    pos_idx = max((i for i, t in enumerate(main) if t.text in POSSESSIVE or t.tag_ == "POS"), default=-1)
    if pos_idx >= 0:
        owner = main[:pos_idx]
        if owner and not any(t.ent_type_ == "PERSON" for t in owner):
            owner_orgs.append(canonical_org(" ".join(t.text for t in owner), rules))
        main = main[pos_idx + 1 :]
    orgs: list[str] = []
    former = any(norm_word(t.text) in lex.former or t.lower_.startswith("ex-") for t in main)
    # Words of the main part, each with its token; split into offices on "and".
    parts: list[list[tuple[str, Token]]] = [[]]
    ordinal: int | None = None
    for t in main:
        w = norm_word(t.text)
        if t.text in ("-", "–") or not w or w in lex.former:
            continue
        # "the 12th Doctor": a numbered ordinal counts holders, it names no office.
        num = ORDINAL_RX.match(w)
        if num:
            ordinal = int(num.group(1))
            continue
        if w in ORDINAL_WORDS:
            ordinal = ORDINAL_WORDS[w]
            if w not in lex.modifiers:
                continue
        if w in ("and", "&", ","):
            parts.append([])
        else:
            parts[-1].append((w, t))
    parts = [p for p in parts if p]
    if not parts:
        return None
    tail_words = [norm_word(t.text) for t in tail if t.text not in ("-", "–")]
    offices: list[Office] = []
    orgs: list[str] = list(owner_orgs)
    unit_words: list[str] = []
    branch: list[str] = []
    outside: list[Token] = []
    for k, part in enumerate(parts):
        words = [w for w, _ in part]
        hit = None
        # Whole-phrase offices with a tail: "minister of foreign affairs", "chief of staff".
        if k == len(parts) - 1 and tail_words:
            for j in range(min(4, len(tail_words)), 0, -1):
                found = _office_of(words + tail_words[:j], lex)
                if found is not None and found[1] < len(words):
                    hit = (found[0], found[1])
                    tail_words = tail_words[j:]
                    tail = tail[j:]
                    break
        if hit is None:
            hit = _best_office(part, lex)
        if hit is None:
            continue
        name, s = hit
        offices.append(Office(name, _category(name, lex)))
        # Words before the office: named bodies and places, else the unit ("fire").
        for w, t in part[:s]:
            if w in lex.descriptors or w in lex.modifiers:
                continue
            if t.ent_type_ in ("GPE", "LOC"):
                branch.append(w)
            elif t.ent_type_ in ENTITY_ORG:
                if t.ent_type_ != "PERSON":
                    outside.append(t)
            else:
                unit_words.append(w)
    if not offices:
        return None
    orgs += _merge_orgs(outside, rules)
    if branch and not orgs:
        # A country or city alone is the body ("French Foreign Minister").
        orgs.append(canonical_org(" ".join(branch), rules))
        branch = []
    tail_ents = [e for t in tail if (e := ent_at(t)) is not None and e.start == t.i]
    for ent in sorted(tail_ents, key=lambda e: (e.label_ == "GPE", e.start)):
        if ent.label_ in ("ORG", "NORP") or (ent.label_ == "GPE" and not orgs):
            orgs.append(_org_with_head(ent, rules))
        elif ent.label_ == "GPE":
            branch.extend(norm_word(x.text) for x in ent)
    unit_words.extend(
        w for w in tail_words if w not in SPLIT_PREPS and w not in lex.descriptors and w not in {"the", "a", "an"}
    )
    org_words = {w for o in orgs for w in o.split()} | set(branch)
    unit = " ".join(w for w in unit_words if w not in org_words and w not in lex.orgs) or None
    start, end = toks[0].idx, toks[-1].idx + len(toks[-1].text)
    return Title(
        start=start,
        end=end,
        surface=doc_text(tokens[0].doc)[start:end],
        offices=offices,
        orgs=list(dict.fromkeys(o for o in orgs if o)),
        unit=unit,
        former=former,
        branch=" ".join(dict.fromkeys(branch)) or None,
        ordinal=ordinal,
    )


def _merge_orgs(toks: list[Token], rules: Rules) -> list[str]:
    """Entity tokens grouped by entity ("North Korean") and normalized."""
    out: list[str] = []
    seen: set[int] = set()
    inside = {t.i for t in toks}
    for t in toks:
        ent = ent_at(t)
        if ent is None or ent.start in seen:
            continue
        seen.add(ent.start)
        words = [x.text for x in ent if x.i in inside and x.text not in POSSESSIVE]
        if words:
            out.append(canonical_org(" ".join(words), rules))
    return out


def offices_compatible(a: Title, b: Title, lex: Lexicon) -> bool:
    """Can one person hold both titles at once?

    Yes when they share an office ("GM" and "President and GM"), when the
    pair is listed as compatible in rules/titles.yaml and both name the same
    unit ("head of UNRWA" is not "UNRWA's Gaza director"), or when the titles
    are held in different bodies. Roles never exclude anything; offices are
    compared with offices and ranks with ranks.
    """
    if a.orgs and b.orgs and not any(same_body(x, y) for x in a.orgs for y in b.orgs):
        return True
    # "the 12th Doctor" and "the 11th Doctor": one person is one holder in a count.
    names_a, names_b = {o.name for o in a.offices}, {o.name for o in b.offices}
    if a.ordinal is not None and b.ordinal is not None and a.ordinal != b.ordinal and names_a & names_b:
        return False
    for cat in ("office", "rank"):
        xa = {o.name for o in a.offices if o.category == cat}
        xb = {o.name for o in b.offices if o.category == cat}
        if not xa or not xb or xa & xb:
            continue
        # A bare "minister" or "secretary" names no particular office.
        if any(lex.unspecified(x) for x in xa | xb):
            continue
        listed = any(frozenset((x, y)) in lex.compatible for x in xa for y in xb)
        if not listed or (a.branch or "") != (b.branch or ""):
            return False
    return True
