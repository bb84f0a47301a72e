"""Score a run's story grouping against labelled stories (``clusters/index.json``).

Story grouping decides what is ever compared: two articles of one labelled
story put apart lose every discrepancy between them, and two stories merged
compare facts of different events. Scored pairwise, as record linkage is: of
the article pairs the run puts in one story, how many share a labelled story
(precision), and of the labelled pairs, how many the run keeps together
(recall). Articles outside the labelled sets (the BBC articles mixed in) are
left out of the pairs, but a labelled story joined by one of them is counted
as not apart.

    python -m checker.evaluate_stories reports/both \\
        ../shared/corpus/ecbplus-dev/clusters/index.json ../shared/corpus/ecbplus-train/clusters/index.json
"""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from checker.errors import CheckerError


@dataclass
class GroupingScore:
    """Pairwise figures of one run's story grouping."""

    pairs_found: int = 0  # labelled-article pairs the run puts in one story
    pairs_true: int = 0  # pairs in one labelled story
    pairs_both: int = 0
    split: list[str] = field(default_factory=list)  # labelled stories the run splits
    merged: list[list[str]] = field(default_factory=list)  # run stories holding several labelled ones
    joined: list[str] = field(default_factory=list)  # labelled stories joined by unlabelled articles

    @property
    def precision(self) -> float:
        return self.pairs_both / self.pairs_found if self.pairs_found else 1.0

    @property
    def recall(self) -> float:
        return self.pairs_both / self.pairs_true if self.pairs_true else 1.0

    def format(self) -> str:
        """Plain text for the terminal and the README."""
        lines = [
            f"pairwise precision {self.precision:.3f} ({self.pairs_both}/{self.pairs_found} pairs in one found story share a labelled story)",
            f"pairwise recall    {self.recall:.3f} ({self.pairs_both}/{self.pairs_true} labelled pairs kept together)",
            f"labelled stories split: {len(self.split)} {self.split}",
            f"found stories merging labelled ones: {len(self.merged)}",
        ]
        lines += [f"  {' + '.join(m)}" for m in self.merged]
        lines.append(f"labelled stories joined by unlabelled articles: {len(self.joined)} {self.joined}")
        return "\n".join(lines)


def labelled_stories(index_files: list[Path | str]) -> dict[str, str]:
    """Article id (``cluster/file``, as a run over the clusters folder names it) -> labelled story."""
    out: dict[str, str] = {}
    for p in index_files:
        for c in json.loads(Path(p).read_text(encoding="utf-8")):
            for f in c["files"]:
                out[f"{c['cluster']}/{f}"] = c["cluster"]
    return out


def run_stories(run_dir: Path | str) -> dict[str, str]:
    """Article id -> story, from a run's claims.csv (articles with no claim are absent)."""
    path = Path(run_dir) / "claims.csv"
    if not path.is_file():
        raise CheckerError("E602", f"{path}: no claims.csv (run `checker run ... --out {run_dir}` first)")
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["article"]: row["story"] for row in csv.DictReader(fh)}


def _labelled_id(article: str, truth: dict[str, str]) -> str | None:
    """The labelled id an article id ends with (runs over several folders may prefix it)."""
    parts = article.split("/")
    for k in range(len(parts) - 1):
        cand = "/".join(parts[k:])
        if cand in truth:
            return cand
    return None


def grouping_score(found: dict[str, str], truth: dict[str, str]) -> GroupingScore:
    """Pairwise precision and recall of ``found`` (article -> story) against ``truth``."""
    score = GroupingScore()
    labelled: dict[str, str] = {}  # found article id -> labelled story
    for a in found:
        lid = _labelled_id(a, truth)
        if lid is not None:
            labelled[a] = truth[lid]
    for a, b in combinations(sorted(labelled), 2):
        same_found = found[a] == found[b]
        same_true = labelled[a] == labelled[b]
        score.pairs_found += same_found
        score.pairs_true += same_true
        score.pairs_both += same_found and same_true
    by_truth: dict[str, set[str]] = {}
    by_found: dict[str, set[str]] = {}
    for a, t in labelled.items():
        by_truth.setdefault(t, set()).add(found[a])
        by_found.setdefault(found[a], set()).add(t)
    score.split = sorted(t for t, s in by_truth.items() if len(s) > 1)
    score.merged = sorted(sorted(ts) for ts in by_found.values() if len(ts) > 1)
    outsiders = {found[a] for a in found if a not in labelled}
    score.joined = sorted(t for t, s in by_truth.items() if s & outsiders)
    return score


def main(argv: list[str] | None = None) -> int:
    """``python -m checker.evaluate_stories RUN_DIR INDEX.json...``"""
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 2:
        print(__doc__.strip().splitlines()[-2].strip(), file=sys.stderr)
        return 2
    score = grouping_score(run_stories(args[0]), labelled_stories(args[1:]))
    print(score.format())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
