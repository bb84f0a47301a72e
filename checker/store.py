"""The SQLite store: extraction cache, run history, and what changed between runs.

One file (default ``reports/checker.db``) keeps

- ``articles``: every article text seen, by content hash;
- ``extractions``: each article's claims and story fingerprint as JSON, keyed by
  (content hash, model, extractor version, extraction rules version), so a
  rerun over the same articles parses nothing and does not even load spaCy;
- ``story_cache``: the story grouping of a set of articles, so a rerun over the
  same articles skips the pairwise similarities too;
- ``runs``, ``run_articles``, ``conflicts``: each run, the articles it read and
  the conflicts it found, with ids that stay stable from run to run.

Only the rules extraction reads are in the cache key (``extraction_version``):
every rule file except ``compare.yaml``, and of ``compare.yaml`` only
``rounding`` (it sets the interval a claim allows). Editing tolerances,
currency rates or growing statuses re-compares without re-parsing.

Crash safety: extraction results are committed per batch (WAL mode), a run is
``running`` until its outputs are written and only then ``complete``; a run
killed at any point and started again resumes the same run id, re-extracting
nothing already committed. Two runs on one store cannot collide: a run holds
an exclusive OS lock (``fcntl.flock``) on ``<store>.lock``, which the kernel
releases when the process dies, so a ``kill -9`` never leaves a stale lock.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import socket
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker import __version__
from checker.errors import CheckerError, StoreError

if TYPE_CHECKING:
    from checker.engine import ArticleResult
    from checker.models import Article, Conflict
    from checker.rules import Rules

DEFAULT_STORE = Path("reports") / "checker.db"
STORE_ENV = "CHECKER_STORE"
SCHEMA_VERSION = 3
# The modules where extraction starts; every checker module they import, and the
# data files below, join them (see ``extractor_sources``).
EXTRACTOR_SOURCES = (
    "extract/*.py",
    "nlp.py",
    "resolve/stories.py",
    "models.py",
    "ingest.py",
    "resolve/dating.py",
    "dateparse.py",
)
# Data files in the package that extraction reads at run time (not imports).
EXTRACTOR_DATA = ("currency_signs.json",)

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    hash TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    words INTEGER NOT NULL,
    first_seen TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS extractions (
    hash TEXT NOT NULL,
    model TEXT NOT NULL,
    extractor TEXT NOT NULL,
    rules TEXT NOT NULL,
    claims TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    created TEXT NOT NULL,
    PRIMARY KEY (hash, model, extractor, rules)
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    status TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    inputs TEXT NOT NULL,
    inputs_key TEXT NOT NULL,
    out_dir TEXT,
    pid INTEGER,
    previous INTEGER,
    info TEXT
);
CREATE TABLE IF NOT EXISTS run_articles (
    run INTEGER NOT NULL,
    article TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (run, article)
);
CREATE TABLE IF NOT EXISTS story_cache (
    key TEXT PRIMARY KEY,
    stories TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS story_results (
    key TEXT PRIMARY KEY,
    claims TEXT NOT NULL,
    conflicts TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS conflicts (
    run INTEGER NOT NULL,
    id TEXT NOT NULL,
    kind TEXT NOT NULL,
    story TEXT NOT NULL,
    subject TEXT NOT NULL,
    status TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (run, id)
);
"""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


# --- cache keys --------------------------------------------------------------


def extraction_version(rules: Rules) -> str:
    """Hash of the rules extraction reads: all but compare.yaml, plus its ``rounding``.

    Hashes the validated content, not the bytes, so comments and layout do not
    invalidate the cache. A rule file added later counts as extraction's until
    said otherwise here (re-parsing too often is slow; too rarely is wrong).
    """
    from pydantic import BaseModel

    parts: dict[str, Any] = {}
    for name, value in vars(rules).items():
        if isinstance(value, BaseModel) and name != "compare":
            parts[name] = value.model_dump(mode="json")
    parts["compare.rounding"] = rules.compare.rounding
    return hashlib.sha256(_dumps(parts).encode()).hexdigest()[:16]


def compare_version(rules: Rules) -> str:
    """Hash of compare.yaml's content (what a re-compare-only change touches)."""
    return hashlib.sha256(_dumps(rules.compare.model_dump(mode="json")).encode()).hexdigest()[:16]


def extractor_version() -> str:
    """checker's version, a hash of the code and package data that turn a text into
    claims, and the versions of the third-party packages that code imports.

    A cached claim is reused only while all three are unchanged: an upgrade of
    checker, of one module extraction calls, or of quantulum3 or a gazetteer
    package gives new claims, not yesterday's.
    """
    files, packages = extractor_sources()
    h = hashlib.sha256()
    root = Path(__file__).parent
    for p in files:
        h.update(str(p.relative_to(root)).encode())
        h.update(p.read_bytes())
    h.update(_dumps(packages).encode())
    return f"{__version__}+{h.hexdigest()[:12]}"


# ``import a.b, c`` and ``from a.b import (x, y)``, at any indentation (lazy imports
# inside functions count too). Faster than walking each module's syntax tree.
_IMPORT = re.compile(
    r"^[ \t]*(?:import[ \t]+([\w., \t]+)|from[ \t]+([\w.]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]+))", re.M
)


@functools.lru_cache(maxsize=1)
def extractor_sources() -> tuple[list[Path], dict[str, str]]:
    """The files extraction's result depends on, and {distribution: version} of
    the third-party packages they import.

    The list of checker modules is the import closure of ``EXTRACTOR_SOURCES``,
    not a hand list: a hand list missed the currency, name and gazetteer
    modules, so changing them left stale claims in the cache.
    """
    import sys
    from importlib.metadata import PackageNotFoundError, packages_distributions, version

    root = Path(__file__).parent
    todo = [p for pattern in EXTRACTOR_SOURCES for p in sorted(root.glob(pattern))]
    seen: set[Path] = set()
    third: set[str] = set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        names: list[str] = []
        for plain, module, what in _IMPORT.findall(path.read_text(encoding="utf-8")):
            if plain:
                names += [n.split()[0] for n in plain.split(",") if n.strip()]
            elif not module.startswith("."):
                names.append(module)
                names += [f"{module}.{n.split()[0]}" for n in what.strip("()").split(",") if n.split()]
        for name in names:
            top, *rest = name.split(".")
            if top != "checker":
                if top not in sys.stdlib_module_names and top.isidentifier():
                    third.add(top)
                continue
            for cand in (root.joinpath(*rest).with_suffix(".py"), root.joinpath(*rest, "__init__.py")):
                if rest and cand.is_file():
                    todo.append(cand)
    files = sorted(seen) + [root / f for f in EXTRACTOR_DATA if (root / f).is_file()]
    packages: dict[str, str] = {}
    missing = []
    for top in sorted(third):
        try:  # most distributions are named as they import; the lookup is cheap
            packages[top] = version(top)
        except PackageNotFoundError:
            found = getattr(sys.modules.get(top), "__version__", None)
            if isinstance(found, str):  # yaml (PyYAML) says its own version
                packages[top] = found
            else:
                missing.append(top)
    if missing:  # the slower map of every installed file
        dists = packages_distributions()
        for top in missing:
            for dist in dists.get(top, []):
                packages[dist] = version(dist)
    return files, packages


def _source_hash(*patterns: str) -> str:
    root = Path(__file__).parent
    h = hashlib.sha256()
    for pattern in patterns:
        for p in sorted(root.glob(pattern)):
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:12]


def model_id(model: str | None) -> str:
    """Model package name and version, plus spaCy's version, without loading either."""
    from importlib.metadata import PackageNotFoundError, version

    from checker.nlp import model_name

    name = model_name(model)
    try:
        mv = version(name)
    except PackageNotFoundError:
        mv = "?"
    try:
        sv = version("spacy")
    except PackageNotFoundError:  # pragma: no cover
        sv = "?"
    return f"{name}=={mv} spacy=={sv}"


@dataclass(frozen=True)
class CacheKey:
    """What an extraction result depends on besides the text."""

    model: str
    extractor: str
    rules: str

    @classmethod
    def for_run(cls, rules: Rules, model: str | None) -> CacheKey:
        """The key for extracting with ``rules`` and ``model`` now."""
        return cls(model_id(model), extractor_version(), extraction_version(rules))


# --- the lock ----------------------------------------------------------------


class StoreLock:
    """An exclusive ``flock`` on ``<store>.lock``; the kernel drops it when the holder dies."""

    def __init__(self, db: Path) -> None:
        self.path = db.with_name(db.name + ".lock")
        self.fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise StoreError [E401] naming the holder."""
        import fcntl

        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise StoreError(
                "E410",
                f"cannot open the store's lock file {self.path}: {exc.strerror or exc} (it must be a file: "
                "remove what is there)",
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = _read_holder(fd)
            os.close(fd)
            alive = _pid_alive(holder.get("pid")) if holder.get("host") == socket.gethostname() else None
            who = (
                f"pid {holder.get('pid')} on {holder.get('host')}, since {holder.get('since')}"
                if holder
                else "another process"
            )
            hint = (
                "; that process is gone, so a worker it started still holds the lock: end it and retry"
                if alive is False
                else "; wait for it to finish (cron: run again later)"
            )
            raise StoreError(
                "E401", f"store {self.path.with_suffix('')} is locked by another run ({who}){hint}"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, _dumps({"pid": os.getpid(), "host": socket.gethostname(), "since": _now()}).encode())
        self.fd = fd

    def release(self) -> None:
        """Drop the lock (closing the file releases it)."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def _read_holder(fd: int) -> dict[str, Any]:
    try:
        data = os.pread(fd, 4096, 0)
        return json.loads(data.decode()) if data else {}
    except (OSError, ValueError):
        return {}


def _pid_alive(pid: Any) -> bool | None:
    if not isinstance(pid, int):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --- the store ---------------------------------------------------------------


def store_failure(path: Path | str, exc: BaseException) -> StoreError | None:
    """The one-line StoreError [E409] for an SQLite error that means the store itself
    failed mid-run (disk full, I/O error, a damaged file), or None for one that is a
    bug in checker (a constraint or SQL error), which must not be hidden."""
    if not isinstance(exc, sqlite3.Error) or isinstance(
        exc, (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError, sqlite3.NotSupportedError)
    ):
        return None
    msg = str(exc)
    if "full" in msg:
        hint = "free some space where the store is and run again (the run resumes)"
    elif "malformed" in msg or "not a database" in msg:
        hint = "the file is damaged: move it aside (a new store is made) or restore a copy"
    else:
        hint = "check the disk and the file, then run again (the run resumes)"
    return StoreError("E409", f"store {path}: {msg}; {hint}")


@contextmanager
def store_errors(path: Path | str) -> Iterator[None]:
    """Turn the store failing under a command into StoreError [E409] (exit 5)."""
    try:
        yield
    except sqlite3.Error as exc:
        failure = store_failure(path, exc)
        if failure is None:
            raise
        raise failure from None


def default_store_path() -> Path:
    """``$CHECKER_STORE`` when set, else reports/checker.db."""
    env = os.environ.get(STORE_ENV)
    return Path(env) if env else DEFAULT_STORE


class Store:
    """The SQLite store. ``lock=True`` (for runs) takes the exclusive run lock."""

    def __init__(self, path: str | Path, lock: bool = False, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise CheckerError("E404", f"no store at {self.path} (checker run writes one; --store PATH chooses it)")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError("E402", f"cannot create the store's folder {self.path.parent}: {exc.strerror}") from exc
        self.lock = StoreLock(self.path) if lock else None
        if self.lock:
            self.lock.acquire()
        try:
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self.release()
            raise StoreError("E403", f"store {self.path} is unusable: {exc}") from exc

    def _migrate(self) -> None:
        (ver,) = self.db.execute("PRAGMA user_version").fetchone()
        if ver > SCHEMA_VERSION:
            raise StoreError(
                "E405", f"store {self.path} was written by a newer checker (schema {ver}); upgrade checker"
            )
        if ver < SCHEMA_VERSION:
            self.db.executescript(SCHEMA + f"PRAGMA user_version={SCHEMA_VERSION};")

    def release(self) -> None:
        """Release the run lock, if held."""
        if self.lock:
            self.lock.release()

    def close(self) -> None:
        """Close the database and release the lock."""
        try:
            self.db.close()
        finally:
            self.release()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # --- extraction cache ---------------------------------------------------

    def cached(self, hashes: Iterable[str], key: CacheKey) -> dict[str, tuple[str, str]]:
        """content hash -> (claims JSON, fingerprint JSON) for the hashes already extracted under ``key``."""
        wanted = sorted(set(hashes))
        out: dict[str, tuple[str, str]] = {}
        # By primary key, in chunks: a store holds months of nights.
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            rows = self.db.execute(
                "SELECT hash, claims, fingerprint FROM extractions WHERE model=? AND extractor=? AND rules=? "
                f"AND hash IN ({','.join('?' * len(chunk))})",
                (key.model, key.extractor, key.rules, *chunk),
            )
            out.update((h, (c, f)) for h, c, f in rows)
        return out

    def put_extractions(
        self, results: list[ArticleResult], texts: dict[str, str], key: CacheKey
    ) -> list[tuple[str, str]]:
        """Store a batch of results in one transaction; return (claims JSON, fingerprint JSON) per result."""
        now = _now()
        out = [(_dumps(r.claims), _dumps(r.fingerprint)) for r in results]
        with self.db:
            self.db.execute("BEGIN")
            for r in results:
                text = texts[r.content_hash]
                self.db.execute(
                    "INSERT OR IGNORE INTO articles(hash, text, words, first_seen) VALUES (?,?,?,?)",
                    (r.content_hash, text, len(text.split()), now),
                )
            self.db.executemany(
                "INSERT OR REPLACE INTO extractions VALUES (?,?,?,?,?,?,?)",
                [
                    (r.content_hash, key.model, key.extractor, key.rules, c, f, now)
                    for r, (c, f) in zip(results, out, strict=True)
                ],
            )
        return out

    # --- runs ---------------------------------------------------------------

    def begin_run(self, inputs: list[str], out_dir: str | None, settings: dict[str, Any]) -> int:
        """Start a run (or resume the interrupted one with the same inputs and settings); return its id."""
        ikey = inputs_key(inputs)
        sig = _dumps({"inputs": ikey, "out": out_dir, **settings})
        dead = self.db.execute("SELECT id, info FROM runs WHERE status='running' ORDER BY id").fetchall()
        last = self.db.execute("SELECT MAX(id) FROM runs").fetchone()[0]
        with self.db:
            self.db.execute("BEGIN")
            resume = None
            for rid, info in dead:
                # We hold the lock, so every 'running' run is a dead one.
                if rid == last and (json.loads(info or "{}")).get("signature") == sig:
                    resume = rid
                else:
                    self.db.execute("UPDATE runs SET status='interrupted' WHERE id=?", (rid,))
            if resume is not None:
                self.db.execute("UPDATE runs SET pid=? WHERE id=?", (os.getpid(), resume))
                return resume
            cur = self.db.execute(
                "INSERT INTO runs(status, started, inputs, inputs_key, out_dir, pid, info) VALUES ('running',?,?,?,?,?,?)",
                (_now(), _dumps(inputs), ikey, out_dir, os.getpid(), _dumps({"signature": sig})),
            )
            return int(cur.lastrowid)

    def previous_run(self, run_id: int) -> dict[str, Any] | None:
        """The last complete run before ``run_id`` over the same inputs, or None."""
        row = self.db.execute("SELECT inputs_key FROM runs WHERE id=?", (run_id,)).fetchone()
        if row is None:
            return None
        prev = self.db.execute(
            "SELECT id FROM runs WHERE status='complete' AND inputs_key=? AND id<? ORDER BY id DESC LIMIT 1",
            (row[0], run_id),
        ).fetchone()
        return self.get_run(prev[0]) if prev else None

    def get_run(self, run_id: int) -> dict[str, Any]:
        """One run's record (info decoded), or CheckerError [E406]."""
        row = self.db.execute(
            "SELECT id, status, started, finished, inputs, out_dir, previous, info FROM runs WHERE id=?", (run_id,)
        ).fetchone()
        if row is None:
            raise CheckerError("E406", f"no run {run_id} in store {self.path} (checker runs lists them)")
        return _run_record(row)

    def runs(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Runs, newest first."""
        sql = "SELECT id, status, started, finished, inputs, out_dir, previous, info FROM runs ORDER BY id DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [_run_record(r) for r in self.db.execute(sql)]

    def run_conflicts(self, run_id: int) -> list[dict[str, Any]]:
        """The conflicts a run stored, as conflicts.json dicts."""
        rows = self.db.execute("SELECT doc FROM conflicts WHERE run=? ORDER BY story, kind, subject, id", (run_id,))
        return [json.loads(d) for (d,) in rows]

    def run_articles(self, run_id: int) -> dict[str, str]:
        """article id -> content hash, for the articles a run read."""
        return dict(self.db.execute("SELECT article, hash FROM run_articles WHERE run=?", (run_id,)))

    def finish_run(
        self, run_id: int, info: dict[str, Any], conflicts: list[dict[str, Any]], articles: dict[str, str]
    ) -> None:
        """Record a run's articles and conflicts and mark it complete, in one transaction."""
        prev = (info.get("previous") or {}).get("id")
        old = self.db.execute("SELECT info FROM runs WHERE id=?", (run_id,)).fetchone()
        sig = json.loads(old[0] or "{}").get("signature") if old else None
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute("DELETE FROM run_articles WHERE run=?", (run_id,))
            self.db.execute("DELETE FROM conflicts WHERE run=?", (run_id,))
            self.db.executemany(
                "INSERT INTO run_articles VALUES (?,?,?)", [(run_id, a, h) for a, h in articles.items()]
            )
            self.db.executemany(
                "INSERT INTO conflicts VALUES (?,?,?,?,?,?,?)",
                [
                    (run_id, c["id"], c["kind"], c["story"], c["subject"], c.get("status") or "new", _dumps(c))
                    for c in conflicts
                ],
            )
            self.db.execute(
                "UPDATE runs SET status='complete', finished=?, previous=?, info=? WHERE id=?",
                (_now(), prev, _dumps({**info, "signature": sig}), run_id),
            )

    def stories(self, articles: list[Article], key: CacheKey, compute: Any) -> dict[str, str]:
        """Story ids for ``articles``: from the store when the same articles were grouped
        before under the same extraction key and grouping code, else ``compute()`` (stored).

        Grouping is the slowest step of a rerun over unchanged articles (pairwise
        similarities over the whole batch), and its result depends only on these.
        """
        h = hashlib.sha256()
        h.update(_dumps([key.model, key.extractor, key.rules, _source_hash("resolve/stories.py")]).encode())
        for a in sorted(articles, key=lambda a: a.id):
            h.update(_dumps([a.id, a.content_hash, a.story, a.published, a.published_estimate]).encode())
        skey = h.hexdigest()
        row = self.db.execute("SELECT stories FROM story_cache WHERE key=?", (skey,)).fetchone()
        if row is not None:
            return json.loads(row[0])
        stories = compute()
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO story_cache VALUES (?,?,?)", (skey, _dumps(stories), _now()))
        return stories

    def story_result_keys(
        self, articles: list[Article], stories: dict[str, str], key: CacheKey, rules: Rules, claim_json: dict[str, str]
    ) -> dict[str, str]:
        """story id -> the key of its linked claims and conflicts in ``story_results``.

        A story's result depends only on its articles (text, outlet, date), the
        claims extracted from them (``claim_json``: content hash -> claims as
        stored; an article whose extraction failed has none), every rule and
        checker's code: the same inputs give the same key, and any change to
        one of them a new one.
        """
        base = _dumps(
            [key.model, key.extractor, key.rules, rules.version, _source_hash("*.py", "compare/*.py", "resolve/*.py")]
        )
        members: dict[str, list[Article]] = {}
        for a in articles:
            members.setdefault(stories.get(a.id, ""), []).append(a)
        out = {}
        for sid, arts in members.items():
            h = hashlib.sha256(base.encode())
            h.update(_dumps(sid).encode())
            for a in sorted(arts, key=lambda a: a.id):
                claims = hashlib.sha256(claim_json.get(a.content_hash, "").encode()).hexdigest()
                h.update(
                    _dumps(
                        [a.id, a.content_hash, claims, a.outlet, a.published, a.title, a.published_estimate]
                    ).encode()
                )
            out[sid] = h.hexdigest()
        return out

    def story_results(self, keys: Iterable[str]) -> dict[str, tuple[str, str]]:
        """key -> (claims JSON, conflicts JSON) for the keys already stored."""
        keys = list(keys)
        out: dict[str, tuple[str, str]] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for k, cj, fj in self.db.execute(
                f"SELECT key, claims, conflicts FROM story_results WHERE key IN ({marks})", chunk
            ):
                out[k] = (cj, fj)
        return out

    def put_story_results(self, rows: list[tuple[str, str, str]]) -> None:
        """Store (key, claims JSON, conflicts JSON) for stories just linked and compared."""
        now = _now()
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO story_results VALUES (?,?,?,?)", [(k, c, f, now) for k, c, f in rows]
            )

    def stats(self) -> dict[str, int]:
        """Row counts, for logs and tests."""
        return {
            t: self.db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("articles", "extractions", "runs", "conflicts")
        }


def inputs_key(inputs: Iterable[str | Path]) -> str:
    """The inputs as absolute paths, sorted: runs over the same inputs follow each other."""
    return _dumps(sorted(str(Path(i).resolve()) for i in inputs))


def _run_record(row: tuple) -> dict[str, Any]:
    rid, status, started, finished, inputs, out_dir, previous, info = row
    data = json.loads(info or "{}")
    data.pop("signature", None)
    return {
        "id": rid,
        "status": status,
        "started": started,
        "finished": finished,
        "inputs": json.loads(inputs),
        "out_dir": out_dir,
        "previous": previous,
        "info": data,
    }


# --- what changed ------------------------------------------------------------


def _claim_keys(conflict: dict[str, Any]) -> set[tuple[str, int, int]]:
    return {(c["article"], c["start"], c["end"]) for v in conflict["values"] for c in v["claims"]}


def _articles(conflict: dict[str, Any]) -> set[str]:
    return {c["article"] for v in conflict["values"] for c in v["claims"]}


def _signature(conflict: dict[str, Any]) -> list:
    return sorted(
        (v["value"], sorted((c["article"], c["start"], c["end"], c["text"]) for c in v["claims"]))
        for v in conflict["values"]
    )


def match_conflicts(current: list[dict[str, Any]], previous: list[dict[str, Any]]) -> dict[int, int]:
    """Pair each current conflict with at most one previous one: index -> index.

    Story ids contain a hash of the story's members, so they change when an
    article joins; a conflict is therefore recognised by its kind and subject
    plus either its old id, its story, or at least one claim in common.
    The best-overlapping pairs are taken first.
    """
    by_subject: dict[tuple[str, str], list[int]] = {}
    for j, p in enumerate(previous):
        by_subject.setdefault((p["kind"], p["subject"]), []).append(j)
    prev_keys = [_claim_keys(p) for p in previous]
    cands = []
    for i, c in enumerate(current):
        keys = _claim_keys(c)
        for j in by_subject.get((c["kind"], c["subject"]), []):
            p = previous[j]
            shared = len(keys & prev_keys[j])
            same_id, same_story = c["id"] == p["id"], c["story"] == p["story"]
            if shared or same_id or same_story:
                cands.append((-(1000 * same_id + 10 * shared + same_story), i, j))
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for _, i, j in sorted(cands):
        if i not in pairs and j not in used:
            pairs[i] = j
            used.add(j)
    return pairs


def changes_between(
    current: list[dict[str, Any]],
    previous: list[dict[str, Any]],
    current_articles: dict[str, str],
    previous_articles: dict[str, str],
    windowed: bool = False,
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """What changed from ``previous`` conflicts to ``current`` ones.

    Returns the ``changes`` dict (see ``pipeline.run``'s info) and, per current
    conflict in order, its (id, status): the matched previous conflict's id is
    carried over. ``windowed`` (a ``--since`` run) means articles missing from
    this run were not re-read, so their conflicts are not called resolved.
    """
    pairs = match_conflicts(current, previous)
    out: list[tuple[str, str]] = []
    changes: dict[str, Any] = {"new": [], "changed": [], "unchanged": [], "resolved": []}
    taken = {previous[j]["id"] for j in pairs.values()}
    ids: set[str] = set()
    for i, c in enumerate(current):
        if i in pairs:
            p = previous[pairs[i]]
            cid = p["id"]
            if _signature(c) == _signature(p):
                status = "unchanged"
                changes["unchanged"].append(cid)
            else:
                status = "changed"
                changes["changed"].append(_change_entry(cid, c, p))
        else:
            cid, status = c["id"], "new"
            # A fresh id equal to one carried (or to a resolved conflict's) would
            # mislead whoever tracks decisions by id.
            n = 1
            while cid in taken or cid in ids or any(cid == p["id"] for p in previous):
                cid = f"{c['id']}-r{n}"
                n += 1
            changes["new"].append({"id": cid, "kind": c["kind"], "subject": c["subject"], "story": c["story"]})
        ids.add(cid)
        out.append((cid, status))
    not_rechecked = 0
    for j, p in enumerate(previous):
        if j in pairs.values():
            continue
        arts = _articles(p)
        gone = sorted(a for a in arts if a not in current_articles)
        if windowed and gone:
            not_rechecked += 1
            continue
        edited = sorted(a for a in arts if a in current_articles and current_articles[a] != previous_articles.get(a))
        reason = "withdrawn" if gone else "corrected" if edited else "rules"
        changes["resolved"].append(
            {
                "id": p["id"],
                "kind": p["kind"],
                "subject": p["subject"],
                "story": p["story"],
                "reason": reason,
                "articles": gone or edited or sorted(arts),
                "values": [v["value"] for v in p["values"]],
                "explanation": p.get("explanation"),
            }
        )
    changes["counts"] = {k: len(changes[k]) for k in ("new", "changed", "unchanged", "resolved")}
    if windowed:
        changes["counts"]["not_rechecked"] = not_rechecked
    return changes, out


def _change_entry(cid: str, cur: dict[str, Any], prev: dict[str, Any]) -> dict[str, Any]:
    cv = {v["value"] for v in cur["values"]}
    pv = {v["value"] for v in prev["values"]}
    ca, pa = _articles(cur), _articles(prev)
    return {
        "id": cid,
        "kind": cur["kind"],
        "subject": cur["subject"],
        "story": cur["story"],
        "added_values": sorted(cv - pv),
        "removed_values": sorted(pv - cv),
        "added_articles": sorted(ca - pa),
        "removed_articles": sorted(pa - ca),
    }


def apply_changes(
    store: Store, run_id: int, conflicts: list[Conflict], articles: list[Article], windowed: bool = False
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """Compare a run's conflicts with its previous run's; set ids and statuses in place.

    Returns (previous run summary or None, changes). Without a previous run
    every conflict is new.
    """
    prev = store.previous_run(run_id)
    cur_docs = [c.to_dict() for c in conflicts]
    cur_arts = {a.id: a.content_hash for a in articles}
    if prev is None:
        prev_docs: list[dict[str, Any]] = []
        prev_arts: dict[str, str] = {}
    else:
        prev_docs = store.run_conflicts(prev["id"])
        prev_arts = store.run_articles(prev["id"])
    changes, ids = changes_between(cur_docs, prev_docs, cur_arts, prev_arts, windowed)
    for c, (cid, status) in zip(conflicts, ids, strict=True):
        c.id, c.status = cid, status
    changes["previous_run"] = prev["id"] if prev else None
    summary = None
    if prev is not None:
        summary = {
            "id": prev["id"],
            "started": prev["started"],
            "finished": prev["finished"],
            "out_dir": prev["out_dir"],
            "conflicts": prev["info"].get("conflicts"),
            "articles": prev["info"].get("articles"),
        }
    return summary, changes


def diff_runs(path: str | Path, old: int, new: int) -> dict[str, Any]:
    """What changed from run ``old`` to run ``new`` in the store at ``path`` (``checker diff``)."""
    with store_errors(path), Store(path, create=False) as st:
        a, b = st.get_run(old), st.get_run(new)
        for r in (a, b):
            if r["status"] != "complete":
                raise CheckerError(
                    "E407", f"run {r['id']} is {r['status']}, not complete: it has no conflicts to compare"
                )
        changes, ids = changes_between(
            st.run_conflicts(new), st.run_conflicts(old), st.run_articles(new), st.run_articles(old)
        )
    changes["from_run"], changes["to_run"] = old, new
    return changes


def list_runs(path: str | Path, limit: int | None = 20) -> list[dict[str, Any]]:
    """The runs in the store at ``path``, newest first (``checker runs``)."""
    with store_errors(path), Store(path, create=False) as st:
        return st.runs(limit)
