"""Extraction engines: where the spaCy pass and the claim extractors run.

An engine takes the articles that need extracting and yields their results
in batches as they complete, so the caller can commit each batch to the store
(a run killed midway loses nothing already extracted). Workers parse *and*
extract: only claims and story fingerprints travel back, never ``Doc``
objects, whose pickling costs more than the parse saves (see benchmarks/).

- ``local`` (default): a pool of worker processes on this machine (both cores
  by default); one process runs in-process, with no pool at all.
- ``dask``: tasks on an existing ``dask.distributed`` cluster
  (``--engine dask --scheduler tcp://host:8786``). Workers need checker and
  the spaCy model installed; nothing else is shared with them.

Every engine returns the same thing for the same articles: results are plain
JSON-ready dicts, and the pipeline puts them back in input order, so
``conflicts.json`` is byte-for-byte the same whichever engine ran.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from checker.errors import CheckerError

if TYPE_CHECKING:
    from checker.models import Article
    from checker.rules import Rules

log = logging.getLogger("checker")

ENGINES = ("local", "dask")
# Articles per task: big enough for spaCy's batched matrix work, small
# enough to keep both workers busy and to commit often (see batch_size()).
MAX_BATCH = 32
# The smallest batch the end of a run shrinks to.
MIN_BATCH = 4
# Below this many articles per process, starting workers (each loads the
# model, about 2 s) costs more than it saves.
MIN_PER_PROCESS = 12
# Environment variables that size numpy's BLAS thread pool.
BLAS_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
# Seconds to wait for a Dask scheduler before giving up (exit code 6).
CONNECT_TIMEOUT = 15


class EngineError(CheckerError):
    """The extraction engine cannot run (e.g. the Dask scheduler is unreachable)."""

    exit_code = 6


@dataclass
class ArticleResult:
    """What extraction found in one article: claims as dicts, and its fingerprint.

    The fingerprint carries, under ``dating.DATING_KEY``, what the text says
    about the article's date (checker/dating.py): both are read from the
    parse for story grouping, and are cached together.
    """

    article: str
    content_hash: str
    claims: list[dict[str, Any]] = field(default_factory=list)
    fingerprint: dict[str, Any] = field(default_factory=dict)
    # Set when this article made extraction fail: the run goes on without it,
    # lists it as skipped, and does not store the failure (a fix retries it).
    error: str | None = None


def extract_batch(
    articles: list[Article], rules: Rules, model: str | None = None, kinds: Iterable[str] | None = None
) -> list[ArticleResult]:
    """Parse and extract a batch of articles in this process (worker side).

    The pipeline is loaded once per process (``load_pipeline`` caches it), so
    later batches on the same worker start at once.
    """
    from checker.dating import DATING_KEY, dating_of
    from checker.extract import extract_doc, parse_articles
    from checker.nlp import load_pipeline
    from checker.stories import fingerprint

    nlp = load_pipeline(rules, model)
    kinds = list(kinds) if kinds else None
    try:
        parsed = list(parse_articles(nlp, articles, n_process=1, batch_size=max(len(articles), 1)))
    except Exception:  # one bad text must not sink its batch: parse one by one
        parsed = []
        for art in articles:
            try:
                parsed.extend(parse_articles(nlp, [art], n_process=1, batch_size=1))
            except Exception as exc:
                parsed.append((art, exc))
    out = []
    for art, doc in parsed:
        if isinstance(doc, Exception):
            out.append(ArticleResult(art.id, art.content_hash, error=f"{type(doc).__name__}: {doc}"))
            continue
        try:
            claims = [c.to_dict() for c in extract_doc(doc, art, rules, kinds)]
            fp: dict[str, Any] = dict(fingerprint(doc, art))
            fp[DATING_KEY] = dating_of(doc, art).to_dict()
            out.append(ArticleResult(art.id, art.content_hash, claims, fp))
        except Exception as exc:  # a bug on odd text: keep the night's run going
            log.warning("extraction failed on %s: %s: %s", art.id, type(exc).__name__, exc)
            out.append(ArticleResult(art.id, art.content_hash, error=f"{type(exc).__name__}: {exc}"))
    return out


def batch_size(n_articles: int, workers: int) -> int:
    """Articles per task: up to MAX_BATCH, and at least four tasks per worker."""
    return max(1, min(MAX_BATCH, -(-n_articles // (4 * max(1, workers)))))


def _batches(articles: list[Article], size: int, workers: int = 1) -> list[list[Article]]:
    """Batches of ``size`` articles, shrinking towards the end of the list.

    Guided scheduling: each batch is at most a share of what is left, so the
    workers finish together instead of one idling while the other parses a
    last full batch.
    """
    out = []
    i = 0
    while i < len(articles):
        left = len(articles) - i
        n = max(min(size, MIN_BATCH), min(size, -(-left // (2 * max(1, workers)))))
        out.append(articles[i : i + n])
        i += n
    return out


# --- local: a process pool ---------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(rules: Rules, model: str | None, kinds: list[str] | None) -> None:
    _WORKER.update(rules=rules, model=model, kinds=kinds)
    # Load the model now, while the parent is still reading and queueing.
    from checker.nlp import load_pipeline

    load_pipeline(rules, model)


def _work(articles: list[Article]) -> list[ArticleResult]:
    return extract_batch(articles, _WORKER["rules"], _WORKER["model"], _WORKER["kinds"])


def run_local(
    articles: list[Article],
    rules: Rules,
    model: str | None = None,
    n_process: int = 2,
    kinds: Iterable[str] | None = None,
) -> Iterator[list[ArticleResult]]:
    """Extract on this machine, in ``n_process`` worker processes; yield batches as done."""
    kinds = list(kinds) if kinds else None
    procs = max(1, min(n_process, len(articles) // MIN_PER_PROCESS))
    size = batch_size(len(articles), procs)
    if procs <= 1:
        for batch in _batches(articles, size):
            yield extract_batch(batch, rules, model, kinds)
        return
    # spawn, not fork: the parent may run threads (a progress bar, Dask) and
    # holds the store's lock file, which forked children would inherit.
    ctx = multiprocessing.get_context("spawn")
    # One BLAS thread per worker: the workers already take every core, and a
    # BLAS pool beside each would compete with the other worker for it. Set
    # while the workers start (they read it when numpy loads), then put back.
    saved = {var: os.environ.get(var) for var in BLAS_THREAD_VARS}
    for var in BLAS_THREAD_VARS:
        os.environ.setdefault(var, "1")
    pool = ProcessPoolExecutor(procs, mp_context=ctx, initializer=_init_worker, initargs=(rules, model, kinds))
    todo = iter(_batches(articles, size, procs))
    pending: set[Future] = set()

    def submit() -> None:
        batch = next(todo, None)
        if batch is not None:
            pending.add(pool.submit(_work, batch))

    try:
        # A bounded number of batches in flight keeps memory flat however
        # many articles a night brings.
        for _ in range(procs * 3):
            submit()  # the first ``procs`` submissions start the workers
        _restore_env(saved)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                yield fut.result()
                submit()
    finally:
        _restore_env(saved)
        pool.shutdown(wait=True, cancel_futures=True)


def _restore_env(saved: dict[str, str | None]) -> None:
    for var, value in saved.items():
        if value is None:
            os.environ.pop(var, None)
        else:
            os.environ[var] = value


# --- dask: an existing cluster -----------------------------------------------


def run_dask(
    articles: list[Article],
    rules: Rules,
    scheduler: str | Any,
    model: str | None = None,
    kinds: Iterable[str] | None = None,
) -> Iterator[list[ArticleResult]]:
    """Extract on a Dask cluster at ``scheduler`` (an address, or a Client); yield batches as done."""
    try:
        from distributed import Client, as_completed
    except ImportError as exc:  # pragma: no cover - dask is an optional extra
        raise EngineError("E304", "--engine dask needs dask[distributed]: pip install 'checker[dask]'") from exc
    own = not hasattr(scheduler, "submit")
    if own:
        if not scheduler:
            raise EngineError("E305", "--engine dask needs --scheduler ADDRESS (e.g. tcp://127.0.0.1:8786)")
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise EngineError("E306", f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
    else:
        client = scheduler
    try:
        kinds = list(kinds) if kinds else None
        rules_f = client.scatter(rules, broadcast=True, hash=False)
        workers = sum(client.nthreads().values())
        futures = [
            client.submit(extract_batch, batch, rules_f, model, kinds, pure=False)
            for batch in _batches(articles, batch_size(len(articles), workers), workers)
        ]
        with client.as_current():
            done = as_completed(futures)
        for fut in done:
            try:
                batch = fut.result()
            except CheckerError:
                raise
            except Exception as exc:
                raise EngineError("E307", f"a Dask worker failed: {type(exc).__name__}: {exc}") from exc
            fut.release()
            yield batch
    finally:
        if own:
            client.close()


def run_engine(
    articles: list[Article],
    rules: Rules,
    engine: str = "local",
    model: str | None = None,
    n_process: int = 2,
    scheduler: str | Any | None = None,
    kinds: Iterable[str] | None = None,
) -> Iterator[list[ArticleResult]]:
    """Extract ``articles`` with the named engine, yielding result batches as they complete."""
    if not articles:
        return iter(())
    if engine == "local":
        return run_local(articles, rules, model, n_process, kinds)
    if engine == "dask":
        return run_dask(articles, rules, scheduler, model, kinds)
    raise EngineError("E308", f"unknown engine '{engine}' (choose from {', '.join(ENGINES)})")


# --- with the store ------------------------------------------------------------


@dataclass
class Extracted:
    """Claims and fingerprints for a run's articles, and how many were parsed vs reused.

    Claims stay in their stored JSON until asked for, article by article: a
    rerun whose stories are all unchanged never needs most of them.
    """

    articles: list[Article]
    claim_json: dict[str, str]  # content hash -> the claims' JSON
    fingerprints: dict[str, Counter]
    parsed: int = 0
    reused: int = 0
    key: Any = None
    errors: dict[str, str] = field(default_factory=dict)  # article id -> why extraction failed
    datings: dict[str, dict[str, Any]] = field(default_factory=dict)  # article id -> checker.dating's read of its date

    def claims_for(self, article: Article) -> list[Any]:
        """The claims of one article, with its id, outlet and date."""
        import json

        from checker.models import Claim

        out = []
        for d in json.loads(self.claim_json[article.content_hash]):
            d.update(article=article.id, source=article.outlet, published=article.published)
            d.update(published_estimate=article.published_estimate, published_basis=article.published_basis)
            out.append(Claim(**d))
        return out

    @property
    def claims(self) -> list[Any]:
        """Every article's claims, in article order."""
        return [c for a in self.articles for c in self.claims_for(a)]


def extract_all(
    articles: list[Article],
    rules: Rules,
    model: str | None = None,
    n_process: int = 2,
    engine: str = "local",
    scheduler: str | Any | None = None,
    store: Any | None = None,
    progress: Any | None = None,
) -> Extracted:
    """Claims of every article: from the store when already extracted, else from the engine.

    Each text is extracted once (duplicates share the result); each finished
    batch is committed to the store before the next is awaited. Results always
    pass through their JSON form, so fresh, cached and remote results are
    identical. Cached claims get the current article's id, source and date.
    """
    import json

    from checker.store import CacheKey, _dumps

    unique: dict[str, Article] = {}
    for a in articles:
        unique.setdefault(a.content_hash, a)
    key = CacheKey.for_run(rules, model) if store is not None else None
    got: dict[str, tuple[str, str]] = store.cached(unique, key) if store is not None else {}
    todo = [a for h, a in unique.items() if h not in got]
    reused = len(unique) - len(todo)
    if reused:
        log.info("extract: %d of %d texts already in the store", reused, len(unique))
    texts = {a.content_hash: a.text for a in todo}
    done = reused
    if progress:
        progress(done, len(unique))
    failed: dict[str, str] = {}
    for batch in run_engine(todo, rules, engine, model, n_process, scheduler):
        for r in batch:
            if r.error:
                failed[r.content_hash] = r.error
                got[r.content_hash] = ("[]", "{}")
        batch = [r for r in batch if not r.error]
        if store is not None:
            pairs = store.put_extractions(batch, texts, key)
        else:
            pairs = [(_dumps(r.claims), _dumps(r.fingerprint)) for r in batch]
        for r, pair in zip(batch, pairs, strict=True):
            got[r.content_hash] = pair
        done += len(batch)
        if progress:
            progress(done, len(unique))
    from checker.dating import DATING_KEY

    fps: dict[str, Counter] = {}
    datings: dict[str, dict[str, Any]] = {}
    for a in articles:
        fp = json.loads(got[a.content_hash][1])
        dating = fp.pop(DATING_KEY, None)
        fps[a.id] = Counter(fp)
        if dating:
            datings[a.id] = dating
    errors = {a.id: failed[a.content_hash] for a in articles if a.content_hash in failed}
    return Extracted(
        articles, {h: cj for h, (cj, _) in got.items()}, fps, parsed=len(todo), reused=reused, key=key, errors=errors,
        datings=datings,
    )
