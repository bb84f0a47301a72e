"""The flow, end to end: ingest -> extract -> resolve -> normalize -> compare -> report.

The CLI is a thin layer over ``run`` and ``extract``; everything here is
usable as a library. Each stage logs one line, so a nightly log shows where a
run spent its time and what it skipped.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from checker import __version__
from checker.compare import compare_all
from checker.extract import extract_doc, parse_articles
from checker.ingest import read_inputs
from checker.models import Article, Claim, Conflict, Skipped
from checker.nlp import load_pipeline, model_name
from checker.normalize import claims_table, to_csv_frame
from checker.resolve import resolve_claims
from checker.rules import Rules, load_rules
from checker.stories import assign_stories, fingerprint

log = logging.getLogger("checker")

Progress = Callable[[int, int], None]


@dataclass
class Extraction:
    """Claims and story fingerprints for a set of articles."""

    claims: list[Claim] = field(default_factory=list)
    fingerprints: dict[str, Any] = field(default_factory=dict)


@dataclass
class RunResult:
    """What a run produced, for the CLI and for tests."""

    articles: list[Article]
    claims: list[Claim]
    conflicts: list[Conflict]
    skipped: list[Skipped]
    stories: dict[str, str]
    info: dict[str, Any]
    out_dir: Path | None = None


def default_processes() -> int:
    """Both cores by default (fewer when the machine has fewer)."""
    return max(1, min(2, os.cpu_count() or 1))


def extract_articles(
    articles: list[Article],
    rules: Rules,
    model: str | None = None,
    n_process: int = 1,
    progress: Progress | None = None,
    kinds: Iterable[str] | None = None,
) -> Extraction:
    """Parse and extract every article (one spaCy pass each)."""
    out = Extraction()
    if not articles:
        return out
    nlp = load_pipeline(rules, model)
    # Few articles do not repay starting worker processes.
    procs = n_process if len(articles) >= 8 * n_process else 1
    for i, (art, doc) in enumerate(parse_articles(nlp, articles, n_process=procs), start=1):
        out.claims.extend(extract_doc(doc, art, rules, kinds))
        out.fingerprints[art.id] = fingerprint(doc, art)
        if progress:
            progress(i, len(articles))
    return out


def run(
    inputs: list[str | Path],
    out_dir: str | Path | None = None,
    rules: Rules | None = None,
    rules_dir: str | Path | None = None,
    model: str | None = None,
    n_process: int | None = None,
    story: str | None = None,
    progress: Progress | None = None,
    extractor: Callable[..., Extraction] | None = None,
) -> RunResult:
    """Run the whole flow over ``inputs`` and write the run's files to ``out_dir``."""
    t0 = time.time()
    rules = rules or load_rules(rules_dir)
    ing = read_inputs(inputs, rules.boilerplate)
    if story:
        for a in ing.articles:
            a.story = story
    log.info("ingest: %d articles, %d skipped", len(ing.articles), len(ing.skipped))
    procs = n_process or default_processes()
    ext = (extractor or extract_articles)(ing.articles, rules, model=model, n_process=procs, progress=progress)
    log.info("extract: %d claims", len(ext.claims))
    stories = assign_stories(ing.articles, fingerprints=ext.fingerprints)
    claims = resolve_claims(ext.claims, stories, rules)
    log.info("resolve: %d stories", len(set(stories.values())))
    df = claims_table(claims, stories)
    conflicts = compare_all(df, rules)
    log.info("compare: %d conflicts", len(conflicts))
    info = {
        "version": __version__,
        "started": datetime.fromtimestamp(t0, timezone.utc).isoformat(timespec="seconds"),
        "seconds": round(time.time() - t0, 2),
        "inputs": [str(i) for i in inputs],
        "articles": len(ing.articles),
        "claims": len(claims),
        "stories": len(set(stories.values())),
        "conflicts": len(conflicts),
        "skipped": [s.__dict__ for s in ing.skipped],
        "model": _safe_model(model),
        "rules_version": rules.version,
    }
    result = RunResult(ing.articles, claims, conflicts, ing.skipped, stories, info)
    if out_dir is not None:
        write_outputs(result, Path(out_dir), df)
        result.out_dir = Path(out_dir)
        log.info("report: %s", Path(out_dir) / "report.html")
    return result


def _safe_model(model: str | None) -> str | None:
    try:
        return model_name(model)
    except Exception:
        return model


def conflicts_document(result: RunResult) -> dict[str, Any]:
    """The conflicts.json document: ``{"run": {...}, "conflicts": [...]}``."""
    run_info = {k: v for k, v in result.info.items() if k not in ("seconds", "started")}
    return {"run": run_info, "conflicts": [c.to_dict() for c in result.conflicts]}


def write_outputs(result: RunResult, out: Path, df: Any) -> None:
    """Write conflicts.json, claims.csv and report.html (each atomically)."""
    from checker.report import render_report

    out.mkdir(parents=True, exist_ok=True)
    doc = conflicts_document(result)
    _atomic_write(out / "conflicts.json", json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    _atomic_write(out / "claims.csv", to_csv_frame(df).to_csv(index=False))
    _atomic_write(out / "report.html", render_report(result))


def _atomic_write(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so a killed run leaves no half file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def extract(
    inputs: list[str | Path],
    rules: Rules | None = None,
    rules_dir: str | Path | None = None,
    model: str | None = None,
    n_process: int | None = None,
    kinds: Iterable[str] | None = None,
) -> tuple[list[Claim], list[Skipped], list[Article]]:
    """Claims of ``inputs`` without comparing them (``checker extract``)."""
    rules = rules or load_rules(rules_dir)
    ing = read_inputs(inputs, rules.boilerplate)
    ext = extract_articles(ing.articles, rules, model=model, n_process=n_process or 1, kinds=kinds)
    stories = {a.id: a.story or "" for a in ing.articles}
    claims = resolve_claims(ext.claims, stories, rules)
    return claims, ing.skipped, ing.articles
