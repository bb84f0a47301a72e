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

import contextlib
import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
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
# Per-article time budget (--article-timeout), in seconds for an article of up
# to BUDGET_CHARS characters; a longer article gets it in proportion. Generous:
# it is there to stop pathological work (a hostile text), not slow machines.
DEFAULT_ARTICLE_TIMEOUT = 120.0
BUDGET_CHARS = 100_000
TIMEOUT_CODE = "E211"


class ArticleTimeout(BaseException):
    """An article ran over its time budget.

    A BaseException, like KeyboardInterrupt, so that no ``except Exception``
    inside an extractor can swallow it.
    """


def article_budget(article: Article, timeout: float | None) -> float | None:
    """The seconds ``article`` may take: ``timeout`` per BUDGET_CHARS characters, at least ``timeout``."""
    if not timeout or timeout <= 0:
        return None
    return timeout * max(1.0, len(article.text) / BUDGET_CHARS)


@contextlib.contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Raise ArticleTimeout in the block after ``seconds`` of wall time.

    A POSIX interval timer, so only in a process's main thread (the local
    engine's workers and the in-process path); elsewhere (Dask's worker
    threads) there is no limit. Python code is interrupted at once; a long
    call into C (one spaCy component on a huge text) is interrupted when it
    returns.
    """
    usable = (
        seconds
        and seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def fire(signum: int, frame: Any) -> None:
        raise ArticleTimeout

    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class EngineError(CheckerError):
    """The extraction engine cannot run (e.g. the Dask scheduler is unreachable)."""

    exit_code = 6


@dataclass
class ArticleResult:
    """What extraction found in one article: claims as dicts, and its fingerprint.

    The fingerprint carries, under ``dating.DATING_KEY``, what the text says
    about the article's date (checker/resolve/dating.py): both are read from the
    parse for story grouping, and are cached together.
    """

    article: str
    content_hash: str
    claims: list[dict[str, Any]] = field(default_factory=list)
    fingerprint: dict[str, Any] = field(default_factory=dict)
    # Set when this article made extraction fail: the run goes on without it,
    # lists it as skipped, and does not store the failure (a fix retries it).
    error: str | None = None
    # The error's code: E299 (extraction failed) or E211 (over the time budget).
    error_code: str | None = None


def extract_batch(
    articles: list[Article],
    rules: Rules,
    model: str | None = None,
    kinds: Iterable[str] | None = None,
    timeout: float | None = None,
) -> list[ArticleResult]:
    """Parse and extract a batch of articles in this process (worker side).

    The pipeline is loaded once per process (``load_pipeline`` caches it), so
    later batches on the same worker start at once. With ``timeout``, each
    article has a time budget (``article_budget``): the batch's parse may
    take the sum of its articles' budgets, else each article is parsed alone
    within its own; extraction takes what its budget has left. An article over
    budget comes back with an E211 error and the batch goes on.
    """
    from checker.extract import extract_doc, parse_articles
    from checker.nlp import load_pipeline
    from checker.resolve.dating import DATING_KEY, dating_of
    from checker.resolve.stories import fingerprint

    nlp = load_pipeline(rules, model)
    kinds = list(kinds) if kinds else None
    budgets = {a.id: article_budget(a, timeout) for a in articles}
    spent: dict[str, float] = {}
    t0 = time.monotonic()
    try:
        with time_budget(sum(budgets.values()) if timeout else None):
            parsed: list[tuple[Article, Any]] = list(
                parse_articles(nlp, articles, n_process=1, batch_size=max(len(articles), 1))
            )
        # Each article's share of the batch's parse, by its length.
        elapsed, chars = time.monotonic() - t0, max(1, sum(len(a.text) for a in articles))
        spent = {a.id: elapsed * len(a.text) / chars for a in articles}
    except (Exception, ArticleTimeout):  # one bad or slow text must not sink its batch: parse one by one
        parsed = []
        for art in articles:
            t1 = time.monotonic()
            try:
                with time_budget(budgets[art.id]):
                    parsed.extend(parse_articles(nlp, [art], n_process=1, batch_size=1))
            except (Exception, ArticleTimeout) as exc:
                parsed.append((art, exc))
            spent[art.id] = time.monotonic() - t1
    out = []
    for art, doc in parsed:
        budget = budgets[art.id]
        if isinstance(doc, BaseException):
            out.append(_failure(art, doc, budget))
            continue
        try:
            with time_budget(max(0.001, budget - spent.get(art.id, 0.0)) if budget else None):
                claims = [c.to_dict() for c in extract_doc(doc, art, rules, kinds)]
                fp: dict[str, Any] = dict(fingerprint(doc, art))
                fp[DATING_KEY] = dating_of(doc, art).to_dict()
            out.append(ArticleResult(art.id, art.content_hash, claims, fp))
        except (Exception, ArticleTimeout) as exc:  # a bug on odd text: keep the night's run going
            out.append(_failure(art, exc, budget))
    return out


def _failure(art: Article, exc: BaseException, budget: float | None) -> ArticleResult:
    if isinstance(exc, ArticleTimeout):
        log.warning("time budget: %s took over %.0f s, skipped", art.id, budget or 0)
        return ArticleResult(
            art.id,
            art.content_hash,
            error=f"over its time budget of {budget:.0f} s (--article-timeout); skipped",
            error_code=TIMEOUT_CODE,
        )
    log.warning("extraction failed on %s: %s: %s", art.id, type(exc).__name__, exc)
    return ArticleResult(art.id, art.content_hash, error=f"{type(exc).__name__}: {exc}", error_code="E299")


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


def _init_worker(
    rules: Rules, model: str | None, kinds: list[str] | None, timeout: float | None = None, started: Any = None
) -> None:
    _WORKER.update(rules=rules, model=model, kinds=kinds, timeout=timeout, started=started)
    # Load the model now, while the parent is still reading and queueing, and
    # warm the extractors (their imports and tables) on a short text, so the
    # first article's time budget is spent on the article.
    from checker.models import Article

    extract_batch([Article(id="warm-up", text=WARM_UP)], rules, model, kinds)


WARM_UP = "Officials said 12 people were hurt in Leeds on Monday, according to police chief John Smith."


def _work(articles: list[Article], token: int = 0) -> list[ArticleResult]:
    if _WORKER.get("started") is not None:
        _WORKER["started"].put(token)  # the parent times a batch from here
    return extract_batch(articles, _WORKER["rules"], _WORKER["model"], _WORKER["kinds"], _WORKER["timeout"])


def run_local(
    articles: list[Article],
    rules: Rules,
    model: str | None = None,
    n_process: int = 2,
    kinds: Iterable[str] | None = None,
    timeout: float | None = None,
) -> Iterator[list[ArticleResult]]:
    """Extract on this machine, in ``n_process`` worker processes; yield batches as done.

    ``timeout`` is the per-article time budget (see ``extract_batch``).
    """
    kinds = list(kinds) if kinds else None
    procs = max(1, min(n_process, len(articles) // MIN_PER_PROCESS))
    size = batch_size(len(articles), procs)
    if procs <= 1:
        for batch in _batches(articles, size):
            yield extract_batch(batch, rules, model, kinds, timeout)
        return
    # spawn, not fork: the parent may run threads (a progress bar, Dask) and
    # holds the store's lock file, which forked children would inherit.
    ctx = multiprocessing.get_context("spawn")
    # One BLAS thread per worker: the workers already take every core, and a
    # BLAS pool beside each would compete with the other worker for it. Set
    # while the workers start (they read it when numpy loads), then put back.
    saved = {var: os.environ.get(var) for var in BLAS_THREAD_VARS}

    # Workers say when they start a batch (a batch queued, or waiting for a
    # worker still loading its model, is not running late).
    started = ctx.Queue() if timeout else None
    tokens: dict[int, Future] = {}

    def start_pool() -> ProcessPoolExecutor:
        for var in BLAS_THREAD_VARS:
            os.environ.setdefault(var, "1")
        return ProcessPoolExecutor(
            procs, mp_context=ctx, initializer=_init_worker, initargs=(rules, model, kinds, timeout, started)
        )

    def submit(batch: list[Article]) -> Future:
        fut = pool.submit(_work, batch, len(tokens))
        tokens[len(tokens)] = fut
        pending[fut] = batch
        return fut

    pool = start_pool()
    todo = deque(_batches(articles, size, procs))
    # Articles that were in a batch whose worker got stuck or died: run again
    # one at a time, alone in the pool, so the one that does it again is known.
    solo: deque[Article] = deque()
    pending: dict[Future, list[Article]] = {}
    running_since: dict[Future, float] = {}

    alone: set[Future] = set()  # the future of an article run alone

    def fill() -> None:
        if solo:
            if not pending:
                alone.add(submit([solo.popleft()]))
        else:
            # A bounded number of batches in flight keeps memory flat however
            # many articles a night brings.
            while todo and len(pending) < procs * 3:
                submit(todo.popleft())  # the first ``procs`` submissions start the workers
        _restore_env(saved)

    try:
        fill()
        while pending:
            done, _ = wait(list(pending), timeout=WATCH_SECONDS if timeout else None, return_when=FIRST_COMPLETED)
            crashed = False
            for fut in done:
                if isinstance(fut.exception(), BrokenProcessPool):
                    crashed = True  # a worker died (killed, out of memory): handled below
                    continue
                pending.pop(fut)
                running_since.pop(fut, None)
                yield fut.result()
            now = time.monotonic()
            while started is not None:
                try:
                    fut = tokens[started.get_nowait()]
                except queue.Empty:
                    break
                if fut in pending:
                    running_since.setdefault(fut, now)
            stuck = {f for f, t in running_since.items() if now - t > _stuck_after(pending[f], timeout)}
            if not stuck and not crashed:
                fill()
                continue
            # A worker is stuck where the alarm cannot reach it (a call into C
            # that never returns) or died: stop the pool and start another.
            pool = _restart(pool, start_pool)
            for fut, batch in list(pending.items()):
                if fut.done() and not fut.cancelled() and fut.exception() is None:
                    yield fut.result()
                elif fut in alone:
                    yield [_gave_up(batch[0], timeout, stuck=bool(stuck))]
                elif fut in stuck or crashed:
                    solo.extend(batch)
                else:
                    todo.appendleft(batch)
            pending.clear()
            running_since.clear()
            alone.clear()
            fill()
    finally:
        _restore_env(saved)
        pool.shutdown(wait=True, cancel_futures=True)


# How often the parent looks for stuck workers, and the slack it gives a
# batch beyond its articles' budgets (from when a worker took it) before
# calling the worker stuck.
WATCH_SECONDS = 5.0
STUCK_GRACE = 60.0


def _stuck_after(batch: list[Article], timeout: float | None) -> float:
    return sum(article_budget(a, timeout) or 0.0 for a in batch) + STUCK_GRACE


def _restart(pool: ProcessPoolExecutor, start: Callable[[], ProcessPoolExecutor]) -> ProcessPoolExecutor:
    """Kill the pool's workers (they may be deaf to everything else) and start a new pool."""
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(Exception):
            proc.kill()
    pool.shutdown(wait=True, cancel_futures=True)
    return start()


def _gave_up(article: Article, timeout: float | None, stuck: bool) -> ArticleResult:
    if stuck:
        budget = article_budget(article, timeout) or 0.0
        log.warning("time budget: %s stuck its worker past %.0f s; the worker was restarted", article.id, budget)
        return ArticleResult(
            article.id,
            article.content_hash,
            error_code=TIMEOUT_CODE,
            error=f"over its time budget of {budget:.0f} s (--article-timeout; its worker was stopped); skipped",
        )
    log.warning("extraction: the worker process died on %s; restarted", article.id)
    return ArticleResult(article.id, article.content_hash, error="the worker process died on it", error_code="E299")


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
    timeout: float | None = None,
) -> Iterator[list[ArticleResult]]:
    """Extract on a Dask cluster at ``scheduler`` (an address, or a Client); yield batches as done.

    Dask runs tasks in worker threads, where the per-article ``timeout``
    cannot interrupt (see ``time_budget``): it applies only where a task
    runs in a worker process's main thread.
    """
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
            client.submit(extract_batch, batch, rules_f, model, kinds, timeout, pure=False)
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
    timeout: float | None = None,
) -> Iterator[list[ArticleResult]]:
    """Extract ``articles`` with the named engine, yielding result batches as they complete."""
    if not articles:
        return iter(())
    if engine == "local":
        return run_local(articles, rules, model, n_process, kinds, timeout)
    if engine == "dask":
        return run_dask(articles, rules, scheduler, model, kinds, timeout)
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
    datings: dict[str, dict[str, Any]] = field(
        default_factory=dict
    )  # article id -> checker.resolve.dating's read of its date
    error_codes: dict[str, str] = field(default_factory=dict)  # article id -> E299 or E211

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
    timeout: float | None = DEFAULT_ARTICLE_TIMEOUT,
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
    codes: dict[str, str] = {}
    for batch in run_engine(todo, rules, engine, model, n_process, scheduler, timeout=timeout):
        for r in batch:
            if r.error:
                failed[r.content_hash] = r.error
                codes[r.content_hash] = r.error_code or "E299"
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
    from checker.resolve.dating import DATING_KEY

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
        articles,
        {h: cj for h, (cj, _) in got.items()},
        fps,
        parsed=len(todo),
        reused=reused,
        key=key,
        errors=errors,
        datings=datings,
        error_codes={a.id: codes[a.content_hash] for a in articles if a.content_hash in codes},
    )
