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
from typing import TYPE_CHECKING

from checker.models import stable_id

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from checker.models import Article

ENT_LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT", "FAC", "PRODUCT", "WORK_OF_ART"}
DEFAULT_THRESHOLD = 0.25


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


def cluster(fingerprints: dict[str, Counter], threshold: float = DEFAULT_THRESHOLD) -> list[list[str]]:
    """Connected groups of articles whose cosine similarity passes ``threshold``."""
    ids = sorted(fingerprints)
    n = len(ids)
    df: Counter = Counter()
    for fp in fingerprints.values():
        df.update(fp.keys())
    idf = {t: math.log((1 + n) / (1 + c)) + 1 for t, c in df.items()}
    # Terms every article shares carry no signal; terms only one has cannot link.
    vecs = {i: _vector(fingerprints[i], {t: w for t, w in idf.items() if 1 < df[t]}) for i in ids}
    parent = {i: i for i in ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    # An inverted index keeps this near-linear for a night's thousands of articles.
    index: dict[str, list[str]] = {}
    for i in ids:
        for t in vecs[i]:
            index.setdefault(t, []).append(i)
    for i in ids:
        scores: Counter = Counter()
        for t, w in vecs[i].items():
            if df[t] > max(50, n // 5):
                continue
            for j in index[t]:
                if j > i:
                    scores[j] += w * vecs[j][t]
        for j, s in scores.items():
            if s >= threshold:
                parent[find(i)] = find(j)
    groups: dict[str, list[str]] = {}
    for i in ids:
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values(), key=lambda g: g[0])


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
    threshold: float = DEFAULT_THRESHOLD,
) -> dict[str, str]:
    """article id -> story id. Given stories are kept; the rest are clustered."""
    out: dict[str, str] = {a.id: a.story for a in articles if a.story}
    fps = dict(fingerprints or {})
    if docs:
        for a in articles:
            if a.id not in fps and a.id in docs:
                fps[a.id] = fingerprint(docs[a.id], a)
    todo = {a.id: fps[a.id] for a in articles if not a.story and a.id in fps}
    for members in cluster(todo, threshold):
        name = story_name(members, todo)
        for m in members:
            out[m] = name
    return out
