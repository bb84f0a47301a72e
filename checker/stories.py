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

from checker.dating import dating_for_stories, dating_of
from checker.models import Dating, stable_id

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
    return terms


def _vector(fp: Counter, idf: dict[str, float]) -> dict[str, float]:
    v = {t: (1 + math.log(c)) * idf.get(t, 0.0) for t, c in fp.items()}
    norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
    return {t: x / norm for t, x in v.items()}


def similarities(fingerprints: dict[str, Counter]) -> dict[tuple[str, str], float]:
    """Cosine similarity of every pair of articles that share a salient term.

    One sparse matrix product over the terms that can link articles: terms
    in more than a fifth of the articles (or 50, whichever is larger) link
    nothing and are left out, which keeps the product sparse for a night's
    thousands of articles.
    """
    import numpy as np
    from scipy import sparse

    ids = sorted(fingerprints)
    n = len(ids)
    df: Counter = Counter()
    for fp in fingerprints.values():
        df.update(fp.keys())
    # Every term counts in an article's length, so an article whose only
    # shared term is "Indonesia" is not near one that shares five.
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
    if not column:
        return {}
    x = sparse.csr_matrix((vals, (rows, cols)), shape=(n, len(column)), dtype=np.float64)
    prod = sparse.triu(x @ x.T, k=1).tocoo()
    keep = prod.data > 0.05
    return {
        (ids[r], ids[c]): float(v)
        for r, c, v in zip(prod.row[keep].tolist(), prod.col[keep].tolist(), prod.data[keep].tolist(), strict=True)
    }


def cluster(
    fingerprints: dict[str, Counter], threshold: float = DEFAULT_THRESHOLD, dates: dict[str, str] | None = None,
    window_days: int = DEFAULT_WINDOW_DAYS, datings: dict[str, Dating] | None = None,
) -> list[list[str]]:
    """Stories by greedy average linkage over article similarities.

    Single linkage chains unrelated articles through a common name (a
    minister quoted in ten different stories); average linkage merges two
    groups only when their members are, on average, alike. Articles
    published more than ``window_days`` apart never share a story, nor do
    articles a year or more apart by the estimate ``datings`` gives for the
    undated ones (see ``_compatible``).

    Each group keeps the summed similarity to its neighbours and its first
    and last publication day, so a merge costs the size of its neighbourhood,
    not the product of the two groups' sizes.
    """
    sims = similarities(fingerprints)
    dates = dates or {}
    members: dict[str, list[str]] = {i: [i] for i in fingerprints}
    owner: dict[str, str] = {i: i for i in fingerprints}
    links: dict[str, dict[str, float]] = {i: {} for i in fingerprints}
    for (i, j), s in sims.items():
        links[i][j] = links[j][i] = s
    span: dict[str, _When | None] = {i: _When.of(_day(dates.get(i)), (datings or {}).get(i)) for i in fingerprints}

    for (i, j), s in sorted(sims.items(), key=lambda kv: (-kv[1], kv[0])):
        if s < threshold:
            break
        ci, cj = owner[i], owner[j]
        if ci == cj:
            continue
        if not _compatible(span[ci], span[cj], window_days):
            continue
        a, b = members[ci], members[cj]
        if links[ci].get(cj, 0.0) / (len(a) * len(b)) < threshold * LINKAGE_RATIO:
            continue
        keep, drop = (ci, cj) if len(a) >= len(b) else (cj, ci)
        members[keep].extend(members.pop(drop))
        for x in members[keep]:
            owner[x] = keep
        for c, v in links.pop(drop).items():
            links[c].pop(drop)
            if c != keep:
                links[keep][c] = links[c][keep] = links[keep].get(c, 0.0) + v
        sd, sk = span.pop(drop), span[keep]
        span[keep] = sk.merge(sd) if sk and sd else (sk or sd)
    return sorted((sorted(g) for g in members.values()), key=lambda g: g[0])


def _day(value: str | None):
    """A given publication date in the shapes outlets use ("2010-09-10", "Friday, Sep 10, 2010 | ...")."""
    from checker.dates import parse_published

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
        return _When(ex, max(self.lo, o.lo), min(his) if his else None, min(self.first, o.first),
                     max(self.last, o.last), self.refs | o.refs)


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
    articles: list[Article], docs: dict[str, Doc] | None = None, fingerprints: dict[str, Counter] | None = None,
    threshold: float = DEFAULT_THRESHOLD, datings: dict[str, Any] | None = None,
) -> dict[str, str]:
    """article id -> story id. Given stories are kept; the rest are clustered.

    ``datings``: article id -> what its text says about its date
    (checker/dating.py), used for the articles the metadata leaves undated.
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
