"""Group articles into stories, so unrelated events are never compared.

An article's story comes from the input when given (a JSONL ``story`` field,
``meta.json``, or ``--story``); otherwise it is found from the text: articles
that share enough salient named entities (people, places, organisations,
events) and key terms are linked, and stories are the connected groups.
Weights are inverse document frequencies over the run, so "Monday" or "UK",
frequent across unrelated articles, link little.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
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
    return terms


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


def _similarity_terms(fp: Counter) -> Counter:
    """The terms that make articles alike (ages are a clock, not a topic)."""
    if not any(t.startswith(AGE_PREFIX) for t in fp):
        return fp
    return Counter({t: c for t, c in fp.items() if not t.startswith(AGE_PREFIX)})


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
    link = Linkage(
        x,
        [_When.of(d, (datings or {}).get(i)) for i, d in zip(ids, days)],
        threshold,
        window_days,
        ages=[ages_of(fingerprints[i]) for i in ids],
    )
    pi, pj, ps, crowded = candidate_pairs(x, threshold, neighbours)
    for k in np.lexsort((pj, pi, -ps)).tolist():
        link.merge(link.owner[pi[k]], link.owner[pj[k]])
    rows = np.flatnonzero(crowded).tolist()
    while rows and link.close({link.owner[r] for r in rows}):
        pass
    groups = [sorted(ids[r] for r in g) for g in link.members.values()]
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
    ) -> None:
        self.x = x
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
        sk, sd = self.span[keep], self.span.pop(drop)
        self.span[keep] = sk.merge(sd) if sk and sd else (sk or sd)
        return True

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
