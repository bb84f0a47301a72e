"""Align claims: within a story, which claims of one kind state the same fact.

Between resolve and compare. A claim's own subject key ("EUR", "worth",
"robber") is one sentence's noun; articles name one haul, one toll, one
event's day in many ways. So every pair of same-kind claims in a story is
scored for "states the same fact" from features of the two claims and their
clauses: the old subject key and its words, the counted noun, unit, status,
event class and named participants, the content words and names the two
sentences and the words around each claim share (TF-IDF weighted within the
story), how close the values are, scope (year, place), attribution and
position in the article. Each kind has a logistic model over these features
(fitted on labelled stories, see ``checker/resolve/training.py``), shipped as a small
JSON file (``checker/resolve/alignment.json``; a team's ``rules/alignment.json``
overrides it). Claims are clustered by average linkage of the link
probabilities (so one loose link does not chain two facts), cut at the
model's threshold; each cluster is a fact. Compare groups by fact instead of
subject and keeps every judgment of its own (intervals, scopes, updates).

Vetoes only where certain: counts whose statuses differ (killed vs injured)
and amounts of different unit families never link. Title and name claims are
aligned by the person linker already (their fact is the person).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.errors import RuleError

if TYPE_CHECKING:
    from checker.models import Claim
    from checker.resolve.event_relations import Relations
    from checker.rules import Rules

PACKAGED_MODEL = Path(__file__).resolve().parent / "alignment.json"
MODEL_FILE = "alignment.json"
ALIGNED_KINDS = ("quantity", "date", "location")
INF = float("inf")

# Feature names and what an editor reads for each (the explanation of a link).
FEATURES: dict[str, str] = {
    "same_key": "same subject key",
    "subject_overlap": "subject words",
    "same_counted": "same counted noun",
    "same_owner": "same owner",
    "same_unit": "same unit",
    "same_status": "same status",
    "same_event": "same event",
    "related_event": "events the corpus's chains name alike",
    "shared_named": "same named participant",
    "once_event": "an event that happens once",
    "sentence_words": "shared words in the sentences",
    "near_words": "shared words around the figures",
    "shared_names": "shared names",
    "value_close": "close values",
    "same_time": "same time of the event",
    "same_granularity": "values of the same precision",
    "same_attribution": "same source cited",
    "position_close": "same place in the articles",
    "both_lead": "both in the opening lines",
    "year_differs": "different years",
    "place_differs": "different places",
}

_STOP_WORDS = (
    "a about above after again against all also am an and any are as at be because been before being below between both but by "
    "can could did do does doing down during each few for from further had has have having he her here hers herself him himself "
    "his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other our ours "
    "out over own same she should so some such than that the their theirs them themselves then there these they this those "
    "through to too under until up very was we were what when where which while who whom why will with would you your yours "
    "said says say told according reported report reports news mr mrs ms one two three four five six seven eight nine ten "
    "year years day days time week month people new"
)
STOP = frozenset(_STOP_WORDS.split())
WORD = re.compile(r"[A-Za-z][A-Za-z'\-]+")


def _stem(w: str) -> str:
    w = w.lower().strip("'-").replace("'s", "")
    for suf in ("ings", "ing", "ed", "es", "s"):
        if len(w) > len(suf) + 3 and w.endswith(suf) and not w.endswith("ss"):
            return w[: -len(suf)]
    return w


def content_words(text: str) -> list[str]:
    """Stemmed content words of a piece of text (no numbers: values differ by design)."""
    return [s for w in WORD.findall(text) if (s := _stem(w)) not in STOP and len(s) > 2]


def names_in(text: str) -> set[str]:
    """Capitalised words not opening the text: a cheap stand-in for the names a sentence shares."""
    words = WORD.findall(text)
    return {w.lower() for w in words[1:] if w[0].isupper() and w.lower() not in STOP and len(w) > 2}


# --- the model file -----------------------------------------------------------


@dataclass
class KindModel:
    """One kind's logistic model: P(same fact) = sigmoid(intercept + coef . features)."""

    features: list[str]
    coef: list[float]
    intercept: float
    threshold: float
    # Each feature's mean over the training pairs: a link is explained by
    # what sets it apart from the average pair (optional in the file).
    means: list[float] = field(default_factory=list)
    # A conflict of this kind needs one pair of claims giving different values
    # (in different articles) linked on its own at the threshold, not only
    # through the groups they joined.
    require_link: bool = False
    # The cut for that direct link (best F1 on the training pairs; the merge
    # threshold is stricter, best F0.5). 0: the merge threshold.
    link_threshold: float = 0.0

    def score(self, feats: dict[str, float]) -> float:
        z = self.intercept + sum(c * feats.get(f, 0.0) for f, c in zip(self.features, self.coef))
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))

    def contributions(self, feats: dict[str, float]) -> list[tuple[str, float]]:
        """Each feature's part in the log-odds against the average training pair, largest first
        (Splink's waterfall chart, as a list)."""
        means = self.means or [0.0] * len(self.features)
        parts = [(f, c * (feats.get(f, 0.0) - m)) for f, c, m in zip(self.features, self.coef, means)]
        return sorted((p for p in parts if p[1]), key=lambda p: -p[1])


@dataclass
class AlignModel:
    """The fitted alignment: one model per aligned kind, with its version and origin."""

    version: str
    kinds: dict[str, KindModel] = field(default_factory=dict)
    trained_on: dict[str, Any] = field(default_factory=dict)
    path: str | None = None
    # Lemma pairs that name one event, learned from the training corpora's
    # coreference chains: [[lemma_a, lemma_b, stories together, stories apart]]
    # (checker/resolve/event_relations.py). Part of the fitted model, so a
    # fold's model holds only its training stories' relations.
    event_relations: list[list] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "format": 1,
            "version": self.version,
            "trained_on": self.trained_on,
            "kinds": {k: vars(m) for k, m in sorted(self.kinds.items())},
        }
        if self.event_relations:
            out["event_relations"] = self.event_relations
        return out

    def relations(self, rules: Rules) -> Relations:
        """The learned relations mapped through ``rules``' event classes (built once per rules)."""
        from checker.resolve.event_relations import Relations

        cache = self.__dict__.setdefault("_relations", {})
        if id(rules) not in cache:
            cache[id(rules)] = (rules, Relations(self.event_relations, rules))
        return cache[id(rules)][1]

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=1, sort_keys=True) + "\n", encoding="utf-8")


def parse_model(data: Any, where: str) -> AlignModel:
    """An AlignModel from the JSON form; RuleError (exit 3) naming the file when malformed."""
    try:
        kinds = {}
        for kind, m in data["kinds"].items():
            km = KindModel(
                features=[str(f) for f in m["features"]],
                coef=[float(c) for c in m["coef"]],
                intercept=float(m["intercept"]),
                threshold=float(m["threshold"]),
                means=[float(x) for x in m.get("means") or []],
                require_link=bool(m.get("require_link", False)),
                link_threshold=float(m.get("link_threshold", 0.0)),
            )
            unknown = set(km.features) - set(FEATURES)
            if (
                unknown
                or len(km.coef) != len(km.features)
                or len(km.means) not in (0, len(km.features))
                or not 0 < km.threshold < 1
            ):
                raise ValueError(f"kind {kind}: unknown features {sorted(unknown)} or bad coef/threshold")
            kinds[str(kind)] = km
        relations = [[str(r[0]), str(r[1]), *(int(x) for x in r[2:])] for r in data.get("event_relations") or []]
        return AlignModel(
            version=str(data["version"]),
            kinds=kinds,
            trained_on=dict(data.get("trained_on") or {}),
            path=where,
            event_relations=relations,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise RuleError("E105", f"{where}: not an alignment model ({exc})") from exc


def load_model(rules_dir: str | Path | None = None) -> AlignModel | None:
    """The team's ``alignment.json`` beside its rules, else the packaged one (None if neither)."""
    for p in ([Path(rules_dir) / MODEL_FILE] if rules_dir else []) + [PACKAGED_MODEL]:
        if p.is_file():
            try:
                data = json.loads(p.read_text(encoding="utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise RuleError("E105", f"{p}: not an alignment model ({exc})") from exc
            return parse_model(data, str(p))
    return None


# --- clause context -----------------------------------------------------------


class StoryText:
    """Words of each claim's sentence and surroundings, weighted by IDF over the story's sentences."""

    def __init__(self, claims: list[Claim], texts: dict[str, str], relations: Relations | None = None) -> None:
        from checker.resolve.event_relations import EMPTY

        self.texts = texts
        self.relations = relations if relations is not None else EMPTY
        self._sent: dict[tuple[str, int, int], Counter] = {}
        self._names: dict[tuple[str, int, int], set[str]] = {}
        df: Counter = Counter()
        for c in claims:
            key = (c.article, c.sentence_start, c.sentence_end)
            if key not in self._sent:
                text = texts.get(c.article, "")[c.sentence_start : c.sentence_end]
                self._sent[key] = Counter(content_words(text))
                self._names[key] = names_in(text)
                df.update(set(self._sent[key]) | {"N:" + n for n in self._names[key]})
        n = max(1, len(self._sent))
        self.idf = {w: math.log((1 + n) / (1 + k)) + 1.0 for w, k in df.items()}
        self._near: dict[int, Counter] = {}
        # claim identity -> its seed group (the group compare formed before alignment)
        self.seed: dict[int, int] = {}

    def sentence(self, c: Claim) -> Counter:
        return self._sent.get((c.article, c.sentence_start, c.sentence_end), Counter())

    def names(self, c: Claim) -> set[str]:
        return self._names.get((c.article, c.sentence_start, c.sentence_end), set())

    def near(self, c: Claim) -> Counter:
        """Content words within about eight words either side of the claim, in its sentence."""
        k = id(c)
        if k not in self._near:
            text = self.texts.get(c.article, "")
            left = text[max(c.sentence_start, c.start - 60) : c.start]
            right = text[c.end : min(c.sentence_end, c.end + 60)]
            self._near[k] = Counter(content_words(left) + content_words(right))
        return self._near[k]

    def cosine(self, a: Counter, b: Counter) -> float:
        if not a or not b:
            return 0.0
        idf = self.idf
        dot = sum(v * b[w] * idf.get(w, 1.0) ** 2 for w, v in a.items() if w in b)
        if not dot:
            return 0.0
        na = math.sqrt(sum((v * idf.get(w, 1.0)) ** 2 for w, v in a.items()))
        nb = math.sqrt(sum((v * idf.get(w, 1.0)) ** 2 for w, v in b.items()))
        return dot / (na * nb)

    def shared_names(self, a: Claim, b: Claim) -> float:
        na, nb = self.names(a), self.names(b)
        if not na or not nb:
            return 0.0
        w = lambda s: sum(self.idf.get("N:" + x, 1.0) for x in s)  # noqa: E731
        return w(na & nb) / w(na | nb)

    def position(self, c: Claim) -> float:
        n = len(self.texts.get(c.article, "")) or 1
        return min(1.0, c.start / n)


# --- features -----------------------------------------------------------------


def _words(s: str | None) -> set[str]:
    return {_stem(w) for w in (s or "").split() if w}


def _event(c: Claim) -> dict:
    return c.extra.get("event") or {}


def _named(c: Claim) -> set[str]:
    ev = _event(c)
    return {a for a, n in zip(ev.get("args", []), ev.get("named", [])) if n}


def _mid(lo: float, hi: float) -> float | None:
    if lo in (INF, -INF) and hi in (INF, -INF):
        return None
    if lo == -INF:
        return hi
    if hi == INF:
        return lo
    return (lo + hi) / 2


def _closeness(a: float | None, b: float | None) -> float:
    if a is None or b is None:
        return 0.0
    big = max(abs(a), abs(b))
    return 1.0 if big == 0 else max(0.0, 1.0 - abs(a - b) / big)


def counted_class(c: Claim, rules: Rules) -> str | None:
    """The counted noun's class: its synonym's canonical form, and "people" for
    any person noun (rules/subjects.yaml ``person_nouns``: members, suspects)."""
    noun = c.extra.get("counted")
    if not noun:
        return None
    canon = rules.lookup("subject", noun) or noun
    return "people" if c.unit in rules.subjects.person_nouns or canon in rules.subjects.person_nouns else canon


def same_counted(a: Claim, b: Claim, rules: Rules) -> float:
    """1 when both count the same class of thing ("99 members" and "89 people" are both people)."""
    ca = counted_class(a, rules)
    return float(ca is not None and ca == counted_class(b, rules))


def same_predicate(a: Claim, b: Claim) -> float:
    """1 when both figures hang on one event class ("stole diamonds valued at
    85 million euros", "steal e80 million"): one haul keyed by different nouns."""
    va = a.extra.get("verb")
    return float(bool(va) and va == b.extra.get("verb"))


def value_closeness(a: Claim, b: Claim, rules: Rules) -> float:
    """How close two figures are; in one unit as written (two euro amounts are
    not widened by exchange rates: "85 million euros" and "more than e85
    million" are the same figure), else in the family's common unit."""
    from checker.compare.quantities import pair_bounds

    ba, bb = pair_bounds(a, b, rules)
    return _closeness(_mid(*ba), _mid(*bb))


def old_key(c: Claim, rules: Rules) -> tuple:
    """The key compare grouped by before alignment (a feature now, and the fallback)."""
    from checker.compare.quantities import _change_key, _family

    if c.kind == "quantity":
        return (c.subject, _family(c, rules), _change_key(c))
    if c.kind in ("date", "location"):
        ev = _event(c)
        if ev:
            return ("event", ev.get("verb", ""))
        return ("subject", c.subject)
    return (c.subject,)


def seed_groups(members: list[Claim], rules: Rules) -> list[list[Claim]]:
    """The groups compare formed before alignment, for one story and kind.

    Alignment starts from them (claims compare already put together stay
    together) and merges further where the model links groups: a fitted
    model adds what exact keys miss, and keeps what they found.
    """
    from checker.compare.dates import event_groups, incident

    kind = members[0].kind if members else ""
    if kind == "quantity":
        from checker.compare.quantities import checkable

        by: dict[tuple, list[Claim]] = defaultdict(list)
        for c in members:
            # A figure compare would not judge on its own starts alone.
            by[old_key(c, rules) if checkable(c, rules) else ("alone", c.article, c.start)].append(c)
        return list(by.values())
    out: list[list[Claim]] = []
    by_verb: dict[str, list[Claim]] = defaultdict(list)
    by_subject: dict[str, list[Claim]] = defaultdict(list)
    for c in members:
        if _event(c):
            verb = _event(c).get("verb", "")
            # Dates of one incident meet whichever verb times it ("shot", "killed").
            by_verb[incident(verb, rules) if kind == "date" else verb].append(c)
        else:
            by_subject[c.subject].append(c)
    for verb, claims in sorted(by_verb.items()):
        groups = event_groups(claims, rules)
        if kind == "location" and verb in UNNAMED_EVENTS:
            unnamed = [c for c in claims if not any(_event(c).get("named", []))]
            if len(unnamed) > 1:
                groups.append(unnamed)
        out.extend(groups)
    out.extend(by_subject.values())
    placed = {id(c) for g in out for c in g}
    out.extend([c] for c in members if id(c) not in placed)
    # A claim in two groups (event_groups may split by object) stays in the first.
    seen: set[int] = set()
    unique = []
    for g in out:
        g = [c for c in g if id(c) not in seen]
        seen.update(id(c) for c in g)
        if g:
            unique.append(g)
    return unique


UNNAMED_EVENTS = {"strike"}


def veto(a: Claim, b: Claim, rules: Rules) -> bool:
    """Pairs that can never state the same fact: certain, not learned."""
    if a.kind != b.kind:
        return True
    if a.kind == "quantity":
        from checker.compare.quantities import _change_key, _family

        if _family(a, rules) != _family(b, rules) or _change_key(a) != _change_key(b):
            return True
        sa = a.scope.get("status") if a.extra.get("counted") else None
        sb = b.scope.get("status") if b.extra.get("counted") else None
        if sa and sb and sa != sb:
            return True
    # A bearing ("150 miles east of Aden") and a place name never state one fact.
    return a.kind == "location" and (a.extra.get("relation") == "bearing") != (b.extra.get("relation") == "bearing")


def _grain(w: dict) -> tuple[bool, bool, bool]:
    """What a date fixes: a clock time, a day, a year."""
    return (
        w.get("minutes") is not None,
        w.get("days") is not None or w.get("weekday") is not None,
        w.get("year") is not None,
    )


def pair_features(a: Claim, b: Claim, ctx: StoryText, rules: Rules) -> dict[str, float]:
    """The features of one pair of same-kind claims (see FEATURES)."""
    f: dict[str, float] = {}
    f["same_key"] = float(ctx.seed.get(id(a), -1) == ctx.seed.get(id(b), -2))
    sa, sb = _words(a.subject), _words(b.subject)
    f["subject_overlap"] = len(sa & sb) / len(sa | sb) if sa and sb else 0.0
    f["same_attribution"] = float(
        bool(a.attribution) and (a.attribution or "").lower() == (b.attribution or "").lower()
    )
    f["sentence_words"] = ctx.cosine(ctx.sentence(a), ctx.sentence(b))
    f["near_words"] = ctx.cosine(ctx.near(a), ctx.near(b))
    f["shared_names"] = ctx.shared_names(a, b)
    pa, pb = ctx.position(a), ctx.position(b)
    f["position_close"] = 1.0 - abs(pa - pb)
    f["both_lead"] = float(pa < 0.2 and pb < 0.2)
    if a.kind == "quantity":
        from checker.compare.quantities import _year, place_relation

        f["same_counted"] = same_counted(a, b, rules)
        f["same_event"] = same_predicate(a, b)
        f["related_event"] = float(ctx.relations.related(a.extra.get("verb"), b.extra.get("verb")))
        f["same_owner"] = float(bool(a.extra.get("owner")) and a.extra.get("owner") == b.extra.get("owner"))
        # Person nouns are one unit as they are one counted class ("99 members", "89 people").
        f["same_unit"] = float(a.unit == b.unit or (f["same_counted"] == 1.0 and counted_class(a, rules) == "people"))
        ta, tb = (a.scope.get("time") or "").lower(), (b.scope.get("time") or "").lower()
        f["same_time"] = float(bool(ta) and ta == tb)
        f["same_status"] = float(bool(a.scope.get("status")) and a.scope.get("status") == b.scope.get("status"))
        f["value_close"] = value_closeness(a, b, rules)
        ya, yb = _year(a), _year(b)
        f["year_differs"] = float(bool(ya and yb) and ya != yb)
        f["place_differs"] = float(place_relation(a.scope.get("place"), b.scope.get("place"), rules) == "disjoint")
    else:
        ea, eb = _event(a), _event(b)
        f["same_event"] = float(bool(ea) and ea.get("verb") == eb.get("verb"))
        f["related_event"] = float(ctx.relations.related(ea.get("verb"), eb.get("verb")))
        f["shared_named"] = float(bool(_named(a) & _named(b)))
        once = rules.events.once_set | rules.events.once_with_object_set
        f["once_event"] = float(ea.get("verb") in once and eb.get("verb") in once)
        if a.kind == "date":
            wa, wb = a.extra.get("when") or {}, b.extra.get("when") or {}
            f["same_granularity"] = float(_grain(wa) == _grain(wb))
            da, db = wa.get("days"), wb.get("days")
            if da and db:
                gap = abs((da[0] + da[1]) / 2 - (db[0] + db[1]) / 2)
                f["value_close"] = math.exp(-gap / 7.0)
        else:
            f["value_close"] = float(a.value == b.value)
            f["subject_overlap"] = max(f["subject_overlap"], float(a.subject == b.subject))
    return f


# --- eligible claims and facts ------------------------------------------------


def eligible(c: Claim, rules: Rules) -> bool:
    """Claims compare would judge at all (the others never join a fact)."""
    if c.kind == "quantity":
        from checker.compare.quantities import alignable

        # A career record is keyed by its owner's person key and its column ("riddick bowe
        # wins"): certain, so it is compared by that key and never linked by the model.
        return alignable(c, rules) and not c.extra.get("record")
    return c.kind in ALIGNED_KINDS


@dataclass
class Facts:
    """Which fact each claim states: fact key by claim identity, and each fact's description."""

    fact: dict[int, str] = field(default_factory=dict)
    subject: dict[str, str] = field(default_factory=dict)

    def of(self, c: Claim) -> str | None:
        return self.fact.get(id(c))


def _describe(members: list[Claim]) -> str:
    """The fact's best description: the subject most of its claims give (the longest on a tie)."""
    counts = Counter(c.subject for c in members if c.subject)
    if not counts:
        return ""
    return max(sorted(counts), key=lambda s: (counts[s], len(s)))


def align(
    claims: list[Claim], stories: dict[str, str], texts: dict[str, str], rules: Rules, model: AlignModel | None
) -> Facts:
    """Facts for every eligible quantity, date and location claim, story by story.

    Without a model (or a kind the model does not cover), a claim's fact is
    its old subject key, as before alignment.
    """
    facts = Facts()
    groups: dict[tuple[str, str], list[Claim]] = defaultdict(list)
    for c in claims:
        if c.kind in ALIGNED_KINDS and eligible(c, rules):
            groups[(stories.get(c.article, ""), c.kind)].append(c)
    for (story, kind), members in sorted(groups.items(), key=lambda kv: kv[0]):
        km = model.kinds.get(kind) if model else None
        if km is None:
            continue  # compare keys these claims as it did before alignment
        ctx, seeds = story_context(members, texts, rules, model.relations(rules) if model else None)
        for ms in cluster(seeds, km, ctx, rules):
            desc = _describe(ms)
            # Keyed by its description and first claim: stable across runs for the same claims.
            first = min(ms, key=lambda c: (c.article, c.start))
            key = f"{kind}|{story}|{desc}|{first.article}:{first.start}"
            facts.subject[key] = desc
            for c in ms:
                facts.fact[id(c)] = key
    return facts


def story_context(
    members: list[Claim], texts: dict[str, str], rules: Rules, relations: Relations | None = None
) -> tuple[StoryText, list[list[Claim]]]:
    """The clause context of one story's claims of one kind (with the model's learned
    event relations), and their seed groups."""
    ctx = StoryText(members, texts, relations)
    seeds = seed_groups(members, rules)
    for i, g in enumerate(seeds):
        for c in g:
            ctx.seed[id(c)] = i
    return ctx, seeds


def story_pairs(members: list[Claim], ctx: StoryText, rules: Rules) -> dict[tuple[int, int], dict[str, float]]:
    """Features of every non-vetoed pair (i < j) of one story's claims of one kind, from different articles."""
    feats: dict[tuple[int, int], dict[str, float]] = {}
    for i in range(len(members)):
        for j in range(i + 1, len(members)):
            if members[i].article != members[j].article and not veto(members[i], members[j], rules):
                feats[(i, j)] = pair_features(members[i], members[j], ctx, rules)
    return feats


def link_matrix(members: list[Claim], km: KindModel, ctx: StoryText, rules: Rules) -> Any:
    """P(same fact) for every pair (0 for vetoed pairs and on the diagonal), as a numpy array."""
    import numpy as np

    p = np.zeros((len(members), len(members)))
    for (i, j), f in story_pairs(members, ctx, rules).items():
        p[i, j] = p[j, i] = km.score(f)
    return p


def cluster(seeds: list[list[Claim]], km: KindModel, ctx: StoryText, rules: Rules) -> list[list[Claim]]:
    """Merge seed groups by average linkage while the mean link between two groups reaches the threshold.

    Only pairs from different articles are links: within one article the
    writer's own words already key the fact, and two of its figures are
    almost always two things. A vetoed pair counts as a zero link, so groups
    holding killed and injured counts rarely merge; average (not single)
    linkage keeps one loose link from chaining two facts.
    """
    import numpy as np

    groups = [list(g) for g in seeds]
    if len(groups) < 2:
        return groups
    members = [c for g in groups for c in g]
    p = link_matrix(members, km, ctx, rules)
    arts = np.array([c.article for c in members])
    cross = (arts[:, None] != arts[None, :]).astype(float)
    owner = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
    m = len(groups)
    onehot = np.zeros((len(members), m))
    onehot[np.arange(len(members)), owner] = 1.0
    sums = onehot.T @ (p * cross) @ onehot  # link sums between groups
    counts = onehot.T @ cross @ onehot  # cross-article pairs between groups
    alive = np.ones(m, dtype=bool)
    while True:
        with np.errstate(divide="ignore", invalid="ignore"):
            avg = np.where(counts > 0, sums / np.maximum(counts, 1), -1.0)
        avg[~alive, :] = -1
        avg[:, ~alive] = -1
        np.fill_diagonal(avg, -1)
        i, j = np.unravel_index(int(np.argmax(avg)), avg.shape)
        if avg[i, j] < km.threshold:
            break
        i, j = min(i, j), max(i, j)
        groups[i].extend(groups[j])
        groups[j] = []
        for mat in (sums, counts):
            mat[i, :] += mat[j, :]
            mat[:, i] += mat[:, j]
            mat[i, i] = 0.0
        alive[j] = False
    return [g for g in groups if g]


# --- explanations -------------------------------------------------------------


def link_reasons(
    claims: Iterable[Claim], groups: list[list[Claim]], km: KindModel, ctx: StoryText, rules: Rules, top: int = 3
) -> list[str]:
    """The features that most tied claims of different values together (mean log-odds part)."""
    total: Counter = Counter()
    pairs = 0
    for i, g in enumerate(groups):
        for h in groups[i + 1 :]:
            for a in g:
                for b in h:
                    if veto(a, b, rules):
                        continue
                    for name, part in km.contributions(pair_features(a, b, ctx, rules)):
                        total[name] += part
                    pairs += 1
    if not pairs:
        return []
    return [FEATURES[n] for n, v in total.most_common() if v / pairs > 0.05][:top]


def explain_conflicts(
    conflicts: list[Any],
    claims: list[Claim],
    stories: dict[str, str],
    texts: dict[str, str],
    rules: Rules,
    model: AlignModel | None,
) -> dict[int, float]:
    """Add to each aligned conflict's explanation which features tied its claims together.

    Returns, by conflict identity, its strongest link between claims of
    different values in different articles, as a fraction of the threshold.
    """
    strength: dict[int, float] = {}
    if model is None:
        return strength
    by_pos = {(c.article, c.start, c.end, c.kind): c for c in claims}
    ctxs: dict[tuple[str, str], StoryText] = {}
    for conflict in conflicts:
        kind = "quantity" if conflict.kind == "quantity" else conflict.kind
        km = model.kinds.get(kind)
        if km is None:
            continue
        groups = [
            [by_pos[k] for e in v.claims if (k := (e["article"], e["start"], e["end"], kind)) in by_pos]
            for v in conflict.values
        ]
        groups = [g for g in groups if g]
        if len(groups) < 2:
            continue
        if all(c.extra.get("record") for g in groups for c in g):
            strength[id(conflict)] = 1.0  # one person's record column: keyed for certain, never linked
            continue
        key = (conflict.story, kind)
        if key not in ctxs:
            members = [
                c
                for c in claims
                if c.kind == kind and stories.get(c.article, "") == conflict.story and eligible(c, rules)
            ]
            ctxs[key] = story_context(members, texts, rules, model.relations(rules))[0]
        ctx = ctxs[key]
        strength[id(conflict)] = max(
            (
                km.score(pair_features(a, b, ctx, rules))
                for i, g in enumerate(groups)
                for h in groups[i + 1 :]
                for a in g
                for b in h
                if a.article != b.article and not veto(a, b, rules)
            ),
            default=0.0,
        ) / (km.link_threshold or km.threshold)
        why = link_reasons([c for g in groups for c in g], groups, km, ctx, rules)
        if why:
            conflict.explanation += " [linked by: " + ", ".join(why) + "]"
    return strength
