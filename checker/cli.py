"""The ``checker`` command: a thin layer over ``checker.pipeline``.

Each command parses options and calls one library function. User errors
print one line (``[E201] path: no such file or folder``) and never a
traceback; exit codes are listed in ``checker --help``.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from checker import __version__
from checker.errors import CheckerError

EXIT_CODES = """Exit codes: 0 the run finished (conflicts or not; skipped inputs are listed);
1 internal error (a bug: please report it); 2 usage error, no readable input, or
--out cannot be written; 3 a rule file is broken; 4 the spaCy model cannot be loaded;
5 the store is locked by another run, unusable, full or damaged; 6 the Dask cluster cannot be reached or a worker failed;
130 interrupted (Ctrl-C); a run killed any other way resumes when started again."""

app = typer.Typer(
    help=f"checker: find where news articles disagree.\n\n{EXIT_CODES}",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


class Engine(str, Enum):
    local = "local"
    dask = "dask"


class Format(str, Enum):
    jsonl = "jsonl"
    csv = "csv"
    table = "table"


def _err(msg: str) -> None:
    typer.echo(msg, err=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"checker {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log one line per stage.")] = False,
) -> None:
    """checker: find where news articles disagree."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def _guard(fn, *args, **kwargs):
    """Run a library call; turn user errors into one line and an exit code."""
    import sqlite3

    try:
        return fn(*args, **kwargs)
    except CheckerError as exc:
        _err(str(exc))
        raise typer.Exit(exc.exit_code) from None
    except sqlite3.Error as exc:  # a store failure no library call named (full, damaged): still exit 5
        from checker.store import store_failure

        failure = store_failure("the store", exc)
        if failure is None:  # a constraint or SQL error is a bug
            raise
        _err(str(failure))
        raise typer.Exit(failure.exit_code) from None


def _report_skipped(skipped) -> None:
    for s in skipped:
        _err(s.message())


@app.command()
def run(
    inputs: Annotated[list[Path], typer.Argument(help="Files, folders (read recursively) or JSONL files.")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for conflicts.json, report.html, claims.csv.")
    ] = Path("reports/latest"),
    rules: Annotated[
        Optional[Path], typer.Option("--rules", help="Rules folder (default: ./rules or the project's).")
    ] = None,
    model: Annotated[Optional[str], typer.Option("--model", help="spaCy model package name.")] = None,
    processes: Annotated[
        Optional[int], typer.Option("--processes", "-j", help="Parser processes (default: 2).")
    ] = None,
    story: Annotated[
        Optional[str],
        typer.Option(
            "--story",
            help="'folder': each folder is a story; any other value: all inputs are one story "
            "with that id. Default: stories are found from the text.",
        ),
    ] = None,
    store: Annotated[
        Optional[Path],
        typer.Option(
            "--store",
            help="SQLite store of claims and runs (default: checker.db beside --out, "
            "i.e. reports/checker.db; or $CHECKER_STORE).",
        ),
    ] = None,
    no_store: Annotated[
        bool, typer.Option("--no-store", help="Use no store: extract everything, record nothing.")
    ] = False,
    since: Annotated[
        Optional[str],
        typer.Option(
            "--since", help="Only input files modified since this ISO date/time, or 'last' (the previous run)."
        ),
    ] = None,
    engine: Annotated[
        Engine, typer.Option("--engine", help="Where extraction runs: local processes or a Dask cluster.")
    ] = Engine.local,
    scheduler: Annotated[
        Optional[str], typer.Option("--scheduler", help="Dask scheduler address for --engine dask (tcp://host:8786).")
    ] = None,
    article_timeout: Annotated[
        float,
        typer.Option(
            "--article-timeout",
            metavar="SECONDS",
            min=0,
            help="Time budget per article (per 100,000 characters for longer ones); an article over it "
            "is skipped with [E211] and listed. 0: no budget.",
        ),
    ] = 120.0,
) -> None:
    """Extract claims from INPUTS, compare them and write a report.

    Articles already extracted (same text, model and extraction rules) are
    taken from the store; the report says what is new, changed and resolved
    since the previous run over the same inputs.

    \b
    Example:
        checker run examples/seeds --out reports/seeds
        checker -v run /data/incoming --since last --out reports/nightly
        checker run corpus/ --engine dask --scheduler tcp://10.0.0.5:8786
    """
    from checker.ingest import printable
    from checker.pipeline import run as run_pipeline

    if no_store and since == "last":
        _err("[E408] --since last needs the store (drop --no-store)")
        raise typer.Exit(2)
    db = None if no_store else (store or _default_store(out))
    result = _guard(
        run_pipeline,
        list(inputs),
        out_dir=out,
        rules_dir=rules,
        model=model,
        n_process=processes,
        story=story,
        progress=_progress(),
        store=db,
        since=since,
        engine=engine.value,
        scheduler=scheduler,
        article_timeout=article_timeout or None,
    )
    _report_skipped(result.skipped)
    if not result.articles:
        _err("[E200] no readable articles in the inputs")
        raise typer.Exit(2)
    typer.echo(
        f"{len(result.articles)} articles, {len(result.claims)} claims, {len(result.conflicts)} conflicts, "
        f"{len(result.skipped)} skipped -> {printable(out / 'report.html')}"
    )


def _default_store(out: Path | None = None) -> Path:
    """$CHECKER_STORE, else checker.db beside the --out folder (reports/checker.db by default)."""
    from checker.store import STORE_ENV

    env = os.environ.get(STORE_ENV)
    if env:
        return Path(env)
    return (out.parent if out is not None else Path("reports")) / "checker.db"


def _progress():
    """A progress bar on a terminal; plain log lines (every 10%, shown with -v) when not."""
    if not sys.stderr.isatty():
        step = {"next": 0}

        def lines(done: int, total: int) -> None:
            if total and (done >= step["next"] or done == total):
                logging.getLogger("checker").info("extract: %d/%d texts", done, total)
                step["next"] = done + max(1, total // 10)

        return lines
    from rich.progress import Progress

    bar = Progress(transient=True)
    task = {"id": None}

    def update(done: int, total: int) -> None:
        if task["id"] is None:
            bar.start()
            task["id"] = bar.add_task("extracting", total=total)
        bar.update(task["id"], completed=done)
        if done >= total:
            bar.stop()

    return update


@app.command()
def extract(
    inputs: Annotated[list[Path], typer.Argument(help="Files, folders or JSONL files.")],
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.jsonl,
    kind: Annotated[Optional[list[str]], typer.Option("--kind", "-k", help="Only these claim kinds.")] = None,
    rules: Annotated[Optional[Path], typer.Option("--rules", help="Rules folder.")] = None,
    model: Annotated[Optional[str], typer.Option("--model", help="spaCy model package name.")] = None,
) -> None:
    """Print the claims found in INPUTS, one per line (jsonl), as CSV or as a table.

    \b
    Example:
        checker extract examples/seeds --format table
    """
    from checker.pipeline import extract as extract_claims

    claims, skipped, _ = _guard(extract_claims, list(inputs), rules_dir=rules, model=model, kinds=kind)
    _report_skipped(skipped)
    rows = [c.to_dict() for c in claims]
    if format is Format.jsonl:
        for r in rows:
            r.pop("extra", None)
            typer.echo(json.dumps(r, ensure_ascii=False))
    elif format is Format.csv:
        import pandas as pd

        from checker.csvsafe import safe_csv_frame
        from checker.normalize import COLUMNS

        df = pd.DataFrame(rows)
        cols = [c for c in COLUMNS if c in df.columns]
        for col in ("value", "scope"):
            if col in df:
                df[col] = df[col].map(lambda v: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v)
        typer.echo(
            safe_csv_frame(df[cols]).to_csv(index=False) if rows else ",".join(c for c in COLUMNS if c != "story"),
            nl=False,
        )
    else:
        from rich.console import Console
        from rich.table import Table

        t = Table("article", "kind", "text", "value", "unit", "q", "subject", "attribution")
        for r in rows:
            t.add_row(
                r["article"],
                r["kind"],
                r.get("display") or r["text"],
                json.dumps(r["value"], ensure_ascii=False),
                r["unit"] or "",
                r["qualifier"],
                r["subject"],
                r["attribution"] or "",
            )
        Console(width=200).print(t)


@app.command()
def evaluate(
    paths: Annotated[
        Optional[list[Path]],
        typer.Argument(help="A run's output folder (holding conflicts.json); with --folds, labelled corpus folders."),
    ] = None,
    labels: Annotated[
        Optional[Path], typer.Option("--labels", help="Labelled discrepancies (JSONL, ../shared/corpus format).")
    ] = None,
    nonconflicts: Annotated[
        Optional[Path], typer.Option("--nonconflicts", help="Labelled non-conflicts (JSONL).")
    ] = None,
    corpus: Annotated[
        Optional[Path],
        typer.Option("--corpus", help="Folder holding the labelled articles (default: beside the labels)."),
    ] = None,
    clusters: Annotated[
        Optional[Path], typer.Option("--clusters", help="Story index (clusters/index.json) to check story separation.")
    ] = None,
    decisions: Annotated[
        bool, typer.Option("--decisions", help="Use the editors' decisions in the store as labels.")
    ] = False,
    store: Annotated[
        Optional[Path], typer.Option("--store", help="The store, for --decisions (default: reports/checker.db).")
    ] = None,
    since: Annotated[
        Optional[str], typer.Option("--since", help="With --decisions: only decisions made since this ISO date.")
    ] = None,
    coverage: Annotated[
        bool,
        typer.Option(
            "--coverage", help="Instead: the share of labelled evidence quotes that carry a claim of their kind."
        ),
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List misses and unlabelled flags.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    folds: Annotated[
        Optional[int],
        typer.Option(
            "--folds",
            help="Story-out validation: fit alignment on the other stories, score each fold's stories "
            "(articles are extracted once, cached in the store).",
        ),
    ] = None,
    rules: Annotated[Optional[Path], typer.Option("--rules", help="Rules folder, for --folds.")] = None,
) -> None:
    """Score a run against labels: recall by kind, precision, flags where there should be none.

    With --coverage, print per kind the share of labelled evidence quotes (gold
    and non-conflicts) that carry a claim of that kind in the run's claims.csv:
    what extraction must reach before any conflict can be found.

    With --folds K and labelled corpus folders (each with gold.jsonl,
    nonconflicts.jsonl, mentions.jsonl, clusters/): the labelled stories are
    split into K folds; each fold is judged by an alignment model fitted on
    the other folds only. Story-out figures are printed first, in-sample ones
    (fitted on every story) beside them.

    With --decisions, the editors' marks are the labels: confirmed counts as
    right, not-a-conflict as wrong, and precision is printed overall and by kind.

    \b
    Example:
        checker run ../shared/corpus/ecbplus-dev/clusters --out reports/ecb
        checker evaluate reports/ecb --labels ../shared/corpus/ecbplus-dev/gold.jsonl --nonconflicts ../shared/corpus/ecbplus-dev/nonconflicts.jsonl
        checker evaluate reports/ecb --labels ../shared/corpus/ecbplus-dev/gold.jsonl --nonconflicts ../shared/corpus/ecbplus-dev/nonconflicts.jsonl --coverage
        checker evaluate --decisions --since 2026-11-01
        checker evaluate --folds 7 ../shared/corpus/ecbplus-dev ../shared/corpus/ecbplus-train
    """
    if folds is not None:
        _evaluate_folds(paths or [], folds, rules, store, verbose, as_json)
        return
    run_dir = paths[0] if paths else None
    if decisions:
        from checker.decisions import decisions_as_labels, label_precision

        db = store or _default_store()
        if not Path(db).is_file():
            _err(f"[E604] {db}: no store (run `checker run` with a store and mark conflicts first)")
            raise typer.Exit(2)
        summary = label_precision(_guard(decisions_as_labels, db, since))
        if as_json:
            typer.echo(json.dumps(summary, indent=1))
            return
        p = summary["precision"]
        typer.echo(
            f"precision {p if p is not None else 'n/a'}  ({summary['confirmed']} confirmed, {summary['dismissed']} not a conflict)"
        )
        for kind, b in summary["by_kind"].items():
            typer.echo(f"  {kind:<14} {b['confirmed']}/{b['labelled']}  {b['precision']}")
        return
    if run_dir is None or labels is None:
        _err("[E605] give RUN_DIR and --labels, or --decisions")
        raise typer.Exit(2)
    if coverage:
        from checker.evaluate import evidence_coverage, format_coverage

        files = [labels] + ([nonconflicts] if nonconflicts else [])
        cov = _guard(evidence_coverage, run_dir, files, corpus)
        typer.echo(json.dumps(cov.to_dict(), indent=1) if as_json else format_coverage(cov, verbose))
        return
    from checker.evaluate import evaluate as score_run
    from checker.evaluate import format_score

    score = _guard(score_run, run_dir, labels, nonconflicts, corpus, clusters)
    typer.echo(json.dumps(score.to_dict(), indent=1) if as_json else format_score(score, verbose))


def _evaluate_folds(
    corpora: list[Path], k: int, rules_dir: Optional[Path], store: Optional[Path], verbose: bool, as_json: bool
) -> None:
    from checker.evaluate import evaluate_folds, format_folds
    from checker.resolve.training import load_labelled
    from checker.rules import load_rules
    from checker.store import Store

    missing = [d for d in corpora if not (d / "gold.jsonl").is_file()]
    if not corpora or missing:
        _err(
            f"[E606] --folds needs labelled corpus folders (with gold.jsonl): {', '.join(map(str, missing)) or 'none given'}"
        )
        raise typer.Exit(2)
    rules = _guard(load_rules, rules_dir, alignment=False)
    st = _guard(Store, store or _default_store())
    try:
        lab = _guard(load_labelled, corpora, rules, st)
    finally:
        st.close()
    res = evaluate_folds(lab, rules, k)
    if as_json:
        doc = {
            "folds": [s.to_dict() for s in res.folds],
            "pooled": res.pooled.to_dict(),
            "stories": res.clusters,
            "in_sample": res.in_sample.to_dict() if res.in_sample else None,
            "event_identity": {k: vars(v) for k, v in res.identity.items()},
        }
        typer.echo(json.dumps(doc, indent=1))
    else:
        typer.echo(format_folds(res, verbose))


@app.command()
def train(
    corpora: Annotated[
        Optional[list[Path]], typer.Argument(help="Labelled corpus folders (gold.jsonl, clusters/ ...).")
    ] = None,
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", help="Model file to write (a rules folder's alignment.json overrides the packaged one)."
        ),
    ] = Path("rules/alignment.json"),
    store: Annotated[
        Optional[Path],
        typer.Option(
            "--store", help="The store: extraction cache and editors' decisions (default: reports/checker.db)."
        ),
    ] = None,
    no_decisions: Annotated[bool, typer.Option("--no-decisions", help="Fit on the labelled corpora only.")] = False,
    kinds: Annotated[
        Optional[list[str]], typer.Option("--kind", "-k", help="Kinds to align (default: quantity, location).")
    ] = None,
    rules: Annotated[Optional[Path], typer.Option("--rules", help="Rules folder.")] = None,
) -> None:
    """Refit the alignment model from labelled stories and editors' decisions, and write it.

    Confirmed conflicts teach that their claims state one fact; conflicts
    marked not a conflict, that their values must not be put together.

    \b
    Example:
        checker train ../shared/corpus/ecbplus-dev ../shared/corpus/ecbplus-train --out rules/alignment.json
    """
    from checker.resolve.training import DEFAULT_KINDS
    from checker.resolve.training import train as fit_model
    from checker.rules import load_rules
    from checker.store import Store

    rules_obj = _guard(load_rules, rules, alignment=False)
    db = store or _default_store()
    st = _guard(Store, db) if Path(db).is_file() or corpora else None
    try:
        model = _guard(
            fit_model,
            list(corpora or []),
            rules_obj,
            st,
            decisions=not no_decisions,
            kinds=tuple(kinds or DEFAULT_KINDS),
        )
    finally:
        if st is not None:
            st.close()
    if not model.kinds:
        _err("[E607] too few labelled pairs to fit any kind (give labelled corpora or decide more conflicts)")
        raise typer.Exit(2)
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save(out)
    pairs = model.trained_on.get("pairs", {})
    for kind, m in sorted(model.kinds.items()):
        typer.echo(f"{kind:<9} threshold {m.threshold:.3f}  pairs {pairs.get(kind, {})}")
    if model.event_relations:
        typer.echo(f"event relations {len(model.event_relations)} (lemma pairs of one event, from the chains)")
    typer.echo(f"model {model.version} -> {out}")


@app.command("evaluate-extraction")
def evaluate_extraction(
    golden: Annotated[Path, typer.Argument(help="Golden sentences (JSONL: text + expected quantities).")] = Path(
        "tests/golden/quantities.jsonl"
    ),
    errors: Annotated[bool, typer.Option("--errors", help="Also list every miss, extra and field mismatch.")] = False,
    peer: Annotated[
        Path | None,
        typer.Option(
            "--peer",
            help="Also score the peer's public test sets in DIR (age, currency, dimension, temperature .json).",
        ),
    ] = None,
) -> None:
    """Score quantity extraction on hand-labelled sentences, with quantulum3 alone beside it.

    With --peer, also the four CQE test sets (value and value+unit F1), with the
    published CQE and quantulum3 figures beside checker's.

    \b
    Example:
        checker evaluate-extraction tests/golden/quantities.jsonl --peer ../shared/corpus/quantities-peer
    """
    from checker import scoring

    if not golden.is_file():
        _err(f"[E603] {golden}: golden file not found")
        raise typer.Exit(2)
    if peer is not None and not any((peer / f"{n}.json").is_file() for n in scoring.PEER_SETS):
        _err(f"[E603] {peer}: no peer test set (age.json, currency.json, dimension.json, temperature.json) found")
        raise typer.Exit(2)
    typer.echo(scoring.format_table(_guard(scoring.score, golden)))
    if errors:
        typer.echo("\n".join(scoring.errors(golden)))
    if peer is not None:
        typer.echo("\n" + scoring.format_peer_table(_guard(scoring.score_peer, peer)))
        if errors:
            typer.echo("\n".join(scoring.peer_errors(peer)))


@app.command()
def table(
    run_dir: Annotated[Path, typer.Argument(help="A run's output folder (holding claims.csv and conflicts.json).")],
    story: Annotated[
        Optional[str], typer.Option("--story", "-s", help="Only this story (its id, or a prefix of one).")
    ] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
    out: Annotated[
        Optional[Path],
        typer.Option("--out", "-o", help="Write one CSV per story into this folder (story id as file name)."),
    ] = None,
) -> None:
    """Print each story's table: subjects down, outlets across, each cell what that outlet said.

    Rebuilt from the run's claims.csv (nothing is parsed again), with the
    conflicts of conflicts.json marked. Columns are outlets, or articles where
    the outlet is unknown. CSV: kind, subject, the conflicts quoting the row,
    then one column per outlet; JSONL: one row per line with every value's
    quote, who was cited and its conflict.

    \b
    Example:
        checker table reports/seeds
        checker table reports/nightly --story gulf-of-aden --format csv > pirates.csv
        checker table reports/nightly --out reports/nightly/tables
    """
    from checker.csvsafe import safe_csv_frame
    from checker.normalize import table_file_name, table_frame, tables_from_run

    tables = _guard(tables_from_run, run_dir, story)
    if not (run_dir / "conflicts.json").is_file():
        _err(f"[E625] {run_dir / 'conflicts.json'}: not found; conflicts are not marked")
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for sid, t in tables.items():
            safe_csv_frame(table_frame(t)).to_csv(out / table_file_name(sid), index=False)
        typer.echo(f"{len(tables)} story tables -> {out}")
        return
    if format is Format.csv:
        if len(tables) != 1:
            _err(f"[E622] {len(tables)} stories: CSV prints one (--story ID), or give --out DIR for one file per story")
            raise typer.Exit(2)
        typer.echo(safe_csv_frame(table_frame(next(iter(tables.values())))).to_csv(index=False), nl=False)
    elif format is Format.jsonl:
        for sid, t in tables.items():
            names = [c["key"] for c in t["columns"]]
            for r in t["rows"]:
                cells = {n: c for n, c in zip(names, r["cells"]) if c}
                typer.echo(
                    json.dumps(
                        {
                            "story": sid,
                            "kind": r["kind"],
                            "subject": r["subject"],
                            "key": r["key"],
                            "conflicts": r["conflicts"],
                            "hints": r["hints"],
                            "cells": cells,
                        },
                        ensure_ascii=False,
                    )
                )
    else:
        from rich.console import Console
        from rich.table import Table

        from checker.normalize import cell_text

        console = Console() if sys.stdout.isatty() else Console(width=200)
        for sid, t in tables.items():
            rt = Table(title=f"story {sid}", show_lines=False, title_justify="left")
            rt.add_column("subject", no_wrap=False, style="bold")
            for c in t["columns"]:
                rt.add_column(c["key"] + (f"\n{c['published']}" if c["published"] else ""), overflow="fold")
            for r in t["rows"]:
                flag = " !" if r["conflicts"] else ""
                rt.add_row(
                    f"{r['kind']}: {r['subject']}{flag}",
                    *(cell_text(c) for c in r["cells"]),
                    style="red" if r["conflicts"] else None,
                )
            console.print(rt)
        console.print("rows marked ! are in a conflict (see report.html or conflicts.json)", style="dim")


class RunsFormat(str, Enum):
    table = "table"
    json = "json"


@app.command()
def runs(
    store: Annotated[Optional[Path], typer.Option("--store", help="The store (default: reports/checker.db).")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="Show this many runs, newest first.")] = 20,
    format: Annotated[RunsFormat, typer.Option("--format", "-f", help="Output format.")] = RunsFormat.table,
) -> None:
    """List past runs: when, how many articles and conflicts, what changed, where the report is.

    \b
    Example:
        checker runs --limit 5
    """
    from checker.store import list_runs

    rows = _guard(list_runs, store or _default_store(), limit)
    if format is RunsFormat.json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    typer.echo(
        f"{'run':>4}  {'status':<11} {'started':<25} {'secs':>7} {'articles':>8} {'conflicts':>9}  "
        f"{'new':>4} {'chg':>4} {'res':>4}  report"
    )
    for r in rows:
        info = r["info"]
        counts = (info.get("changes") or {}).get("counts") or {}
        out = r["out_dir"] or ""
        typer.echo(
            f"{r['id']:>4}  {r['status']:<11} {r['started']:<25} {info.get('seconds', ''):>7} {info.get('articles', ''):>8} "
            f"{info.get('conflicts', ''):>9}  {counts.get('new', ''):>4} {counts.get('changed', ''):>4} "
            f"{counts.get('resolved', ''):>4}  {os.path.join(out, 'report.html') if out else ''}"
        )


@app.command()
def diff(
    old: Annotated[int, typer.Argument(help="The earlier run's id (see checker runs).")],
    new: Annotated[int, typer.Argument(help="The later run's id.")],
    store: Annotated[Optional[Path], typer.Option("--store", help="The store (default: reports/checker.db).")] = None,
    format: Annotated[RunsFormat, typer.Option("--format", "-f", help="Output format.")] = RunsFormat.table,
) -> None:
    """Show what changed between two runs: new, changed and resolved conflicts.

    \b
    Example:
        checker diff 3 4
    """
    from checker.store import diff_runs

    ch = _guard(diff_runs, store or _default_store(), old, new)
    if format is RunsFormat.json:
        typer.echo(json.dumps(ch, ensure_ascii=False, indent=1))
        return
    c = ch["counts"]
    typer.echo(
        f"run {old} -> run {new}: {c['new']} new, {c['changed']} changed, {c['resolved']} resolved, "
        f"{c['unchanged']} unchanged"
    )
    for e in ch["new"]:
        typer.echo(f"+ {e['id']} {e['kind']} {e['subject']!r}")
    for e in ch["changed"]:
        what = "; ".join(
            x
            for x in (
                e["added_values"] and "values added: " + ", ".join(e["added_values"]),
                e["removed_values"] and "values gone: " + ", ".join(e["removed_values"]),
                e["added_articles"] and "articles added: " + ", ".join(e["added_articles"]),
                e["removed_articles"] and "articles gone: " + ", ".join(e["removed_articles"]),
            )
            if x
        )
        typer.echo(f"~ {e['id']} {e['kind']} {e['subject']!r}: {what}")
    for e in ch["resolved"]:
        typer.echo(f"- {e['id']} {e['kind']} {e['subject']!r} ({e['reason']}: {', '.join(e['articles'])})")


@app.command()
def serve(
    reports: Annotated[Path, typer.Option("--reports", help="Folder holding the runs' report folders.")] = Path(
        "reports"
    ),
    store: Annotated[
        Optional[Path],
        typer.Option(
            "--store", help="The store decisions are saved in (default: checker.db in --reports, or $CHECKER_STORE)."
        ),
    ] = None,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on. Beyond 127.0.0.1 a token is required.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on, 1-65535 (0: any free port).")] = 8765,
    token: Annotated[
        Optional[str],
        typer.Option(
            "--token",
            help="Access token every request must carry (generated when --host is not loopback): "
            "at least 16 characters of letters, digits and - _ . ~ (openssl rand -hex 16).",
        ),
    ] = None,
) -> None:
    """Serve the reports in the browser; editors' decisions are saved in the store.

    Editors mark each conflict confirmed, not a conflict, or follow up, with a
    note; the next run carries the decisions (a dismissed conflict comes back
    only when a new value joins it).

    \b
    Example:
        checker serve
        checker serve --reports reports --store reports/checker.db --port 8765
        checker serve --host 0.0.0.0 --token "$(openssl rand -hex 16)"
    """
    from checker.serve import serve as serve_reports

    # The store beside the reports, as checker run --out REPORTS/NAME uses.
    _guard(serve_reports, reports, store or _default_store(reports / "latest"), host, port, token, echo=typer.echo)


decisions_app = typer.Typer(
    help="Editors' decisions on conflicts: import the file a report exports, export the store's.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)
app.add_typer(decisions_app, name="decisions")


@decisions_app.command("import")
def decisions_import(
    file: Annotated[
        Path, typer.Argument(help="A decisions file (Export decisions in the report, or decisions export).")
    ],
    store: Annotated[Optional[Path], typer.Option("--store", help="The store (default: reports/checker.db).")] = None,
) -> None:
    """Load decisions exported from a report opened without the server.

    The file is checked whole first; decisions already in the store are skipped.

    \b
    Example:
        checker decisions import ~/Downloads/checker-decisions-12.json
    """
    from checker.decisions import import_decisions

    db = store or _default_store()
    got = _guard(import_decisions, file, db)
    typer.echo(f"{got.added} decisions imported, {got.skipped} already in {db}")


@decisions_app.command("export")
def decisions_export(
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="File to write (default: print).")] = None,
    store: Annotated[Optional[Path], typer.Option("--store", help="The store (default: reports/checker.db).")] = None,
    history: Annotated[
        bool, typer.Option("--history", help="Every decision ever made, not only the latest per conflict.")
    ] = False,
) -> None:
    """Write the store's decisions as the file decisions import reads.

    \b
    Example:
        checker decisions export --out decisions.json
    """
    from checker.decisions import export_decisions

    doc = _guard(export_decisions, store or _default_store(), history)
    text = json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            _err(f"[E455] {out}: cannot write the decisions: {exc.strerror or exc}")
            raise typer.Exit(2) from None
        typer.echo(f"{len(doc['decisions'])} decisions -> {out}")


def entry() -> None:
    """Console entry point: unexpected errors say they are bugs, exit 1."""
    try:
        app()
    except KeyboardInterrupt:
        _err("interrupted")
        sys.exit(130)
    except Exception as exc:  # a bug: say so in one line, keep the traceback for -v and the log
        logging.getLogger("checker").debug("internal error", exc_info=True)
        _err(f"[E000] internal error (a bug in checker, please report it): {type(exc).__name__}: {exc}")
        if "-v" in sys.argv or "--verbose" in sys.argv:
            raise
        sys.exit(1)


if __name__ == "__main__":
    entry()
