"""Event relations learned from coreference chains: which predicates name one event.

rules/events.yaml lists event classes by hand (arrest, capture, nab, seize
are one "capture"). Articles name one event in more ways than a list keeps
up with: "the attack" and "the shelling", "retain" and "defend". The ECB+
corpus's annotators linked the mentions of one event across articles
(``mentions.jsonl``, one chain per event), so the words that stand for one
event can be read off the chains: two distinct head lemmas in one chain
denote one event there. A pair seen so in several stories is a relation of
the language, not of one story; a pair seen once may be one writer's
metaphor, so only pairs with enough support (stories) are kept.

The relations are part of the fitted alignment model (``alignment.json``,
``event_relations``): ``checker train`` learns them from its corpora, and
``checker evaluate --folds`` from each fold's training stories only, so the
story-out figures never see a relation learned on the story they judge.
Relations are kept as lemma pairs and mapped through the rules' classes
when used, so a relation between "seize" and "grab" joins whatever classes
those lemmas fall in under the rules of the day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from checker.rules import Rules

# Head lemmas that carry no event of their own: light and auxiliary verbs
# ("took into custody", "took place" are headed by "take"), pronouns the
# annotators linked ("which", "it"). A relation through them would join
# unrelated events.
EMPTY_HEADS = frozenset(
    [
        "be",
        "have",
        "do",
        "get",
        "give",
        "make",
        "take",
        "go",
        "come",
        "happen",
        "occur",
        "begin",
        "start",
        "put",
        "set",
        "keep",
        "hold",
        "bring",
        "which",
        "that",
        "it",
        "this",
        "what",
        "who",
        "there",
    ]
)
# Stories a pair must be seen in (within one chain) to be kept. Chosen
# story-out on the 21 labelled ECB+ stories (7 folds, event identity, see
# ``identity_scores``): at 1 the held-out pairs judged one event grew by 93
# of which 12 right (0.13, against 0.28 for the rules' classes), with "die" /
# "capture" and "charge" / "murder" among the relations; at 2 none of the
# wrong ones survive. Conflict figures were the same at 1 and 2.
MIN_STORIES = 2


@dataclass(frozen=True)
class Head:
    """One event mention's head: the story, article and chain it is in, and its lemma."""

    cluster: str
    article: str
    chain: str
    lemma: str


def head_lemma(span: Any, rules: Rules) -> str | None:
    """The lemma standing for an event mention's span (None when it names no event).

    The span's syntactic root, with a particle verb read as its class
    ("passed away" is "die"); light verbs, pronouns and numbers give None.
    """
    root = span.root
    if root.pos_ in ("PRON", "NUM", "DET", "PUNCT", "SYM", "X", "SPACE"):
        return None
    lemma = root.lemma_.lower().strip()
    particles = rules.lookups["event_particle"]
    for c in root.children:
        if c.dep_ == "prt" and f"{lemma} {c.lower_}" in particles:
            return particles[f"{lemma} {c.lower_}"]
    if not lemma or lemma in EMPTY_HEADS or not lemma[0].isalpha():
        return None
    return lemma


def mention_heads(
    mentions: Iterable[dict],
    texts: dict[str, str],
    article_for: Callable[[str, str | None], str | None],
    rules: Rules,
    nlp: Any = None,
) -> list[Head]:
    """Heads of the corpus's event (``ACTION_*``) mentions, reporting verbs left out.

    ``article_for(file, cluster)`` maps a mention's file to an article id in
    ``texts``. Each article holding mentions is parsed once.
    """
    from checker.extract.events import is_reporting

    by_article: dict[str, list[dict]] = defaultdict(list)
    for m in mentions:
        if not m.get("type", "").startswith("ACTION") or m["type"] == "ACTION_REPORTING":
            continue
        art = article_for(m["file"], m.get("cluster"))
        if art and art in texts:
            by_article[art].append(m)
    if not by_article:
        return []
    if nlp is None:
        from checker.nlp import load_pipeline

        nlp = load_pipeline(rules, disable=("ner",))
    order = sorted(by_article)
    out: list[Head] = []
    for art, doc in zip(order, nlp.pipe(texts[a] for a in order)):
        for m in by_article[art]:
            span = doc.char_span(m["start"], m["end"], alignment_mode="expand")
            if span is None or not len(span) or is_reporting(span.root, rules):
                continue
            lemma = head_lemma(span, rules)
            if lemma:
                out.append(Head(m.get("cluster") or "", art, m["chain"], lemma))
    return out


def learn(heads: Iterable[Head], clusters: set[str] | None = None, min_stories: int = MIN_STORIES) -> list[list]:
    """Pairs of distinct lemmas seen in one chain in at least ``min_stories`` stories,
    and in more stories so than apart.

    A pair is seen apart in a story holding both lemmas in no shared chain
    ("killed" two people, "murder" the charge): evidence that the two words
    name different events there. Returns ``[[lemma_a, lemma_b, together,
    apart], ...]`` (a < b, sorted): the form the model file keeps. Only
    heads of ``clusters`` (all when None) count.
    """
    chains: dict[tuple[str, str], set[str]] = defaultdict(set)
    present: dict[str, set[str]] = defaultdict(set)
    for h in heads:
        if clusters is None or h.cluster in clusters:
            chains[(h.cluster, h.chain)].add(h.lemma)
            present[h.cluster].add(h.lemma)
    together: dict[tuple[str, str], set[str]] = defaultdict(set)
    for (cluster, _chain), lemmas in chains.items():
        ls = sorted(lemmas)
        for i, a in enumerate(ls):
            for b in ls[i + 1 :]:
                together[(a, b)].add(cluster)
    out = []
    for (a, b), s in sorted(together.items()):
        apart = sum(1 for c, ls in present.items() if a in ls and b in ls and c not in s)
        if len(s) >= min_stories and len(s) > apart:
            out.append([a, b, len(s), apart])
    return out


class Relations:
    """Learned relations mapped through the rules' event classes: is this pair of classes one event?"""

    def __init__(self, pairs: Iterable[list] = (), rules: Rules | None = None) -> None:
        cls = rules.lookups["event"] if rules is not None else {}
        self.pairs: frozenset[tuple[str, str]] = frozenset(
            (x, y) if x < y else (y, x) for a, b, *_ in pairs if (x := cls.get(a, a)) != (y := cls.get(b, b))
        )

    def __bool__(self) -> bool:
        return bool(self.pairs)

    def related(self, a: str | None, b: str | None) -> bool:
        """Two different event classes (or lemmas) the chains say name one event."""
        if not a or not b or a == b:
            return False
        return ((a, b) if a < b else (b, a)) in self.pairs


EMPTY = Relations()


def same_or_related(a: str | None, b: str | None, rules: Rules, relations: Relations) -> bool:
    """One event by the rules' classes, or by a learned relation."""
    cls = rules.lookups["event"]
    ka, kb = cls.get(a or "", a), cls.get(b or "", b)
    return bool(ka) and (ka == kb or relations.related(ka, kb))


@dataclass
class Identity:
    """Event identity on held-out pairs of mentions with distinct lemmas, from different articles of a story."""

    same_chain: int = 0  # pairs the chains say are one event
    found: int = 0  # of those, judged one event
    judged: int = 0  # pairs judged one event
    correct: int = 0  # of those, in one chain

    @property
    def recall(self) -> float:
        return self.found / self.same_chain if self.same_chain else 0.0

    @property
    def precision(self) -> float:
        return self.correct / self.judged if self.judged else 0.0

    def add(self, other: Identity) -> None:
        self.same_chain += other.same_chain
        self.found += other.found
        self.judged += other.judged
        self.correct += other.correct

    def line(self, label: str) -> str:
        return (
            f"{label:<16} recall {self.recall:.2f} ({self.found}/{self.same_chain})  "
            f"precision {self.precision:.2f} ({self.correct}/{self.judged})"
        )


def identity_scores(heads: list[Head], test: set[str], rules: Rules, relations: Relations) -> Identity:
    """How well classes (and relations) judge event identity on the ``test`` stories' chains.

    Every pair of heads with distinct lemmas in different articles of one
    story: one event when they share a chain (the annotators' call), judged
    one event when ``same_or_related``. Pairs across articles are the ones
    alignment compares.
    """
    out = Identity()
    by_cluster: dict[str, list[Head]] = defaultdict(list)
    for h in heads:
        if h.cluster in test:
            by_cluster[h.cluster].append(h)
    for hs in by_cluster.values():
        for i, a in enumerate(hs):
            for b in hs[i + 1 :]:
                if a.article == b.article or a.lemma == b.lemma:
                    continue
                gold = a.chain == b.chain
                judged = same_or_related(a.lemma, b.lemma, rules, relations)
                out.same_chain += gold
                out.found += gold and judged
                out.judged += judged
                out.correct += gold and judged
    return out
