"""Fit the alignment model (checker/resolve/align.py) on labelled stories and editors' decisions.

Supervision, as pairs of same-kind claims in one story:

- **Labelled discrepancies** (``gold.jsonl``): claims under two evidence quotes
  of one item state the same fact (positive). Other pairs in the story whose
  values cannot both be true are, as far as the labels say, different facts
  (negative): the labels list the discrepancies, so a pair that would be a
  conflict and is not listed is taken as not one fact. Pairs whose values
  agree say nothing either way and are left out; so are pairs under one
  labelled non-conflict (some are one fact with compatible values, some
  different scopes).
- **The corpus's own coreference** (``mentions.jsonl``): two date claims on
  time mentions of one chain, or two location claims on place mentions of one
  chain, are the same fact; on different chains, different facts.
- **Editors' decisions** in the store: a *confirmed* conflict's claims state
  one fact; a conflict marked *not a conflict* must not be flagged, so its
  claims under different values are different facts.

Each aligned kind gets a logistic regression (scikit-learn, balanced class
weights); its threshold is the one with the best F0.5 on the training pairs (precision
weighs more: a wrong link makes a false conflict, a missed one only a miss).
The result is plain JSON: feature names, coefficients, intercept, threshold.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.resolve.align import ALIGNED_KINDS, FEATURES, AlignModel, KindModel, eligible, story_context, story_pairs

if TYPE_CHECKING:
    from checker.models import Article, Claim
    from checker.resolve.event_relations import Head
    from checker.rules import Rules

log = logging.getLogger("checker")

KIND_OF_LABEL = {"quantity": "quantity", "date": "date", "location": "location"}
MENTION_TYPES = {"date": "TIME_", "location": "LOC_"}
# Features each kind's model uses (the others are always 0 for it).
KIND_FEATURES = {
    "quantity": [
        "same_key",
        "subject_overlap",
        "same_counted",
        "same_owner",
        "same_unit",
        "same_status",
        "same_event",
        "related_event",
        "sentence_words",
        "near_words",
        "shared_names",
        "value_close",
        "same_time",
        "same_attribution",
        "position_close",
        "both_lead",
        "year_differs",
        "place_differs",
    ],
    "date": [
        "same_key",
        "subject_overlap",
        "same_event",
        "related_event",
        "shared_named",
        "once_event",
        "sentence_words",
        "near_words",
        "shared_names",
        "value_close",
        "same_granularity",
        "same_attribution",
        "position_close",
        "both_lead",
    ],
    "location": [
        "same_key",
        "subject_overlap",
        "same_event",
        "related_event",
        "shared_named",
        "once_event",
        "sentence_words",
        "near_words",
        "shared_names",
        "value_close",
        "same_attribution",
        "position_close",
        "both_lead",
    ],
}
assert all(set(v) <= set(FEATURES) for v in KIND_FEATURES.values())


@dataclass
class Labelled:
    """Labelled corpora read and extracted once: what folds and training reuse."""

    articles: list[Article]
    claims: list[Claim]
    stories: dict[str, str]
    texts: dict[str, str]
    gold: list[dict] = field(default_factory=list)
    nonconflicts: list[dict] = field(default_factory=list)
    mentions: list[dict] = field(default_factory=list)
    story_of: dict[str, str] = field(default_factory=dict)  # file name -> labelled cluster
    clean: set[str] = field(default_factory=set)  # clusters labelled as having no discrepancy
    corpus_texts: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    _heads: list[Head] | None = field(default=None, repr=False)

    def cluster_of(self, article_id: str) -> str | None:
        return self.story_of.get(article_id.rsplit("/", 1)[-1])

    def event_heads(self, rules: Rules) -> list[Head]:
        """The head lemmas of the corpus's event mentions (parsed once, kept)."""
        if self._heads is None:
            from checker.resolve.event_relations import mention_heads

            run = {a.id for a in self.articles}
            self._heads = mention_heads(self.mentions, self.texts, lambda f, c: _article_id(f, c, run), rules)
        return self._heads

    def event_relations(self, rules: Rules, clusters: set[str] | None = None) -> list[list]:
        """Event relations learned from the chains of ``clusters`` (all when None) only."""
        from checker.resolve.event_relations import learn

        return learn(self.event_heads(rules), clusters)

    @property
    def clusters(self) -> list[str]:
        return sorted(set(self.story_of.values()))


def read_labelled(corpora: list[Path]) -> dict[str, Any]:
    """Labels, mentions and the story index of each corpus folder (``../shared/corpus/ecbplus-*``)."""
    from checker.evaluate import _clusters, _index_texts, _read_jsonl

    out: dict[str, Any] = {
        "gold": [],
        "nonconflicts": [],
        "mentions": [],
        "story_of": {},
        "clean": set(),
        "texts": defaultdict(list),
    }
    for d in corpora:
        d = Path(d)
        for name, key in (
            ("gold.jsonl", "gold"),
            ("nonconflicts.jsonl", "nonconflicts"),
            ("mentions.jsonl", "mentions"),
        ):
            if (d / name).is_file():
                out[key] += _read_jsonl(d / name)
        story_of, clean = _clusters(d / "clusters" / "index.json")
        out["story_of"].update(story_of)
        out["clean"] |= clean
        for k, v in _index_texts(d).items():
            out["texts"][k] += v
    return out


def load_labelled(
    corpora: list[Path], rules: Rules, store: Any = None, model: str | None = None, n_process: int = 2
) -> Labelled:
    """Read, extract (from the store when cached), group and link the labelled corpora once."""
    from checker.engine import extract_all
    from checker.ingest import read_inputs
    from checker.resolve import resolve_claims
    from checker.resolve.dating import apply_estimates
    from checker.resolve.stories import assign_stories

    inputs = [Path(d) / "clusters" if (Path(d) / "clusters").is_dir() else Path(d) for d in corpora]
    ing = read_inputs(inputs)
    got = extract_all(ing.articles, rules, model, n_process, "local", None, store, None)
    # Group as `checker run` does: with what each text says about its date (an undated
    # article's estimate, the days its events are dated to), or the figures judge
    # another grouping than users get.
    apply_estimates(ing.articles, got.datings)
    if store is not None:
        stories = store.stories(
            ing.articles,
            got.key,
            lambda: assign_stories(ing.articles, fingerprints=got.fingerprints, datings=got.datings),
        )
    else:
        stories = assign_stories(ing.articles, fingerprints=got.fingerprints, datings=got.datings)
    claims = resolve_claims([c for a in ing.articles for c in got.claims_for(a)], stories, rules)
    lab = read_labelled(corpora)
    return Labelled(
        articles=ing.articles,
        claims=claims,
        stories=stories,
        texts={a.id: a.text for a in ing.articles},
        gold=lab["gold"],
        nonconflicts=lab["nonconflicts"],
        mentions=lab["mentions"],
        story_of=lab["story_of"],
        clean=lab["clean"],
        corpus_texts=dict(lab["texts"]),
    )


# --- pairs --------------------------------------------------------------------


def values_compatible(a: Claim, b: Claim, rules: Rules) -> bool:
    """Can both values be true at once (then a link changes no judgment)?"""
    if a.kind == "quantity":
        from checker.compare.quantities import compatible

        return compatible(a, b, rules)
    if a.kind == "date":
        from checker.compare.dates import _when
        from checker.dateparse import compatible as dates_compatible

        return dates_compatible(_when(a), _when(b))
    from checker.compare.places import known_places, places_compatible

    return places_compatible(a, b, rules, known_places(rules))


def _item_claims(
    item: dict, by_article: dict[str, list[Claim]], kind: str, texts: dict, run_articles: set[str]
) -> list[list[Claim]]:
    """For each evidence quote of a label, the claims of ``kind`` it overlaps."""
    from checker.evaluate import _spans

    out = []
    for art, s, e in _spans(item, texts, run_articles, []):
        out.append([c for c in by_article.get(art, []) if c.kind == kind and c.start < e and s < c.end])
    return out


@dataclass
class PairSet:
    """Feature rows and labels per kind, with the story each pair came from."""

    rows: dict[str, list[dict[str, float]]] = field(default_factory=lambda: defaultdict(list))
    labels: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    origin: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))

    def add(self, kind: str, feats: dict[str, float], y: int, why: str) -> None:
        self.rows[kind].append(feats)
        self.labels[kind].append(y)
        self.origin[kind][f"{why}:{y}"] += 1

    def extend(self, other: PairSet, weight: int = 1) -> None:
        """Add another set's pairs (``weight`` times: an editor's decision may count more than a guess)."""
        for kind, rows in other.rows.items():
            for _ in range(weight):
                self.rows[kind] += rows
                self.labels[kind] += other.labels[kind]
            for k, n in other.origin[kind].items():
                self.origin[kind][k] += n


def decided_set(store: Any, rules: Rules, model: str | None = None) -> tuple[Labelled, list[dict]]:
    """The articles of conflicts editors decided (confirmed or not a conflict), extracted
    again from the store's texts (cached), and the decisions as claim positions per value."""
    from checker.decisions import latest_decisions
    from checker.engine import extract_all
    from checker.models import Article
    from checker.resolve import resolve_claims

    decided = {k: d for k, d in latest_decisions(store.path).items() if d["status"] in ("confirmed", "dismissed")}
    articles: dict[str, Article] = {}
    stories: dict[str, str] = {}
    out: list[dict] = []
    for cid, d in sorted(decided.items()):
        row = store.db.execute("SELECT run, doc FROM conflicts WHERE id=? ORDER BY run DESC LIMIT 1", (cid,)).fetchone()
        if row is None:
            continue
        run, doc = row[0], json.loads(row[1])
        hashes = store.run_articles(run)
        values = []
        for v in doc["values"]:
            values.append([(e["article"], e["start"], e["end"]) for e in v["claims"]])
            for e in v["claims"]:
                if e["article"] in articles or e["article"] not in hashes:
                    continue
                got = store.db.execute("SELECT text FROM articles WHERE hash=?", (hashes[e["article"]],)).fetchone()
                if got is None:
                    continue
                articles[e["article"]] = Article(
                    id=e["article"], text=got[0], source=e.get("source"), published=e.get("published")
                )
                stories[e["article"]] = doc["story"]
        out.append({"status": d["status"], "kind": doc["kind"], "values": values})
    arts = list(articles.values())
    got = extract_all(arts, rules, model, 1, "local", None, store, None) if arts else None
    claims = resolve_claims([c for a in arts for c in got.claims_for(a)], stories, rules) if got else []
    lab = Labelled(articles=arts, claims=claims, stories=stories, texts={a.id: a.text for a in arts})
    return lab, out


def labelled_pairs(
    lab: Labelled,
    rules: Rules,
    clusters: set[str] | None = None,
    decisions: list[dict] | None = None,
    only_marked: bool = False,
    relations: list[list] | None = None,
) -> PairSet:
    """Training pairs from the labelled stories in ``clusters`` (all when None) and from decisions.

    ``only_marked``: only pairs a label, chain or decision speaks about (for
    decided conflicts outside any labelled story, where silence means nothing).
    ``relations``: the learned event relations the model will carry (its
    ``related_event`` feature reads them).
    """
    from checker.resolve.event_relations import Relations

    rel = Relations(relations or [], rules)
    run_articles = {a.id for a in lab.articles}
    by_article: dict[str, list[Claim]] = defaultdict(list)
    for c in lab.claims:
        by_article[c.article].append(c)
    pos: set[tuple[int, int]] = set()
    skip: set[tuple[int, int]] = set()
    neg: set[tuple[int, int]] = set()
    dpos: set[tuple[int, int]] = set()

    def mark(target: set, quotes: list[list[Claim]]) -> None:
        for i, qa in enumerate(quotes):
            for qb in quotes[i:] if target is skip else quotes[i + 1 :]:
                for a in qa:
                    for b in qb:
                        if a is not b:
                            target.add(_pk(a, b))

    for item in lab.gold:
        kind = KIND_OF_LABEL.get(item["kind"])
        if kind and (clusters is None or item.get("cluster") in clusters):
            mark(pos, _item_claims(item, by_article, kind, lab.corpus_texts, run_articles))
    for item in lab.nonconflicts:
        kind = KIND_OF_LABEL.get(item["kind"])
        if kind and (clusters is None or item.get("cluster") in clusters):
            mark(skip, _item_claims(item, by_article, kind, lab.corpus_texts, run_articles))
    # The corpus's coreference chains: time mentions for dates, place mentions for locations.
    chain_of: dict[int, str] = {}
    for m in lab.mentions:
        if clusters is not None and m.get("cluster") not in clusters:
            continue
        art = _article_id(m["file"], m.get("cluster"), run_articles)
        for c in by_article.get(art or "", []):
            prefix = MENTION_TYPES.get(c.kind)
            if prefix and m["type"].startswith(prefix) and c.start < m["end"] and m["start"] < c.end:
                chain_of[id(c)] = m["chain"]
    for d in decisions or []:
        claims = [
            [c for e in v for c in by_article.get(e[0], []) if c.start == e[1] and c.end == e[2]] for v in d["values"]
        ]
        claims = [[c for c in g if c.kind == KIND_OF_LABEL.get(d.get("kind", ""), c.kind)] for g in claims]
        if d["status"] == "confirmed":
            mark(dpos, claims)
        elif d["status"] == "dismissed":
            for i, qa in enumerate(claims):
                for qb in claims[i + 1 :]:
                    neg.update(_pk(a, b) for a in qa for b in qb)
    out = PairSet()
    groups: dict[tuple[str, str], list[Claim]] = defaultdict(list)
    for c in lab.claims:
        cl = lab.cluster_of(c.article)
        if c.kind in ALIGNED_KINDS and eligible(c, rules) and (clusters is None or cl in clusters or only_marked):
            groups[(lab.stories.get(c.article, ""), c.kind)].append(c)
    for (_story, kind), members in sorted(groups.items(), key=lambda kv: kv[0]):
        ctx = story_context(members, lab.texts, rules, rel)[0]
        for (i, j), feats in sorted(story_pairs(members, ctx, rules).items()):
            a, b = members[i], members[j]
            k = _pk(a, b)
            ca, cb = chain_of.get(id(a)), chain_of.get(id(b))
            if k in dpos:
                y, why = 1, "decisions"
            elif k in pos:
                y, why = 1, "labels"
            elif k in neg:
                y, why = 0, "decisions"
            elif ca and cb:
                y, why = int(ca == cb), "mentions"
            elif only_marked or k in skip or values_compatible(a, b, rules):
                continue
            else:
                y, why = 0, "labels"
            out.add(kind, feats, y, why)
    return out


def _pk(a: Claim, b: Claim) -> tuple[int, int]:
    return (id(a), id(b)) if id(a) < id(b) else (id(b), id(a))


def _article_id(file: str, cluster: str | None, run_articles: set[str]) -> str | None:
    from checker.evaluate import _article_for

    return _article_for(file, cluster, run_articles)


# --- fitting ------------------------------------------------------------------


# Kinds aligned by default. Story-out (checker evaluate --folds 7, 21 stories)
# a fitted date model found one more labelled date and made 8 more false date
# flags than the event keys alone, so dates keep their event keys (seed
# groups) until more labels say otherwise; ``--kind`` overrides.
DEFAULT_KINDS = ("quantity", "location")
# Kinds whose conflicts need a direct link between two claims that disagree
# (``KindModel.require_link``). Story-out, for quantities: precision 0.57 ->
# 0.85 for one labelled discrepancy fewer; for places, whose features are
# weaker (mostly ECB+ chains), it lost all 4 found, so they do not.
REQUIRE_LINK = ("quantity",)


def fit(
    pairs: PairSet,
    trained_on: dict[str, Any] | None = None,
    c: float = 1.0,
    kinds_wanted: tuple[str, ...] = DEFAULT_KINDS,
    relations: list[list] | None = None,
) -> AlignModel:
    """One logistic model per kind; the threshold with the best F0.5 on the training pairs.

    ``relations``: the event relations learned from the same training stories
    (the pairs' ``related_event`` feature was computed with them); the model
    carries them, and its version covers them.
    """
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    kinds: dict[str, KindModel] = {}
    for kind in kinds_wanted:
        y = np.array(pairs.labels.get(kind, []))
        if len(y) < 10 or y.sum() < 3 or y.sum() == len(y):
            log.info(
                "train: too few %s pairs (%d, %d same fact); not aligned", kind, len(y), int(y.sum()) if len(y) else 0
            )
            continue
        names = KIND_FEATURES[kind]
        x = np.array([[r.get(f, 0.0) for f in names] for r in pairs.rows[kind]])
        lr = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
        lr.fit(x, y)
        p = lr.predict_proba(x)[:, 1]
        kinds[kind] = KindModel(
            features=names,
            coef=[round(float(v), 4) for v in lr.coef_[0]],
            intercept=round(float(lr.intercept_[0]), 4),
            threshold=best_threshold(p, y),
            means=[round(float(v), 4) for v in x.mean(axis=0)],
            require_link=kind in REQUIRE_LINK,
            link_threshold=best_threshold(p, y, beta=1.0),
        )
    info = dict(trained_on or {})
    info["pairs"] = {k: {o: n for o, n in sorted(v.items())} for k, v in sorted(pairs.origin.items())}
    relations = [list(r) for r in relations or []]
    blob = json.dumps({k: vars(m) for k, m in sorted(kinds.items())}, sort_keys=True)
    if relations:
        blob += json.dumps(relations)
    return AlignModel(
        version=hashlib.sha256(blob.encode()).hexdigest()[:12], kinds=kinds, trained_on=info, event_relations=relations
    )


BETA = 0.5  # a wrong link makes a false conflict, a missed one only a miss: precision weighs more


def best_threshold(p: Any, y: Any, beta: float | None = None) -> float:
    """The probability cut with the best F-beta on the pairs (ties: the higher, fewer links)."""
    b2 = (BETA if beta is None else beta) ** 2
    best, cut = -1.0, 0.5
    for t in sorted({round(float(v), 3) for v in p}):
        if not 0.05 <= t <= 0.95:
            continue
        pred = p >= t
        tp = float((pred & (y == 1)).sum())
        if not tp:
            continue
        prec, rec = tp / pred.sum(), tp / (y == 1).sum()
        fb = (1 + b2) * prec * rec / (b2 * prec + rec)
        if fb >= best:
            best, cut = fb, t
    return round(cut, 3)


def train(
    corpora: list[Path],
    rules: Rules,
    store: Any = None,
    model: str | None = None,
    decisions: bool = True,
    kinds: tuple[str, ...] = DEFAULT_KINDS,
    decision_weight: int = 3,
    n_process: int = 2,
) -> AlignModel:
    """Fit the alignment model on labelled corpora plus the editors' decisions in ``store``.

    A decision counts ``decision_weight`` times a corpus pair: it is a
    person's verdict on this newsroom's own stories.
    """
    pairs = PairSet()
    info: dict[str, Any] = {"corpora": [Path(d).name for d in corpora], "kinds": list(kinds)}
    relations: list[list] = []
    if corpora:
        lab = load_labelled(corpora, rules, store, model, n_process)
        relations = lab.event_relations(rules)
        pairs.extend(labelled_pairs(lab, rules, relations=relations))
        info["stories"] = len(lab.clusters)
    if decisions and store is not None:
        dlab, decs = decided_set(store, rules, model)
        pairs.extend(
            labelled_pairs(dlab, rules, decisions=decs, only_marked=True, relations=relations), weight=decision_weight
        )
        info["decisions"] = len(decs)
    return fit(pairs, info, kinds_wanted=kinds, relations=relations)
