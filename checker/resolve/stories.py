"""Group articles into stories, so unrelated events are never compared.

An article's story comes from the input when given (a JSONL ``story`` field,
``meta.json``, or ``--story``); otherwise it is found from the text: articles
that share enough salient named entities (people, places, organisations,
events) and key terms are linked, and stories are the connected groups.
Weights are inverse document frequencies over the run, so "Monday" or "UK",
frequent across unrelated articles, link little.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from checker.models import Dating, stable_id
from checker.resolve.dating import dating_for_stories, dating_of

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from checker.models import Article

ENT_LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT", "FAC", "PRODUCT", "WORK_OF_ART"}
# Fitted on ecbplus-dev mixed with the 1,438 BBC articles (README, "Stories"):
# 0.2 keeps every ecbplus-dev story whole and apart, alone or mixed (0.25
# splits one), with the largest BBC group (a months-long saga) at 40 articles.
DEFAULT_THRESHOLD = 0.2
# A group joins another when their average similarity reaches this share of
# the pair threshold.
LINKAGE_RATIO = 1.0
DEFAULT_WINDOW_DAYS = 14
# Articles whose publication bounds leave this many days between them are of
# different stories, however alike (recurring news: an annual event, a club).
YEAR_DAYS = 365
# Inverse document frequencies are computed as if the run also held this many
# articles without the term, so that similarity means the same in a run of 2
# articles and in a night of 5,000 (a small run's own counts are too few).
PRIOR_DOCS = 500
# Candidate pairs kept per article (its nearest); see candidate_pairs.
NEIGHBOURS = 40
# Multiply-adds per block of the candidate product, which bounds its memory.
BLOCK_WORK = 4_000_000
# Terms in more articles than this (or a twentieth of them) are "frequent":
# only articles that lean on them look for partners through them (see
# candidate_pairs). A speed knob: the pairs found are the same whatever its value.
BLOCKING_DF = 100


def fingerprint(doc: Doc, article: Article) -> Counter:
    """Salient terms of an article: entities (weighted) and content-noun lemmas."""
    terms: Counter = Counter()
    for ent in doc.ents:
        if ent.label_ in ENT_LABELS and article.is_checked(ent.start_char, ent.end_char):
            key = re.sub(r"(’s|'s)$", "", ent.text.lower()).strip()
            key = re.sub(r"^the\s+", "", key)
            if len(key) > 1:
                terms["e:" + key] += 2
                for part in key.split():
                    if len(part) > 3 and ent.label_ == "PERSON":
                        terms["e:" + part] += 1
    for tok in doc:
        if tok.pos_ in ("NOUN", "PROPN") and not tok.is_stop and len(tok.text) > 3 and tok.is_alpha:
            if article.is_checked(tok.idx, tok.idx + len(tok)):
                terms["n:" + tok.lemma_.lower()] += 1
    for name, age in person_ages(doc, article):
        terms[f"{AGE_PREFIX}{name}:{age}"] = 1
    for key, year in year_bound_entities(doc, article):
        terms[f"{YEAR_PREFIX}{key}:{year}"] = 1
    for value in money_figures(doc, article):
        terms[f"{MONEY_PREFIX}{value}"] = 1
    day = lead_weekday(doc, article)
    if day is not None:
        terms[f"{WEEKDAY_PREFIX}{day}"] = 1
    return terms


def _entity_key(text: str) -> str:
    """An entity's fingerprint key: lower case, without a possessive or a leading "the"."""
    key = re.sub(r"(’s|'s)$", "", text.lower()).strip()
    return re.sub(r"^the\s+", "", key)


# Fingerprint terms that tie an entity to a past year ("y:harry winston:2008"):
# every mention of it in the text stands in a sentence reporting an event of
# that year. A clock for story grouping, never a similarity term.
YEAR_PREFIX = "y:"
# The weekday the text's lead dates its reported event to ("w:6": Sunday). A clock too.
WEEKDAY_PREFIX = "w:"
# Sums of money the text states in millions or billions ("m:85000000"): which
# robbery, which deal. A clock too: it places an undated article beside the
# articles of its own occurrence when a story splits (see ``Linkage.occurrences``).
MONEY_PREFIX = "m:"
_RX_MONEY = re.compile(r"(\d+(?:\.\d+)?)\s*-?\s*(million|billion|mn|bn|m)\b", re.I)
_SCALE = {"million": 10**6, "mn": 10**6, "m": 10**6, "billion": 10**9, "bn": 10**9}
# Sentences with a verb from the top that make the lead (the headline's included;
# a dateline, verbless, is not counted).
LEAD_SENTENCES = 3
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Verbs whose weekday is the day of a statement, not of the event ("officials said Friday").
REPORTING_LEMMAS = frozenset(
    {"say", "tell", "report", "describe", "announce", "confirm", "add", "state", "disclose", "reveal", "quote"}
)
_RX_WEEKDAY = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")\b", re.I)
_RX_ABSOLUTE = re.compile(r"\b\d{4}\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.I)


# Words outside dates that make a line prose, not a dateline ("Published: 09 Sep 2013 11:25").
PROSE_WORDS = 5


def is_prose(sent: Any) -> bool:
    """A sentence with a verb and some words beyond its dates (a headline counts, a dateline does not)."""
    words = [t for t in sent if t.is_alpha and t.ent_type_ not in ("DATE", "TIME")]
    return len(words) >= PROSE_WORDS and any(t.pos_ in ("VERB", "AUX") for t in sent)


def lead_sentences(doc: Doc) -> list[Any]:
    """The lead: the first ``LEAD_SENTENCES`` prose sentences (see ``is_prose``).

    Story grouping reads the lead event's weekday from it and date extraction
    marks the lead's dates (compare sets them side by side): one definition
    for both.
    """
    return list(itertools.islice((s for s in doc.sents if is_prose(s)), LEAD_SENTENCES))


def year_bound_entities(doc: Doc, article: Article) -> list[tuple[str, int]]:
    """(entity key, year) for each entity the text mentions only in sentences of one past year.

    "In December 2008, three men emptied the X jewellery store": an article
    of 2013 that names X only there tells that an undated report centred on
    X's robbery is of 2008, not of the 2013 story however alike the words
    (see ``Linkage``). An entity also named in a sentence without such a
    year (the story's own present) is not bound.
    """
    from checker.dateparse import parse
    from checker.resolve.dating import reported_past

    years: dict[int, set[int]] = {}
    for ent in doc.ents:
        if ent.label_ != "DATE" or not article.is_checked(ent.start_char, ent.end_char):
            continue
        w = parse(ent.text)
        if w.year is not None and reported_past(ent):
            years.setdefault(ent.sent.start, set()).add(w.year)
    seen: dict[str, set[int | None]] = {}
    for ent in doc.ents:
        if ent.label_ not in ENT_LABELS or not article.is_checked(ent.start_char, ent.end_char):
            continue
        key = _entity_key(ent.text)
        if len(key) <= 1:
            continue
        ys = years.get(ent.sent.start, set())
        seen.setdefault(key, set()).add(next(iter(ys)) if len(ys) == 1 else None)
    return sorted((k, ys.pop()) for k, ys in seen.items() if len(ys) == 1 and None not in ys)


def money_figures(doc: Doc, article: Article) -> list[int]:
    """Sums of money of a million or more the text states, as whole units ("$108 million": 108000000).

    Only the amount: the currency differs between outlets ("85 million
    euros ($108 million)"), the amount as written recurs.
    """
    from checker.currency_names import currency_by_name

    out = set()
    for ent in doc.ents:
        if not article.is_checked(ent.start_char, ent.end_char):
            continue
        after = doc[ent.end].text if ent.end < len(doc) else ""
        # "2 million euros" is often a number and a noun to the tagger, not MONEY.
        if ent.label_ != "MONEY" and not (ent.label_ == "CARDINAL" and after and currency_by_name(after)):
            continue
        for m in _RX_MONEY.finditer(ent.text):
            out.add(round(float(m.group(1)) * _SCALE[m.group(2).lower()]))
    return sorted(out)


def lead_weekday(doc: Doc, article: Article) -> int | None:
    """The weekday (0 Monday .. 6 Sunday) the lead dates its reported event to, or None.

    The first weekday standing alone ("on Sunday", "early Thursday", not
    "Thursday, March 14, 2013", a dateline or a full date) in the first
    ``LEAD_SENTENCES`` sentences, governed by a verb of a reported past event
    that is not a verb of saying ("officials said Friday" dates the statement).
    An undated article can be placed in time by nothing else; two outlets that
    agree on it against the dated reports' day report another occurrence.
    """
    from checker.resolve.dating import governing_verb, reported_past

    sents = lead_sentences(doc)
    if not sents:
        return None
    end = sents[-1].end
    for ent in doc.ents:
        if ent.start >= end:
            break
        if ent.label_ not in ("DATE", "TIME") or not article.is_checked(ent.start_char, ent.end_char):
            continue
        m = _RX_WEEKDAY.search(ent.text)
        if not m or _RX_ABSOLUTE.search(ent.text) or not reported_past(ent, attributive=True):
            continue
        verb = governing_verb(ent)
        if verb is None or verb.lemma_.lower() in REPORTING_LEMMAS:
            continue
        return WEEKDAYS.index(m.group(1).lower())
    return None


# Fingerprint terms that carry a person's stated age ("a:klitschko:32"): a clock for
# story grouping, never a similarity term.
AGE_PREFIX = "a:"
# Ages a text states for a person: "Klitschko, 32," and "the 32-year-old Klitschko".
MIN_AGE, MAX_AGE = 10, 110
# Ages of one person this many years apart put two groups in different years.
AGE_GAP = 2


def person_ages(doc: Doc, article: Article) -> list[tuple[str, int]]:
    """(surname, age) for each age the text gives a named person.

    "Rahman, 36," (a person's name, a number set off by commas or brackets)
    and "the 32-year-old Klitschko" (the name right after "-year-old"). The
    surname is the last word of the name, lower case.
    """
    out: list[tuple[str, int]] = []
    n = len(doc)
    for t in doc:
        if not t.like_num or not t.text.isdigit() or not MIN_AGE <= int(t.text) <= MAX_AGE:
            continue
        if not article.is_checked(t.idx, t.idx + len(t.text)):
            continue
        age = int(t.text)
        # "32-year-old Klitschko": number, -, year, -, old, then the name's words.
        words = [x.lower_ for x in doc[t.i + 1 : t.i + 5]]
        if words == ["-", "year", "-", "old"]:
            k = t.i + 5
            while k < n and doc[k].pos_ == "PROPN" and doc[k].text[:1].isupper():
                k += 1
            if k > t.i + 5:
                out.append((doc[k - 1].lower_, age))
            continue
        # "Rahman, 36," / "Thompson (40)": the name just before, a person's.
        if t.i >= 2 and t.i + 1 < n and doc[t.i - 1].text in (",", "(") and doc[t.i + 1].text in (",", ")", ".", ";"):
            name = doc[t.i - 2]
            if name.ent_type_ == "PERSON" and name.pos_ == "PROPN" and name.text[:1].isupper():
                out.append((name.lower_, age))
    return out


def _vector(fp: Counter, idf: dict[str, float]) -> dict[str, float]:
    v = {t: (1 + math.log(c)) * idf.get(t, 0.0) for t, c in fp.items()}
    norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
    return {t: x / norm for t, x in v.items()}


CLOCK_PREFIXES = (AGE_PREFIX, YEAR_PREFIX, WEEKDAY_PREFIX, MONEY_PREFIX)


def _similarity_terms(fp: Counter) -> Counter:
    """The terms that make articles alike (ages, bound years and weekdays are clocks, not topics)."""
    if not any(t.startswith(CLOCK_PREFIXES) for t in fp):
        return fp
    return Counter({t: c for t, c in fp.items() if not t.startswith(CLOCK_PREFIXES)})


def ages_of(fp: Counter) -> dict[str, tuple[int, int]]:
    """Surname -> (youngest, oldest) age an article's fingerprint states."""
    out: dict[str, tuple[int, int]] = {}
    for t in fp:
        if t.startswith(AGE_PREFIX):
            name, _, age = t[len(AGE_PREFIX) :].rpartition(":")
            if age.isdigit():
                a = int(age)
                lo, hi = out.get(name, (a, a))
                out[name] = (min(lo, a), max(hi, a))
    return out


def vectors(fingerprints: dict[str, Counter]) -> tuple[list[str], Any]:
    """Article ids (sorted) and their TF-IDF vectors, one sparse row each.

    Only terms that can link articles are columns: terms in more than a
    fifth of the articles (or 50, whichever is larger) link nothing and are
    left out, as are terms of one article. Every term still counts in an
    article's length, so an article whose only shared term is "Indonesia" is
    not near one that shares five. The cosine of two articles is the dot
    product of their rows.
    """
    import numpy as np
    from scipy import sparse

    ids = sorted(fingerprints)
    n = len(ids)
    fingerprints = {i: _similarity_terms(fp) for i, fp in fingerprints.items()}
    df: Counter = Counter()
    for fp in fingerprints.values():
        df.update(fp.keys())
    idf = {t: math.log((1 + n + PRIOR_DOCS) / (1 + c)) + 1 for t, c in df.items()}
    common = max(50, n // 5)
    column: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for r, i in enumerate(ids):
        for t, w in _vector(fingerprints[i], idf).items():
            if 1 < df[t] <= common:
                rows.append(r)
                cols.append(column.setdefault(t, len(column)))
                vals.append(w)
    x = sparse.csr_matrix((vals, (rows, cols)), shape=(n, len(column)), dtype=np.float64)
    x.sort_indices()
    return ids, x


def candidate_pairs(x: Any, threshold: float, neighbours: int = NEIGHBOURS) -> tuple[Any, Any, Any, Any]:
    """Pairs of rows of ``x`` whose cosine reaches ``threshold``, at most
    ``neighbours`` per row (its nearest), as arrays (i, j, similarity) with
    i < j, plus a flag per row: True when the row had more than that.

    Memory is bounded by the articles, not the pairs: the product is computed
    a block of rows at a time (each block's work capped), and each row keeps
    only its nearest neighbours. Work is bounded by blocking on rare terms:
    a row looks for partners only through its terms in at most
    ``BLOCKING_DF`` articles, which is exact for every pair that matters. Two
    rows that share no rare term can only meet through frequent ones, and
    by Cauchy-Schwarz their cosine is then at most the product of the norms
    of their frequent parts; so a row whose frequent part reaches the square
    root of the threshold (an article of a big story, all of whose terms are
    frequent) looks through all its terms, and every pair at or above the
    threshold is found from one of its rows. Each candidate's similarity is
    then computed exactly from both whole rows.
    """
    import numpy as np
    from scipy import sparse

    n = x.shape[0]
    flags = np.zeros(n, dtype=bool)
    if n < 2 or x.nnz == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0), flags
    col_df = np.bincount(x.indices, minlength=x.shape[1])
    row_of = np.repeat(np.arange(n), np.diff(x.indptr))
    frequent = col_df[x.indices] > max(BLOCKING_DF, n // 20)
    fnorm = np.sqrt(np.bincount(row_of[frequent], weights=x.data[frequent] ** 2, minlength=n))
    whole = fnorm >= math.sqrt(threshold) * (1 - 1e-9)  # rows that look through all their terms
    looks = ~frequent | whole[row_of]
    probe = sparse.csr_matrix((x.data[looks], (row_of[looks], x.indices[looks])), shape=x.shape)
    xt = x.T.tocsr()
    # Work of each row's part of the product: the postings its probing terms touch.
    work = np.bincount(row_of[looks], weights=col_df[x.indices[looks]], minlength=n)
    floor = threshold * (1 - 1e-9)  # a hair of slack for rounding: a pair at the threshold stays
    keep_i, keep_j, keep_s = [], [], []
    start = 0
    while start < n:
        stop = start + 1
        total = work[start]
        while stop < n and total + work[stop] <= BLOCK_WORK:
            total += work[stop]
            stop += 1
        prod = (probe[start:stop] @ xt).tocoo()
        r = prod.row.astype(np.int64) + start
        c = prod.col.astype(np.int64)
        # A row that looked through all its terms has its exact cosines; for
        # the others, what the frequent terms can add is at most the product
        # of the frequent norms, and the rest is computed exactly.
        sims = prod.data
        exact = whole[r]
        ok = (r != c) & (exact | (sims + fnorm[r] * fnorm[c] >= floor))
        r, c, sims, exact = r[ok], c[ok], sims[ok], exact[ok]
        del prod
        sims[~exact] = _row_dots(x, r[~exact], c[~exact])
        ok = sims >= floor
        r, c, sims = r[ok], c[ok], sims[ok]
        # Each row's nearest first (ties by column, so the result is stable).
        order = np.lexsort((c, -sims, r))
        r, c, sims = r[order], c[order], sims[order]
        rank = np.arange(len(r)) - np.searchsorted(r, r, side="left")
        flags[start:stop] = np.bincount(r - start, minlength=stop - start) > neighbours
        top = rank < neighbours
        keep_i.append(r[top])
        keep_j.append(c[top])
        keep_s.append(sims[top])
        start = stop
    i, j, s = np.concatenate(keep_i), np.concatenate(keep_j), np.concatenate(keep_s)
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    _, first = np.unique(lo * n + hi, return_index=True)
    return lo[first], hi[first], s[first], flags


def _row_dots(x: Any, r: Any, c: Any, chunk: int = 100_000) -> Any:
    """Dot products of rows ``r[k]`` and ``c[k]`` of ``x``, a chunk at a time."""
    import numpy as np

    out = np.empty(len(r))
    for a in range(0, len(r), chunk):
        b = a + chunk
        out[a:b] = np.asarray(x[r[a:b]].multiply(x[c[a:b]]).sum(axis=1)).ravel()
    return out


def cluster(
    fingerprints: dict[str, Counter],
    threshold: float = DEFAULT_THRESHOLD,
    dates: dict[str, str] | None = None,
    window_days: int = DEFAULT_WINDOW_DAYS,
    neighbours: int = NEIGHBOURS,
    datings: dict[str, Dating] | None = None,
) -> list[list[str]]:
    """Stories by greedy average linkage over article similarities.

    Single linkage chains unrelated articles through a common name (a
    minister quoted in ten different stories); average linkage merges two
    groups only when their members are, on average, alike. Articles
    published more than ``window_days`` apart never share a story, nor do
    articles a year or more apart by the estimate ``datings`` gives for the
    undated ones (see ``_compatible``).

    Pairs at or above ``threshold`` are taken most similar first (at most
    ``neighbours`` per article, see ``candidate_pairs``); each joins its two
    groups when the groups' average similarity over all their pairs reaches
    the threshold too (see ``Linkage``). When an article had more neighbours
    than were kept, a closing pass compares its group with every other group
    by that average, so a story of many near-copies is not cut by the limit.
    """
    import numpy as np

    ids, x = vectors(fingerprints)
    days = [_day((dates or {}).get(i)) for i in ids]
    spans = [_When.of(d, (datings or {}).get(i)) for i, d in zip(ids, days)]
    link = Linkage(
        x,
        spans,
        threshold,
        window_days,
        ages=[ages_of(fingerprints[i]) for i in ids],
        clocks=(clocks := [_Occurrence.of(fingerprints[i], w) for i, w in zip(ids, spans)]),
    )
    pi, pj, ps, crowded = candidate_pairs(x, threshold, neighbours)
    for k in np.lexsort((pj, pi, -ps)).tolist():
        link.merge(link.owner[pi[k]], link.owner[pj[k]])
    rows = np.flatnonzero(crowded).tolist()
    while rows and link.close({link.owner[r] for r in rows}):
        pass
    groups = [sorted(ids[r] for r in part) for g in link.members for part in link.occurrences(g, clocks)]
    return sorted(groups, key=lambda g: g[0])


class Linkage:
    """Groups of rows of ``x`` under average linkage, merged one pair at a time.

    The average is exact and costs no pairs: the sum of the cosines between
    two groups is the dot product of the sums of their vectors, and each
    group keeps its sum (and its first and last publication day), so a merge
    costs the size of the smaller group's vector, not the product of the
    two groups' sizes; memory is one sum per group, bounded by the articles.
    A group is named by one of its rows.
    """

    def __init__(
        self,
        x: Any,
        spans: list[_When | None],
        threshold: float,
        window_days: int,
        ages: list[dict[str, tuple[int, int]]] | None = None,
        clocks: list[_Occurrence] | None = None,
    ) -> None:
        self.x = x
        # Each group's clock (the rows' own until the group grows; then a copy of its own in ``own_clock``).
        self.clocks: dict[int, _Occurrence] = dict(enumerate(clocks or ()))
        self.own_clock: set[int] = set()
        self.ages: dict[int, dict[str, tuple[int, int]]] = dict(enumerate(ages)) if ages else {}
        self.members: dict[int, list[int]] = {r: [r] for r in range(x.shape[0])}
        self.owner = list(range(x.shape[0]))
        self.sums: dict[int, dict[int, float]] = {}
        self.known: dict[tuple[int, int], tuple[tuple[int, int], float]] = {}
        self.span: dict[int, _When | None] = dict(enumerate(spans))
        self.threshold = threshold
        self.window_days = window_days

    def vector(self, g: int) -> dict[int, float]:
        """The sum of the group's vectors, by column (made when first needed)."""
        if g not in self.sums:
            a, b = self.x.indptr[g], self.x.indptr[g + 1]
            self.sums[g] = dict(zip(self.x.indices[a:b].tolist(), self.x.data[a:b].tolist(), strict=True))
        return self.sums[g]

    def average(self, ga: int, gb: int) -> float:
        """Mean cosine over every pair of an article of ``ga`` and one of ``gb``.

        Remembered until either group grows (a group only changes by growing),
        since the pairs of two big groups that were refused come up again.
        """
        na, nb = len(self.members[ga]), len(self.members[gb])
        key, stamp = ((ga, gb), (na, nb)) if ga < gb else ((gb, ga), (nb, na))
        hit = self.known.get(key)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        va, vb = self.vector(ga), self.vector(gb)
        if len(va) > len(vb):
            va, vb = vb, va
        avg = sum(w * vb.get(t, 0.0) for t, w in va.items()) / (na * nb)
        if na * nb > 1:
            self.known[key] = (stamp, avg)
        return avg

    def merge(self, ga: int, gb: int) -> bool:
        """Join two groups if their dates and average allow it; True if they were joined."""
        if ga == gb or not _compatible(self.span[ga], self.span[gb], self.window_days):
            return False
        if _ages_apart(self.ages.get(ga), self.ages.get(gb)):
            sa, sb = self.span[ga], self.span[gb]
            if not (sa and sb and (_refers(sa, sb, self.window_days) or _refers(sb, sa, self.window_days))):
                return False
        # A hair of slack, so rounding never refuses a pair exactly at the threshold.
        if self.average(ga, gb) < self.threshold * LINKAGE_RATIO - 1e-12:
            return False
        keep, drop = (ga, gb) if len(self.members[ga]) >= len(self.members[gb]) else (gb, ga)
        for r in self.members[drop]:
            self.owner[r] = keep
        self.members[keep].extend(self.members.pop(drop))
        vk, vd = self.vector(keep), self.vector(drop)
        del self.sums[drop]
        if len(vd) > len(vk):
            vk, vd = vd, vk
        for t, w in vd.items():
            vk[t] = vk.get(t, 0.0) + w
        self.sums[keep] = vk
        ak, ad = self.ages.pop(keep, None), self.ages.pop(drop, None)
        if ak or ad:
            self.ages[keep] = _merge_ages(ak or {}, ad or {})
        if keep in self.clocks and drop in self.clocks:
            if keep not in self.own_clock:  # still the row's own: copy before adding to it
                self.clocks[keep] = self.clocks[keep].copy()
                self.own_clock.add(keep)
            self.clocks[keep].absorb(self.clocks.pop(drop))
            self.own_clock.discard(drop)
        sk, sd = self.span[keep], self.span.pop(drop)
        self.span[keep] = sk.merge(sd) if sk and sd else (sk or sd)
        return True

    def occurrences(self, g: int, clocks: list[_Occurrence]) -> list[list[int]]:
        """The group's rows, split in two when its undated members report another occurrence.

        Done once the groups are formed, not while merging: refusing merges
        on the way depends on their order (a dated article that names the
        weekday may come after the undated camp joined) and cut a story of
        dated articles into pieces. The undated camp (the members that agree
        on a weekday against the dated ones, or that are about an entity the
        dated ones tie to an earlier year) is split off with the dated
        members on the other side; every other member goes to the side it is
        nearer: the one whose articles state a sum of money it states too
        ("85 million" is one robbery's loot), else the one holding its
        nearest article.
        """
        rows = self.members[g]
        clock = self.clocks.get(g)
        camp = clock.camp(rows, clocks) if clock else set()
        if not camp:
            return [rows]
        dated = [r for r in rows if not clocks[r].undated]
        if not dated:
            return [rows]
        sides: tuple[list[int], list[int]] = (dated, sorted(camp))
        rest = [r for r in rows if clocks[r].undated and r not in camp]
        for r in rest:
            shared = [len(clocks[r].figures & _figures(clocks, side)) for side in sides]
            if bool(shared[0]) != bool(shared[1]):
                sides[0 if shared[0] else 1].append(r)
                continue
            near = [self._nearest(r, side) for side in sides]
            sides[0 if near[0] >= near[1] else 1].append(r)
        return [sorted(side) for side in sides]

    def _nearest(self, r: int, rows: list[int]) -> float:
        """Cosine of row ``r`` with its nearest of ``rows`` (a near-copy is the best witness of an occurrence)."""
        return float((self.x[rows] @ self.x[r].T).max())

    def close(self, crowded: set[int]) -> bool:
        """Try to merge each ``crowded`` group with every group it is near on average; True if any merged.

        Candidates come from one sparse product of the crowded groups' sums
        with every group's sum; each is checked again, most similar first,
        against the groups as they are by then.
        """
        import numpy as np
        from scipy import sparse

        x = self.x
        groups = sorted(self.members)
        index = {g: k for k, g in enumerate(groups)}
        n = x.shape[0]
        member_of = np.array([index[self.owner[r]] for r in range(n)])
        gsum = sparse.csr_matrix((np.ones(n), (member_of, np.arange(n))), shape=(len(groups), n)) @ x
        size = np.array([len(self.members[g]) for g in groups], dtype=np.float64)
        these = np.array(sorted(index[g] for g in crowded))
        prod = (gsum[these] @ gsum.T).tocoo()
        a, b = these[prod.row], prod.col
        avg = prod.data / (size[a] * size[b])
        ok = (a != b) & (avg >= self.threshold * LINKAGE_RATIO * (1 - 1e-9))
        a, b, avg = a[ok], b[ok], avg[ok]
        merged = False
        for k in np.lexsort((b, a, -avg)).tolist():
            # Named by one of its rows, an old group is found again through that row's owner.
            merged |= self.merge(self.owner[groups[a[k]]], self.owner[groups[b[k]]])
        return merged


def _day(value: str | None):
    """A given publication date in the shapes outlets use ("2010-09-10", "Friday, Sep 10, 2010 | ...")."""
    from checker.dateparse import parse_published

    if not value:
        return None
    try:
        return parse_published(str(value))
    except (ValueError, OverflowError):
        return None


@dataclass
class _When:
    """When a group's articles were published, as far as known, for the date checks.

    ``exact``: first and last day given (or read from a dateline); ``lo``:
    the latest day any member was published on or after; ``hi``: the earliest
    day any member was published on or before (None: no bound); ``first`` /
    ``last``: the days the group covers; ``refs``: the days its texts date
    events to.
    """

    exact: tuple[int, int] | None
    lo: int
    hi: int | None
    first: int
    last: int
    refs: frozenset[tuple[int, int]]

    @classmethod
    def of(cls, given: Any, dating: Dating | None) -> _When | None:
        if given is not None:
            d = given.toordinal()
            return cls((d, d), d, d, d, d, frozenset(dating.refs if dating else ()))
        if dating is None or (dating.lo is None and not dating.refs):
            return None
        if dating.lo is None:  # dates events, not itself: only a follow-up's reference
            return cls(None, -(10**9), None, 10**9, -(10**9), frozenset(dating.refs))
        ex = (dating.lo, dating.lo) if dating.exact else None
        return cls(ex, dating.lo, dating.hi, dating.lo, dating.hi or dating.lo, frozenset(dating.refs))

    def merge(self, o: _When) -> _When:
        ex = self.exact or o.exact
        if self.exact and o.exact:
            ex = (min(self.exact[0], o.exact[0]), max(self.exact[1], o.exact[1]))
        his = [h for h in (self.hi, o.hi) if h is not None]
        return _When(
            ex,
            max(self.lo, o.lo),
            min(his) if his else None,
            min(self.first, o.first),
            max(self.last, o.last),
            self.refs | o.refs,
        )


# Articles of one camp that agree on the lead event's weekday: fewer is one
# outlet's slip (a date conflict to flag), this many is another occurrence.
CAMP = 2


@dataclass
class _Occurrence:
    """What tells a group's occurrence of an event from another's, for undated members.

    ``dated_days`` / ``undated_days``: the lead event's weekday, counted over
    the members with a publication day and over the others; ``bound``: entity
    terms the dated members tie to a year before their own ("In December 2008,
    ... the X store" in a 2013 article); ``loose``: entity terms the undated
    members name, counted by member, outside sentences of a past year;
    ``undated``: how many members are undated; ``figures``: the sums of
    money they state; ``present``: entity terms the dated members name
    outside sentences of a past year, counted by member.
    """

    dated_days: Counter
    undated_days: Counter
    bound: frozenset[str]
    loose: Counter
    undated: int
    figures: frozenset[int] = frozenset()
    present: Counter = field(default_factory=Counter)

    @classmethod
    def of(cls, fp: Counter, when: _When | None) -> _Occurrence:
        days = Counter(int(t[len(WEEKDAY_PREFIX) :]) for t in fp if t.startswith(WEEKDAY_PREFIX))
        figures = frozenset(int(t[len(MONEY_PREFIX) :]) for t in fp if t.startswith(MONEY_PREFIX))
        years = []
        for t in fp:
            if t.startswith(YEAR_PREFIX):
                key, _, year = t[len(YEAR_PREFIX) :].rpartition(":")
                if year.isdigit():
                    years.append(("e:" + key, int(year)))
        if when is not None and when.exact:
            own = date.fromordinal(when.exact[0]).year
            bound = frozenset(k for k, y in years if y < own)
            present = Counter({t: 1 for t in fp if t.startswith("e:") and t not in {k for k, _ in years}})
            return cls(days, Counter(), bound, Counter(), 0, figures, present)
        tied = {k for k, _ in years}
        loose = Counter({t: 1 for t in fp if t.startswith("e:") and t not in tied})
        return cls(Counter(), days, frozenset(), loose, 1, figures)

    def copy(self) -> _Occurrence:
        return _Occurrence(
            Counter(self.dated_days),
            Counter(self.undated_days),
            self.bound,
            Counter(self.loose),
            self.undated,
            self.figures,
            Counter(self.present),
        )

    def absorb(self, o: _Occurrence) -> None:
        """Add ``o``'s counts to this one, in place: the cost is ``o``'s size (the smaller group's)."""
        self.dated_days.update(o.dated_days)
        self.undated_days.update(o.undated_days)
        self.loose.update(o.loose)
        self.present.update(o.present)
        self.bound = self.bound | o.bound if o.bound else self.bound
        self.figures = self.figures | o.figures if o.figures else self.figures
        self.undated += o.undated

    def camp(self, rows: list[int], clocks: list[_Occurrence]) -> set[int]:
        """The rows of this group's undated members that report another occurrence (empty: none).

        Those about an entity the dated members tie to an earlier year (and
        none names outside such a sentence: else it is of their own story too),
        when at least half of the undated members are; else those that agree on
        the lead event's weekday, at least ``CAMP`` of them and a clear
        majority of the undated, against at least ``CAMP`` dated members
        agreeing on another. A single undated dissenter is one outlet's slip
        and stays.
        """
        undated = [r for r in rows if clocks[r].undated]
        tied = {t for t in self.bound if not self.present[t] and 2 * self.loose[t] >= self.undated}
        if tied:
            return {r for r in undated if any(clocks[r].loose[t] for t in tied)}
        day = _camps_apart(self.dated_days, self.undated_days)
        if day is None:
            return set()
        return {r for r in undated if clocks[r].undated_days[day]}


def _figures(clocks: list[_Occurrence], rows: list[int]) -> frozenset[int]:
    """The sums of money the articles of ``rows`` state."""
    return frozenset().union(*(clocks[r].figures for r in rows))


def _camps_apart(dated: Counter, undated: Counter) -> int | None:
    """The undated camp's weekday when two clear camps of at least ``CAMP`` articles,
    dated against undated, name different weekdays; else None.

    The dated camp must hold over two thirds of the dated articles that name a
    weekday, and none of them may name the undated camp's: coverage over
    several days (Monday's reports, then Tuesday's) leads with several
    weekdays, and undated reports of a later day are of the same story.
    """
    tops = []
    for side in (dated, undated):
        top = side.most_common(2)
        if not top or top[0][1] < CAMP or (len(top) > 1 and top[1][1] == top[0][1]):
            return None
        tops.append(top[0][0])
    if 3 * dated[tops[0]] <= 2 * sum(dated.values()) or dated[tops[1]]:
        return None
    return tops[1] if tops[0] != tops[1] else None


def _compatible(a: _When | None, b: _When | None, window_days: int) -> bool:
    """Can the two groups be one story, by when they were published?

    Given (or dateline) days more than ``window_days`` apart, or bounds that
    leave a year or more between some members (an article reporting a 2012
    event in the past tense is not of a story published in 2010), keep them
    apart, unless one group's texts date an event to a day the other covers
    (a follow-up on the earlier story: "convicted of the September 10, 2010
    shooting"). A group with no date evidence is free, as before.
    """
    if a is None or b is None:
        return True
    apart = False
    if a.exact and b.exact:
        apart = max(a.exact[1], b.exact[1]) - min(a.exact[0], b.exact[0]) > window_days
    his = [h for h in (a.hi, b.hi) if h is not None]
    if his and max(a.lo, b.lo) - min(his) >= YEAR_DAYS:
        apart = True
    if not apart:
        return True
    return _refers(a, b, window_days) or _refers(b, a, window_days)


def _ages_apart(a: dict[str, tuple[int, int]] | None, b: dict[str, tuple[int, int]] | None) -> bool:
    """Do the two groups state one person's age ``AGE_GAP`` or more years apart?

    A person is 32 in one group's texts and 36 in the other's: the groups
    were written years apart (the Klitschko-Rahman fight of 2008 and the
    Klitschko-Thompson fight of 2012), however alike their words. A surname
    whose ages already differ that much within one group is two people there
    (brothers, father and son) and says nothing.
    """
    if not a or not b:
        return False
    for name in a.keys() & b.keys():
        (la, ha), (lb, hb) = a[name], b[name]
        if ha - la >= AGE_GAP or hb - lb >= AGE_GAP:
            continue
        if max(ha, hb) - min(la, lb) >= AGE_GAP:
            return True
    return False


def _merge_ages(a: dict[str, tuple[int, int]], b: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
    out = dict(a)
    for name, (lo, hi) in b.items():
        if name in out:
            out[name] = (min(out[name][0], lo), max(out[name][1], hi))
        else:
            out[name] = (lo, hi)
    return out


def _refers(a: _When, b: _When, window_days: int) -> bool:
    """Does a text of ``a`` date an event to a day ``b``'s articles cover?"""
    lo, hi = b.first - window_days, b.last + window_days
    return lo <= hi and any(r[0] <= hi and lo <= r[1] for r in a.refs)


def story_name(members: list[str], fingerprints: dict[str, Counter]) -> str:
    """A readable, stable story id: its most shared entities plus a short hash."""
    shared: Counter = Counter()
    for m in members:
        shared.update({t: 1 for t in fingerprints[m] if t.startswith("e:")})
    top = [t[2:] for t, c in shared.most_common(3) if c > 1 or len(members) == 1][:2]
    slug = "-".join(re.sub(r"[^a-z0-9]+", "-", t).strip("-") for t in top) or "story"
    return f"{slug}-{stable_id(*sorted(members))[:6]}"


def assign_stories(
    articles: list[Article],
    docs: dict[str, Doc] | None = None,
    fingerprints: dict[str, Counter] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    datings: dict[str, Any] | None = None,
) -> dict[str, str]:
    """article id -> story id. Given stories are kept; the rest are clustered.

    ``datings``: article id -> what its text says about its date
    (checker/resolve/dating.py), used for the articles the metadata leaves undated.
    """
    out: dict[str, str] = {a.id: a.story for a in articles if a.story}
    fps = dict(fingerprints or {})
    datings = dict(datings or {})
    if docs:
        for a in articles:
            if a.id not in fps and a.id in docs:
                fps[a.id] = fingerprint(docs[a.id], a)
            if a.id not in datings and a.id in docs:
                datings[a.id] = dating_of(docs[a.id], a)
    todo = {a.id: fps[a.id] for a in articles if not a.story and a.id in fps}
    dates = {a.id: a.published for a in articles if a.published}
    when = {a.id: w for a in articles if a.id in todo and (w := dating_for_stories(a, datings.get(a.id)))}
    for members in cluster(todo, threshold, dates, datings=when):
        name = story_name(members, todo)
        for m in members:
            out[m] = name
    return out
