"""Score a run against labelled discrepancies (the ../shared/corpus label format).

A gold item is *found* when one reported conflict has claims overlapping two
of its evidence quotes and puts them under different values (the corpus
README's rule). A reported conflict is *correct* when it finds a gold item;
every other flag counts as wrong for precision, however plausible, so the
figure is a floor. Also reported: flags on labelled non-conflicts, flags in
stories labelled as having no conflict, and conflicts whose claims span two
labelled stories (which must never happen).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.errors import CheckerError


@dataclass
class Score:
    """The figures of one evaluation."""

    gold_total: int = 0
    gold_found: int = 0
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind -> [found, total]
    flags: int = 0
    correct_flags: int = 0
    outside_flags: int = 0
    flags_by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind -> [correct, flags]
    nonconflict_flags: int = 0
    nonconflict_total: int = 0
    clean_story_flags: int = 0
    cross_story: int = 0
    missed: list[dict] = field(default_factory=list)
    wrong: list[dict] = field(default_factory=list)
    flagged_nonconflicts: list[dict] = field(default_factory=list)
    unresolved_quotes: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.gold_found / self.gold_total if self.gold_total else 0.0

    @property
    def precision(self) -> float:
        return self.correct_flags / self.flags if self.flags else 0.0

    def to_dict(self) -> dict[str, Any]:
        """The score as a JSON-serialisable dict."""
        return {
            "recall": round(self.recall, 3),
            "precision": round(self.precision, 3),
            "gold_found": self.gold_found,
            "gold_total": self.gold_total,
            "recall_by_kind": {
                k: {"found": f, "total": t, "recall": round(f / t, 3) if t else None}
                for k, (f, t) in sorted(self.by_kind.items())
            },
            "flags": self.flags,
            "precision_by_kind": {
                k: {"correct": c, "flags": n, "precision": round(c / n, 3) if n else None}
                for k, (c, n) in sorted(self.flags_by_kind.items())
            },
            "flags_outside_labelled_stories": self.outside_flags,
            "correct_flags": self.correct_flags,
            "nonconflict_flags": self.nonconflict_flags,
            "nonconflict_total": self.nonconflict_total,
            "clean_story_flags": self.clean_story_flags,
            "cross_story_conflicts": self.cross_story,
        }


def _read_jsonl(path: Path) -> list[dict]:
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise CheckerError("E601", f"{path} line {n}: malformed JSON: {exc.msg}") from exc
    return items


def _index_texts(corpus: Path) -> dict[str, list[tuple[str, str]]]:
    """file name -> [(path relative to corpus, text)] for every text file."""
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for p in sorted(corpus.rglob("*")):
        if p.is_file() and p.suffix in (".txt", ".md"):
            try:
                out[p.name].append((p.relative_to(corpus).as_posix(), p.read_text(encoding="utf-8")))
            except UnicodeDecodeError:
                continue
    return out


def _article_for(file: str, cluster: str | None, run_articles: set[str]) -> str | None:
    """The run's article id for a label's file name (ids are relative paths).

    Among candidates, the shortest id wins: it is the one relative to the
    folder the run was given, whatever the corpus layout above it.
    """
    cands = [a for a in run_articles if a == file or a.endswith("/" + file)]
    if cluster and len(cands) > 1:
        cands = [a for a in cands if cluster in a] or cands
    return sorted(cands, key=lambda a: (len(a), a))[0] if cands else None


def _spans(item: dict, texts: dict, run_articles: set[str], unresolved: list[str]) -> list[tuple[str, int, int]]:
    """(article id, start, end) of each evidence quote of a label."""
    out = []
    for ev in item.get("evidence", []):
        art = _article_for(ev["file"], item.get("cluster"), run_articles)
        cands = texts.get(ev["file"], [])
        if item.get("cluster") and len(cands) > 1:
            cands = [c for c in cands if item["cluster"] in c[0]] or cands
        if art is None or not cands:
            unresolved.append(f"{ev['file']}: not in the run")
            continue
        text = cands[0][1]
        i = text.find(ev["quote"])
        if i < 0:
            unresolved.append(f"{ev['file']}: quote not found: {ev['quote'][:40]}")
            continue
        out.append((art, i, i + len(ev["quote"])))
    return out


def _hits(conflict: dict, spans: list[tuple[str, int, int]]) -> set[int]:
    """Indexes of the conflict's values having a claim that overlaps a span."""
    hit = set()
    for vi, v in enumerate(conflict["values"]):
        for c in v["claims"]:
            for art, s, e in spans:
                if c["article"] == art and c["start"] < e and s < c["end"]:
                    hit.add((vi, (art, s, e)))
    return hit


def finds(conflict: dict, spans: list[tuple[str, int, int]]) -> bool:
    """Does the conflict put claims overlapping two evidence quotes under different values?"""
    hits = _hits(conflict, spans)
    for v1, s1 in hits:
        for v2, s2 in hits:
            if v1 != v2 and s1 != s2:
                return True
    return False


def evaluate(
    run_dir: Path | str,
    labels: Path | str,
    nonconflicts: Path | str | None = None,
    corpus: Path | str | None = None,
    clusters: Path | str | None = None,
) -> Score:
    """Score the run in ``run_dir`` (its conflicts.json) against label files."""
    run_dir, labels = Path(run_dir), Path(labels)
    cpath = run_dir / "conflicts.json" if run_dir.is_dir() else run_dir
    if not cpath.is_file():
        raise CheckerError("E602", f"{cpath}: no conflicts.json (run `checker run ... --out {run_dir}` first)")
    if not labels.is_file():
        raise CheckerError("E603", f"{labels}: label file not found")
    doc = json.loads(cpath.read_text(encoding="utf-8"))
    corpus = Path(corpus) if corpus else labels.parent
    story_of, clean = _clusters(clusters or corpus / "clusters" / "index.json")
    nc = _read_jsonl(Path(nonconflicts)) if nonconflicts else None
    return score_conflicts(doc["conflicts"], _read_jsonl(labels), nc, _index_texts(corpus), story_of, clean)


def score_conflicts(
    conflicts: list[dict],
    gold: list[dict],
    nonconflicts: list[dict] | None,
    texts: dict[str, list[tuple[str, str]]],
    story_of: dict[str, str],
    clean: set[str],
    run_articles: set[str] | None = None,
) -> Score:
    """Score conflicts (as in conflicts.json) against gold items and non-conflicts.

    ``texts`` is the corpus index (file name -> [(path, text)]), ``story_of``
    maps file names to labelled stories, ``clean`` names the stories with no
    discrepancy.
    """
    if run_articles is None:
        run_articles = {c["article"] for k in conflicts for v in k["values"] for c in v["claims"]}
    if not run_articles:
        # No conflicts at all: ids do not matter, nothing can match.
        run_articles = {rel for group in texts.values() for rel, _ in group}
    score = Score()
    gold_spans = [_spans(g, texts, run_articles, score.unresolved_quotes) for g in gold]
    score.gold_total = len(gold)
    correct: set[int] = set()
    for g, spans in zip(gold, gold_spans):
        kind = g["kind"]
        score.by_kind.setdefault(kind, [0, 0])[1] += 1
        found = [i for i, c in enumerate(conflicts) if finds(c, spans)]
        if found:
            score.gold_found += 1
            score.by_kind[kind][0] += 1
            correct.update(found)
        else:
            score.missed.append({"kind": kind, "subject": g["subject"], "cluster": g.get("cluster")})
    labelled_files = {ev["file"] for g in gold for ev in g.get("evidence", [])} | set(story_of)
    # Precision counts the flags in the labelled articles; flags elsewhere (the
    # BBC set mixed in to test story separation) are counted apart.
    inside = [
        i
        for i, c in enumerate(conflicts)
        if any(_basename(cl["article"]) in labelled_files for v in c["values"] for cl in v["claims"])
    ]
    score.flags = len(inside)
    score.outside_flags = len(conflicts) - len(inside)
    score.correct_flags = len(correct)
    for i in inside:
        tally = score.flags_by_kind.setdefault(conflicts[i]["kind"], [0, 0])
        tally[1] += 1
        tally[0] += i in correct
    for i in inside:
        if i not in correct:
            c = conflicts[i]
            score.wrong.append(
                {"id": c["id"], "kind": c["kind"], "subject": c["subject"], "values": [v["value"] for v in c["values"]]}
            )
    if nonconflicts is not None:
        score.nonconflict_total = len(nonconflicts)
        for item in nonconflicts:
            spans = _spans(item, texts, run_articles, score.unresolved_quotes)
            if any(finds(c, spans) for c in conflicts):
                score.nonconflict_flags += 1
                score.flagged_nonconflicts.append(item)
    if story_of:
        for c in conflicts:
            stories = {story_of.get(_basename(cl["article"])) for v in c["values"] for cl in v["claims"]}
            stories.discard(None)
            if len(stories) > 1:
                score.cross_story += 1
            if stories & clean:
                score.clean_story_flags += 1
    return score


def _basename(article_id: str) -> str:
    return article_id.rsplit("/", 1)[-1]


def _clusters(path: Path | str) -> tuple[dict[str, str], set[str]]:
    p = Path(path)
    if not p.is_file():
        return {}, set()
    data = json.loads(p.read_text(encoding="utf-8"))
    story_of = {f: c["cluster"] for c in data for f in c["files"]}
    clean = {c["cluster"] for c in data if not c.get("has_conflict", True)}
    return story_of, clean


def _flagged_nonconflict_lines(items: list[dict], suffix: str = "") -> list[str]:
    """The labelled non-conflicts a run flagged, named as the labels name them: the
    first thing to read when the non-conflict figure is not zero."""
    if not items:
        return []
    head = f"flagged labelled non-conflicts {suffix}".rstrip() + ":"
    return [head] + [f"  [{n.get('kind')}] {n.get('cluster')}: {n.get('subject')}" for n in items]


def format_score(score: Score, verbose: bool = False) -> str:
    """A plain-text table of the figures, for the terminal and the README."""
    lines = [
        f"recall    {score.recall:.2f}  ({score.gold_found}/{score.gold_total} labelled discrepancies found)",
        f"precision {score.precision:.2f}  ({score.correct_flags}/{score.flags} flags in the labelled articles find a labelled discrepancy; unlabelled flags count as wrong)",
        f"flags outside the labelled articles: {score.outside_flags}",
        f"flags on labelled non-conflicts: {score.nonconflict_flags}/{score.nonconflict_total}",
        f"flags in stories with no conflict: {score.clean_story_flags}",
        f"conflicts spanning two stories: {score.cross_story}",
        "by kind:             recall        precision",
    ]
    for k in sorted(set(score.by_kind) | set(score.flags_by_kind)):
        f, t = score.by_kind.get(k, [0, 0])
        c, n = score.flags_by_kind.get(k, [0, 0])
        rec = f"{f}/{t}  {f / t:.2f}" if t else "-"
        prec = f"{c}/{n}  {c / n:.2f}" if n else "-"
        lines.append(f"  {k:<14}  {rec:<12}  {prec}")
    if verbose:
        lines.append("missed:")
        lines += [f"  [{m['kind']}] {m['cluster']}: {m['subject']}" for m in score.missed]
        lines.append("unlabelled flags:")
        lines += [f"  [{w['kind']}] {w['subject']}: {' | '.join(w['values'])}" for w in score.wrong]
        lines += _flagged_nonconflict_lines(score.flagged_nonconflicts)
        if score.unresolved_quotes:
            lines.append("evidence not resolved:")
            lines += [f"  {u}" for u in score.unresolved_quotes]
    return "\n".join(lines)


# --- Evidence coverage -------------------------------------------------------
#
# A conflict can only be found between claims that were extracted, so the
# first yardstick of extraction is whether each labelled evidence quote
# carries a claim of the labelled kind at all. It needs no comparison and no
# conflict, only the run's claims.csv.

#: Label kinds whose claims carry another kind name in claims.csv.
CLAIM_KIND = {"name_spelling": "name"}

#: Label kinds that more than one claim kind can answer. Annotators label place
#: spelling variants (Bern / Berne) ``name_spelling`` too; the checker extracts
#: those spans as location claims, so a location claim covers such a quote.
ANSWERING_KINDS = {"name_spelling": frozenset({"name", "location"})}


def claim_kind(label_kind: str) -> str:
    """The claims.csv kind a label kind is extracted as (``name_spelling`` -> ``name``)."""
    return CLAIM_KIND.get(label_kind, label_kind)


def answering_kinds(label_kind: str) -> frozenset[str]:
    """Every claims.csv kind whose claim can carry a quote of ``label_kind``."""
    return ANSWERING_KINDS.get(label_kind, frozenset({claim_kind(label_kind)}))


@dataclass
class Coverage:
    """Share of labelled evidence quotes carrying a claim of the labelled kind."""

    by_kind: dict[str, list[int]] = field(default_factory=dict)  # label kind -> [covered, total]
    uncovered: list[dict] = field(default_factory=list)  # {kind, file, quote, cluster}
    unresolved_quotes: list[str] = field(default_factory=list)

    @property
    def covered(self) -> int:
        return sum(c for c, _ in self.by_kind.values())

    @property
    def total(self) -> int:
        return sum(t for _, t in self.by_kind.values())

    def share(self, kind: str) -> float:
        """Covered share of one label kind (0.0 when it has no quotes)."""
        c, t = self.by_kind.get(kind, [0, 0])
        return c / t if t else 0.0

    def to_dict(self) -> dict[str, Any]:
        """The coverage as a JSON-serialisable dict."""
        return {
            "covered": self.covered,
            "total": self.total,
            "by_kind": {
                k: {"covered": c, "total": t, "share": round(c / t, 3) if t else None}
                for k, (c, t) in sorted(self.by_kind.items())
            },
            "uncovered": self.uncovered,
            "unresolved_quotes": self.unresolved_quotes,
        }


def _read_claim_spans(path: Path) -> dict[str, list[tuple[str, int, int]]]:
    """article id -> [(kind, start, end)] from a run's claims.csv."""
    import csv

    out: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    with path.open(encoding="utf-8", newline="") as fh:
        for n, row in enumerate(csv.DictReader(fh), start=2):
            try:
                out[row["article"]].append((row["kind"], int(row["start"]), int(row["end"])))
            except (KeyError, TypeError, ValueError) as exc:
                raise CheckerError("E606", f"{path} line {n}: not a claims row ({exc})") from exc
    return out


def evidence_coverage(
    run_dir: Path | str,
    label_files: list[Path | str],
    corpus: Path | str | None = None,
) -> Coverage:
    """Per label kind, how many evidence quotes carry a claim of that kind.

    A quote is covered when a claim of the labelled kind (see :func:`answering_kinds`)
    in the run's ``claims.csv`` overlaps its span. Quotes that cannot be
    located count as uncovered and are listed in ``unresolved_quotes``.
    ``label_files`` are gold and non-conflict JSONL files alike: both hold
    facts that must be extracted before they can be judged.
    """
    run_dir = Path(run_dir)
    cpath = run_dir / "claims.csv" if run_dir.is_dir() else run_dir
    if not cpath.is_file():
        raise CheckerError("E602", f"{cpath}: no claims.csv (run `checker run ... --out {run_dir}` first)")
    paths = [Path(p) for p in label_files]
    for p in paths:
        if not p.is_file():
            raise CheckerError("E603", f"{p}: label file not found")
    claims = _read_claim_spans(cpath)
    texts = _index_texts(Path(corpus) if corpus else paths[0].parent)
    run_articles = set(claims) or {rel for group in texts.values() for rel, _ in group}
    cov = Coverage()
    for p in paths:
        for item in _read_jsonl(p):
            kind = item["kind"]
            want = answering_kinds(kind)
            for ev in item.get("evidence", []):
                tally = cov.by_kind.setdefault(kind, [0, 0])
                tally[1] += 1
                spans = _spans({**item, "evidence": [ev]}, texts, run_articles, cov.unresolved_quotes)
                hit = any(k in want and cs < e and s < ce for art, s, e in spans for k, cs, ce in claims.get(art, ()))
                if hit:
                    tally[0] += 1
                else:
                    cov.uncovered.append(
                        {"kind": kind, "cluster": item.get("cluster"), "file": ev["file"], "quote": ev["quote"]}
                    )
    return cov


def format_coverage(cov: Coverage, verbose: bool = False) -> str:
    """The coverage table, one line per label kind (and the quotes missed with ``verbose``)."""
    lines = ["evidence coverage (labelled quotes carrying a claim of the labelled kind):"]
    for k, (c, t) in sorted(cov.by_kind.items()):
        lines.append(f"  {k:<14}  {c}/{t}  {c / t:.2f}" if t else f"  {k:<14}  -")
    if cov.total:
        lines.append(f"  {'all':<14}  {cov.covered}/{cov.total}  {cov.covered / cov.total:.2f}")
    if verbose:
        lines.append("uncovered:")
        lines += [f"  [{u['kind']}] {u['file']}: {u['quote']}" for u in cov.uncovered]
        if cov.unresolved_quotes:
            lines.append("evidence not resolved:")
            lines += [f"  {u}" for u in cov.unresolved_quotes]
    return "\n".join(lines)


# --- story-out validation -------------------------------------------------------


@dataclass
class Folds:
    """Story-out figures: each fold's score on stories its model never saw, and the pooled total."""

    folds: list[Score]
    pooled: Score
    clusters: list[list[str]]
    in_sample: Score | None = None
    # Event identity on the held-out stories' chains: by the rules' classes
    # alone, and with each fold's learned relations (event_relations.Identity).
    identity: dict[str, Any] = field(default_factory=dict)


def _pool(scores: list[Score]) -> Score:
    out = Score()
    for s in scores:
        out.gold_total += s.gold_total
        out.gold_found += s.gold_found
        out.flags += s.flags
        out.correct_flags += s.correct_flags
        out.outside_flags += s.outside_flags
        out.nonconflict_flags += s.nonconflict_flags
        out.nonconflict_total += s.nonconflict_total
        out.clean_story_flags += s.clean_story_flags
        out.cross_story += s.cross_story
        out.missed += s.missed
        out.wrong += s.wrong
        out.flagged_nonconflicts += s.flagged_nonconflicts
        for k, (f, t) in s.by_kind.items():
            tally = out.by_kind.setdefault(k, [0, 0])
            tally[0] += f
            tally[1] += t
        for k, (c, n) in s.flags_by_kind.items():
            tally = out.flags_by_kind.setdefault(k, [0, 0])
            tally[0] += c
            tally[1] += n
    return out


def score_model(lab: Any, rules: Any, model: Any, test: set[str]) -> Score:
    """Judge the stories holding ``test`` clusters with ``model`` and score them on their labels."""
    from checker.pipeline import judge

    touched = {lab.stories.get(a.id, "") for a in lab.articles if lab.cluster_of(a.id) in test}
    claims = [c for c in lab.claims if lab.stories.get(c.article, "") in touched]
    conflicts = [c.to_dict() for c in judge(claims, lab.stories, lab.texts, rules, model) if c.disagreement != "update"]
    mine = [
        d for d in conflicts if any(lab.cluster_of(cl["article"]) in test for v in d["values"] for cl in v["claims"])
    ]
    gold = [g for g in lab.gold if g.get("cluster") in test]
    nc = [n for n in lab.nonconflicts if n.get("cluster") in test]
    return score_conflicts(mine, gold, nc, lab.corpus_texts, lab.story_of, lab.clean, {a.id for a in lab.articles})


def evaluate_folds(lab: Any, rules: Any, k: int, in_sample: bool = True) -> Folds:
    """Fit on the labelled stories outside each fold, score on the fold's stories.

    Stories go to folds in turn by name (deterministic); ``k`` at least the
    number of stories is leave-one-story-out.
    """
    from checker.resolve.event_relations import EMPTY, Identity, Relations, identity_scores
    from checker.resolve.training import fit, labelled_pairs

    clusters = lab.clusters
    k = max(2, min(k, len(clusters)))
    folds = [clusters[i::k] for i in range(k)]
    scores = []
    identity = {"rules": Identity(), "learned": Identity()}
    heads = lab.event_heads(rules)
    for test in folds:
        train = set(clusters) - set(test)
        # Relations from the training stories' chains only: the held-out ones never teach their own.
        relations = lab.event_relations(rules, train)
        model = fit(labelled_pairs(lab, rules, train, relations=relations), relations=relations)
        scores.append(score_model(lab, rules, model, set(test)))
        identity["rules"].add(identity_scores(heads, set(test), rules, EMPTY))
        identity["learned"].add(identity_scores(heads, set(test), rules, Relations(relations, rules)))
    whole = None
    if in_sample:
        relations = lab.event_relations(rules)
        model = fit(labelled_pairs(lab, rules, relations=relations), relations=relations)
        whole = score_model(lab, rules, model, set(clusters))
    return Folds(folds=scores, pooled=_pool(scores), clusters=folds, in_sample=whole, identity=identity)


def _spread(values: list[float | None]) -> str:
    vals = [v for v in values if v is not None]
    if not vals:
        return "-"
    return f"{min(vals):.2f}-{max(vals):.2f}"


def format_folds(res: Folds, verbose: bool = False) -> str:
    """Story-out figures first (pooled over folds, with the spread across folds), in-sample beside them."""
    p, ins = res.pooled, res.in_sample
    rec = [s.recall if s.gold_total else None for s in res.folds]
    prec = [s.precision if s.flags else None for s in res.folds]
    beside = lambda s, f: f"   (in-sample {f(s)})" if s is not None else ""  # noqa: E731
    lines = [
        f"story-out over {sum(len(c) for c in res.clusters)} stories in {len(res.folds)} folds "
        "(each fold's model fitted on the other stories only)",
        f"recall    {p.recall:.2f}  ({p.gold_found}/{p.gold_total}; folds {_spread(rec)})"
        + beside(ins, lambda s: f"{s.recall:.2f}, {s.gold_found}/{s.gold_total}"),
        f"precision {p.precision:.2f}  ({p.correct_flags}/{p.flags}; folds {_spread(prec)})"
        + beside(ins, lambda s: f"{s.precision:.2f}, {s.correct_flags}/{s.flags}"),
        f"flags on labelled non-conflicts: {p.nonconflict_flags}/{p.nonconflict_total}"
        + beside(ins, lambda s: f"{s.nonconflict_flags}"),
        f"flags in stories with no conflict: {p.clean_story_flags}" + beside(ins, lambda s: f"{s.clean_story_flags}"),
        f"conflicts spanning two stories: {p.cross_story}" + beside(ins, lambda s: f"{s.cross_story}"),
        "by kind:             recall (folds)              precision (folds)",
    ]
    for kind in sorted(set(p.by_kind) | set(p.flags_by_kind)):
        f, t = p.by_kind.get(kind, [0, 0])
        c, n = p.flags_by_kind.get(kind, [0, 0])
        kr = _spread(
            [s.by_kind[kind][0] / s.by_kind[kind][1] if s.by_kind.get(kind, [0, 0])[1] else None for s in res.folds]
        )
        kp = _spread(
            [
                s.flags_by_kind[kind][0] / s.flags_by_kind[kind][1] if s.flags_by_kind.get(kind, [0, 0])[1] else None
                for s in res.folds
            ]
        )
        r = f"{f}/{t} {f / t:.2f} ({kr})" if t else "-"
        q = f"{c}/{n} {c / n:.2f} ({kp})" if n else "-"
        lines.append(f"  {kind:<14}  {r:<26}  {q}")
    if res.identity:
        lines.append("event identity (story-out; mention pairs of distinct lemmas across articles, chains as truth):")
        lines += [f"  {v.line(k)}" for k, v in res.identity.items()]
    if verbose:
        lines.append("missed (story-out):")
        lines += [f"  [{m['kind']}] {m['cluster']}: {m['subject']}" for m in p.missed]
        lines.append("unlabelled flags (story-out):")
        lines += [f"  [{w['kind']}] {w['subject']}: {' | '.join(w['values'])}" for w in p.wrong]
        lines += _flagged_nonconflict_lines(p.flagged_nonconflicts, "(story-out)")
    return "\n".join(lines)
