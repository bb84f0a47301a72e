"""The flow, end to end: ingest -> extract -> resolve -> normalize -> compare -> report.

The CLI is a thin layer over ``run`` and ``extract``; everything here is
usable as a library. Each stage logs one line, so a nightly log shows where a
run spent its time and what it skipped.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from checker import __version__
from checker.compare import compare_all
from checker.csvsafe import safe_csv_frame
from checker.decisions import apply_decisions
from checker.engine import DEFAULT_ARTICLE_TIMEOUT, extract_all
from checker.errors import CheckerError
from checker.extract import extract_doc, parse_articles
from checker.ingest import printable, read_inputs
from checker.models import Article, Claim, Conflict, Skipped
from checker.nlp import load_pipeline, model_name
from checker.normalize import claims_table, facts_of_claims, to_csv_frame
from checker.resolve import resolve_claims
from checker.resolve.dating import apply_estimates, dating_of
from checker.resolve.stories import assign_stories, fingerprint
from checker.rules import Rules, load_rules
from checker.store import Store, apply_changes, store_failure

log = logging.getLogger("checker")

Progress = Callable[[int, int], None]
# Run info that differs between identical runs (timing, where, how): kept in
# the report and the store, left out of conflicts.json so that file is
# byte-for-byte the same for the same inputs, engine and interruptions aside.
VOLATILE_INFO = frozenset({"seconds", "started", "timings", "engine", "cache", "store"})


@dataclass
class Extraction:
    """Claims and story fingerprints for a set of articles."""

    claims: list[Claim] = field(default_factory=list)
    fingerprints: dict[str, Any] = field(default_factory=dict)
    # article id -> what its text says about its date (checker/resolve/dating.py)
    datings: dict[str, Any] = field(default_factory=dict)


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
    # Counts that grew in later reports: news, shown apart, not conflicts.
    updates: list[Conflict] = field(default_factory=list)


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
        out.datings[art.id] = dating_of(doc, art).to_dict()
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
    store: Store | str | Path | None = None,
    since: str | float | None = None,
    engine: str = "local",
    scheduler: str | Any | None = None,
    article_timeout: float | None = DEFAULT_ARTICLE_TIMEOUT,
) -> RunResult:
    """Run the whole flow over ``inputs`` and write the run's files to ``out_dir``.

    With ``store`` (a path or an open ``Store``), articles already extracted
    are not parsed again, the run is recorded, and ``info`` gains ``id``,
    ``previous`` and ``changes`` (see checker/store.py). ``since`` (ISO time,
    epoch seconds, or ``"last"``) keeps only input files modified since then.
    ``engine`` is ``local`` (worker processes) or ``dask`` (at ``scheduler``).
    ``article_timeout`` is each article's time budget in seconds (None or 0:
    none); an article over it is skipped with E211 and listed.
    An ``extractor`` hook replaces extraction and bypasses the claim cache.
    """
    t0 = time.time()
    rules = rules or load_rules(rules_dir)
    # Checked before any work: a bad --since or an unwritable --out found after
    # an hour of parsing costs the night.
    if since != "last":
        resolve_since(since, None, None)
    if out_dir is not None:
        check_out_dir(Path(out_dir))
    st = store if isinstance(store, Store) or store is None else Store(store, lock=True)
    try:
        return _run(
            inputs,
            out_dir,
            rules,
            model,
            n_process,
            story,
            progress,
            extractor,
            st,
            since,
            engine,
            scheduler,
            t0,
            article_timeout,
        )
    except sqlite3.Error as exc:
        # The store filled its disk or was damaged mid-run: exit 5, one line.
        failure = store_failure(st.path, exc) if st is not None else None
        if failure is None:
            raise
        raise failure from exc
    finally:
        if st is not None and st is not store:
            st.close()


def _run(
    inputs,
    out_dir,
    rules,
    model,
    n_process,
    story,
    progress,
    extractor,
    st,
    since,
    engine,
    scheduler,
    t0,
    article_timeout=DEFAULT_ARTICLE_TIMEOUT,
) -> RunResult:
    timings: dict[str, float] = {}
    settings = {"since": since, "story": story, "model": model}
    # Paths as printable text: a file name in Latin-1 bytes must not stop the store (or the JSON) taking it.
    shown_inputs = [printable(i) for i in inputs]
    run_id = (
        st.begin_run(shown_inputs, printable(Path(out_dir).resolve()) if out_dir else None, settings) if st else None
    )
    cutoff = resolve_since(since, st, run_id)
    # Boilerplate is found where the text is parsed; files older than --since are not read.
    ing = read_inputs(inputs, since=cutoff)
    if cutoff is not None:
        keep_since(ing, cutoff)  # the skipped list too
        log.info("since: %d older files left out unread", ing.old_files)
    if story:
        apply_story_option(ing.articles, story)
    timings["ingest"] = _lap(t0)
    log.info("ingest: %d articles, %d skipped (%.1fs)", len(ing.articles), len(ing.skipped), timings["ingest"])
    procs = n_process or default_processes()
    cache = None
    if extractor is not None:
        ext = extractor(ing.articles, rules, model=model, n_process=procs, progress=progress)
        fingerprints, datings = ext.fingerprints, getattr(ext, "datings", {})
        apply_estimates(ing.articles, datings)
        by_article: dict[str, list[Claim]] = {}
        for c in ext.claims:
            by_article.setdefault(c.article, []).append(c)
        arts = {a.id: a for a in ing.articles}
        for c in ext.claims:
            if c.article in arts:
                c.published_estimate = arts[c.article].published_estimate
                c.published_basis = arts[c.article].published_basis

        def claims_for(a: Article) -> list[Claim]:
            return by_article.get(a.id, [])

        log.info("extract: %d claims", len(ext.claims))
    else:
        got = extract_all(ing.articles, rules, model, procs, engine, scheduler, st, progress, article_timeout)
        fingerprints, claims_for, datings = got.fingerprints, got.claims_for, got.datings
        apply_estimates(ing.articles, datings)
        for aid, why in sorted(got.errors.items()):
            code = got.error_codes.get(aid, "E299")
            reason = why if code != "E299" else f"extraction failed ({why}); the run went on without it"
            ing.skipped.append(Skipped(aid, reason, code))
        cache = {"parsed": got.parsed, "reused": got.reused}
        log.info("extract: %d texts parsed, %d taken from the store", got.parsed, got.reused)
    timings["extract"] = _lap(t0, timings)
    log.info("extract: done (%.1fs)", timings["extract"])
    if st is not None and cache is not None:
        # Same articles, same extraction, same grouping code: the same stories.
        stories = st.stories(
            ing.articles, got.key, lambda: assign_stories(ing.articles, fingerprints=fingerprints, datings=datings)
        )
    else:
        stories = assign_stories(ing.articles, fingerprints=fingerprints, datings=datings)
    timings["stories"] = _lap(t0, timings)
    log.info("stories: %d stories (%.1fs)", len(set(stories.values())), timings["stories"])
    claims, conflicts, reused = resolve_and_compare(
        ing.articles,
        claims_for,
        stories,
        rules,
        st,
        (got.key, got.claim_json) if cache is not None else None,
    )
    if cache is not None:
        cache["stories_reused"] = reused
    log.info("resolve: %d stories (%d unchanged, taken from the store)", len(set(stories.values())), reused)
    df = claims_table(claims, stories, facts_of_claims(claims))
    updates = [c for c in conflicts if c.disagreement == "update"]
    conflicts = [c for c in conflicts if c.disagreement != "update"]
    previous, changes = None, None
    if st is not None:
        previous, changes = apply_changes(st, run_id, conflicts, ing.articles, windowed=cutoff is not None)
        conflicts.sort(key=lambda c: (c.story, c.kind, c.subject, c.id))
        # Editors' decisions, by the ids apply_changes carried over (checker/decisions.py).
        conflicts = apply_decisions(conflicts, st.path)
        if previous and previous.get("out_dir") and out_dir is not None:
            previous["report"] = os.path.relpath(Path(previous["out_dir"]) / "report.html", Path(out_dir))
    timings["compare"] = _lap(t0, timings)
    log.info("compare: %d conflicts (%.1fs)", len(conflicts), timings["compare"])
    if changes:
        log.info("changes: %s since run %s", changes["counts"], changes["previous_run"])
    info = {
        "id": run_id,
        "previous": previous,
        "changes": changes,
        "since": datetime.fromtimestamp(cutoff, timezone.utc).isoformat(timespec="seconds") if cutoff else None,
        "engine": engine,
        "cache": cache,
        "store": printable(st.path) if st else None,
        "timings": timings,
        "version": __version__,
        "started": datetime.fromtimestamp(t0, timezone.utc).isoformat(timespec="seconds"),
        "seconds": round(time.time() - t0, 2),
        "inputs": shown_inputs,
        "articles": len(ing.articles),
        "claims": len(claims),
        "stories": len(set(stories.values())),
        "conflicts": len(conflicts),
        "skipped": [s.__dict__ for s in ing.skipped],
        "model": _safe_model(model),
        "rules_version": rules.version,
    }
    result = RunResult(ing.articles, claims, conflicts, ing.skipped, stories, info, updates=updates)
    if out_dir is not None:
        write_outputs(result, Path(out_dir), df)
        result.out_dir = Path(out_dir)
        log.info("report: %s", Path(out_dir) / "report.html")
    if st is not None:
        # Only now is the run complete: a run killed before this resumes.
        st.finish_run(run_id, info, [c.to_dict() for c in conflicts], {a.id: a.content_hash for a in ing.articles})
        log.info("store: run %s recorded in %s", run_id, st.path)
    return result


def resolve_and_compare(
    articles: list[Article],
    claims_for: Callable[[Article], list[Claim]],
    stories: dict[str, str],
    rules: Rules,
    st: Store | None = None,
    extraction: tuple[Any, dict[str, str]] | None = None,
) -> tuple[list[Claim], list[Conflict], int]:
    """Link people and compare claims story by story; (claims, conflicts, stories reused).

    With a store, a story whose articles, rules and code are those of an
    earlier run is not linked or compared again: its linked claims and
    conflicts come from the store. A rerun over unchanged articles thus
    costs little more than reading, and a night with a few new articles
    re-judges only the stories they join. ``extraction`` is the store's
    cache key and each text's claims JSON (None: nothing is reused). Results
    pass through the same JSON either way, so a reused story is exactly what
    recomputing it would give.
    """
    keys: dict[str, str] = {}
    if st is not None and extraction is not None:
        key, claim_json = extraction
        keys = st.story_result_keys(articles, stories, key, rules, claim_json)
    hits = st.story_results(set(keys.values())) if keys else {}
    members: dict[str, list[Article]] = {}
    for a in articles:
        members.setdefault(stories.get(a.id, ""), []).append(a)
    todo = [sid for sid in members if keys.get(sid) not in hits]
    fresh = (
        resolve_claims([c for sid in todo for a in members[sid] for c in claims_for(a)], stories, rules) if todo else []
    )
    texts = {a.id: a.text for sid in todo for a in members[sid]}
    conflicts = judge(fresh, stories, texts, rules) if fresh else []
    linked: dict[str, list[Claim]] = {}
    for c in fresh:
        linked.setdefault(c.article, []).append(c)
    if keys:
        found: dict[str, list[dict]] = {}
        for conflict in conflicts:
            found.setdefault(conflict.story, []).append(conflict.to_dict())
        rows = []
        for sid in todo:
            story_claims = [vars(c) for a in members[sid] for c in linked.get(a.id, [])]  # shallow: JSON copies
            rows.append((keys[sid], _json(story_claims), _json(found.get(sid, []))))
        st.put_story_results(rows)  # type: ignore[union-attr]
        # Fresh results go through the JSON they are stored as, like reused
        # ones; the objects go first, so a night's claims are never held twice.
        payload = dict(hits) | {k: (cj, fj) for k, cj, fj in rows}
        del fresh, rows
        linked, conflicts = {}, []
        for sid in members:
            cj, fj = payload[keys[sid]]
            for d in json.loads(cj):
                linked.setdefault(d["article"], []).append(Claim(**d))
            conflicts.extend(Conflict.from_dict(d) for d in json.loads(fj))
        conflicts.sort(key=lambda c: (c.story, c.kind, c.subject, c.id))
    out = [c for a in articles for c in linked.get(a.id, [])]
    return out, conflicts, len(members) - len(todo)


def judge(
    claims: list[Claim], stories: dict[str, str], texts: dict[str, str], rules: Rules, model: Any = "rules"
) -> list[Conflict]:
    """Align linked claims into facts, compare within facts, and say what tied each conflict's claims.

    ``model`` is the alignment model (default: the one the rules carry; None:
    each claim's own subject key, as before alignment).
    """
    from checker.resolve.align import align, explain_conflicts

    model = rules.alignment if model == "rules" else model
    facts = align(claims, stories, texts, rules, model)
    for c in claims:  # kept on the claim: the story cache, claims.csv and the story table read it
        key = facts.of(c)
        if key:
            c.extra["fact"], c.extra["fact_subject"] = key, facts.subject.get(key, "")
        else:
            c.extra.pop("fact", None)
            c.extra.pop("fact_subject", None)
    conflicts = compare_all(claims_table(claims, stories, facts), rules)
    strength = explain_conflicts(conflicts, claims, stories, texts, rules, model)
    # Kinds whose model asks for it: two values are a conflict only when claims
    # giving them are linked on their own, not only through their groups.
    needs = {k for k, km in (model.kinds.items() if model else ()) if km.require_link}
    return [c for c in conflicts if c.kind not in needs or strength.get(id(c), 1.0) >= 1.0]


def _json(obj: Any) -> str:
    # Key order kept (no sort_keys): claims.csv writes nested fields as they are.
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _lap(t0: float, timings: dict[str, float] | None = None) -> float:
    """Seconds since ``t0`` less the stages already timed."""
    return round(time.time() - t0 - sum((timings or {}).values()), 2)


def resolve_since(since: str | float | None, st: Store | None, run_id: int | None) -> float | None:
    """``--since`` as epoch seconds: an ISO date/time, epoch seconds, or ``last``.

    ``last`` is the start of the previous complete run over the same inputs
    (everything, when there is none).
    """
    if since is None or since == "":
        return None
    if isinstance(since, (int, float)):
        return _in_range(float(since), repr(since))
    if since == "last":
        if st is None:
            raise CheckerError("E408", "--since last needs the store (drop --no-store)")
        prev = st.previous_run(run_id)
        return datetime.fromisoformat(prev["started"]).timestamp() if prev else 0.0
    try:
        return _in_range(float(since), repr(since))
    except ValueError:
        pass
    try:
        when = datetime.fromisoformat(since)
    except ValueError:
        raise CheckerError(
            "E210", f"--since {since!r}: expected an ISO date or time (2024-11-05, 2024-11-05T18:00) or 'last'"
        ) from None
    try:
        if when.tzinfo is None:
            when = when.astimezone()  # local time, as a cron user means it
        return _in_range(when.timestamp(), repr(since))
    except (OverflowError, ValueError, OSError):
        raise CheckerError("E210", f"--since {since!r}: out of range (a date from 1900 to 9999 works)") from None


def _in_range(ts: float, given: str) -> float:
    """``ts`` when it is a time this machine can convert back to a date (the report shows it)."""
    try:
        datetime.fromtimestamp(ts, timezone.utc)
    except (OverflowError, ValueError, OSError):
        raise CheckerError("E210", f"--since {given}: out of range (a date from 1900 to 9999 works)") from None
    return ts


def check_out_dir(out: Path) -> None:
    """Make sure ``out`` is a folder this process can write in, or CheckerError [E260] (exit 2)."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        why = "a file of that name is in the way" if isinstance(exc, FileExistsError) else exc.strerror or str(exc)
        raise CheckerError("E260", f"--out {out}: cannot create the folder: {why}") from None
    if not out.is_dir():
        raise CheckerError("E260", f"--out {out}: not a folder")
    try:
        with tempfile.NamedTemporaryFile(dir=out, prefix=".checker-write-test-"):
            pass
    except OSError as exc:
        raise CheckerError("E260", f"--out {out}: cannot write in the folder: {exc.strerror or exc}") from None


def keep_since(ing: Any, cutoff: float) -> int:
    """Drop articles (and skipped inputs) from files last modified before ``cutoff``; return how many articles."""

    def fresh(path: str | None) -> bool:
        if not path:
            return True
        p = Path(path)
        if not p.exists() and ":" in path:  # a JSONL record: "file.jsonl:12"
            p = Path(path.rsplit(":", 1)[0])
        try:
            return p.stat().st_mtime >= cutoff
        except OSError:
            return True

    before = len(ing.articles)
    ing.articles = [a for a in ing.articles if fresh(a.path)]
    ing.skipped = [s for s in ing.skipped if fresh(s.path)]
    return before - len(ing.articles)


def apply_story_option(articles: list[Article], story: str) -> None:
    """``--story NAME`` puts every article in one story; ``--story folder``
    makes each article's folder its story (a story given in JSONL or
    meta.json wins over ``folder``)."""
    for a in articles:
        if story == "folder":
            if not a.story:
                a.story = a.id.rsplit("/", 1)[0] if "/" in a.id else "."
        else:
            a.story = story


def _safe_model(model: str | None) -> str | None:
    try:
        return model_name(model)
    except Exception:
        return model


def conflicts_document(result: RunResult) -> dict[str, Any]:
    """The conflicts.json document: ``{"run": {...}, "conflicts": [...]}``."""
    run_info = {k: v for k, v in result.info.items() if k not in VOLATILE_INFO}
    return {
        "run": run_info,
        "conflicts": [c.to_dict() for c in result.conflicts],
        "updates": [c.to_dict() for c in result.updates],
    }


def write_outputs(result: RunResult, out: Path, df: Any) -> None:
    """Write claims.csv, report.html and conflicts.json, all or none.

    Each is written to a temporary file first; only when all three are
    written are they renamed into place, conflicts.json last. So a failure
    (disk full, a kill) leaves the previous run's files as they were, never a
    new conflicts.json beside an old report: a new conflicts.json means its
    report and claims are there too. A failure removes the temporary files
    and raises CheckerError [E261] (exit 2); the run stays unfinished in the
    store and resumes when started again.
    """
    from checker.report import render_report

    doc = conflicts_document(result)
    # Made one at a time (a night's claims.csv can be large), renamed together.
    makers: list[tuple[str, Callable[[], str]]] = [
        ("claims.csv", lambda: safe_csv_frame(to_csv_frame(df)).to_csv(index=False)),
        ("report.html", lambda: render_report(result, claims=df)),
        ("conflicts.json", lambda: json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n"),
    ]
    written: list[tuple[Path, Path]] = []
    renaming = False
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, make in makers:
            written.append((_write_temp(out / name, make()), out / name))
        renaming = True
        for tmp, final in written:
            os.replace(tmp, final)
    except OSError as exc:
        kept = "the previous conflicts.json was kept" if renaming else "the previous files were left as they were"
        raise CheckerError(
            "E261",
            f"--out {out}: cannot write the run's files: {exc.strerror or exc}; {kept}, and the run resumes "
            "when started again",
        ) from None
    finally:
        for tmp, _ in written:
            tmp.unlink(missing_ok=True)


def _write_temp(path: Path, text: str) -> Path:
    """Write ``text`` beside ``path`` under a temporary name; on failure remove it and re-raise."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


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
    ing = read_inputs(inputs)  # boilerplate is found where the text is parsed
    ext = extract_articles(ing.articles, rules, model=model, n_process=n_process or 1, kinds=kinds)
    apply_estimates(ing.articles, ext.datings)
    arts = {a.id: a for a in ing.articles}
    for c in ext.claims:
        c.published_estimate, c.published_basis = arts[c.article].published_estimate, arts[c.article].published_basis
    stories = {a.id: a.story or "" for a in ing.articles}
    claims = resolve_claims(ext.claims, stories, rules)
    return claims, ing.skipped, ing.articles
