"""Editors' decisions on conflicts: saved in the SQLite store, carried into the next run.

An editor marks a conflict *confirmed*, *dismissed* ("not a conflict") or
*follow_up*, with a note; each mark is one row in the ``decisions`` table of
the store (the same file as the runs, default ``reports/checker.db``), with who
and when. Rows are never updated: the latest row for a conflict id is its
decision, and the history stays for audit. ``open`` clears a decision.

Conflict ids are stable across runs, so the next run finds the decision again
(``apply_decisions``). A dismissal holds only for the values the editor saw:
each row keeps the conflict's values at decision time, and when a value that
was not there joins the conflict, the dismissal is *reopened* and the conflict
comes back for review.

The report page, opened from disk, keeps decisions in the browser and exports
them as ``{"decisions": [...]}``; ``import_decisions`` reads that file. The same
rows, confirmed = true positive and dismissed = false positive, are labels for
measuring the checker's precision (``decisions_as_labels``).
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from checker.errors import CheckerError, StoreError
from checker.models import Conflict, ValueGroup

DEFAULT_DB = Path("reports") / "checker.db"
STATUSES = ("confirmed", "dismissed", "follow_up")
CLEARED = "open"
LABELS = {"confirmed": "Confirmed", "dismissed": "Not a conflict", "follow_up": "Follow up", CLEARED: "Open"}
MAX_NOTE = 10_000
MAX_WHO = 200
MAX_ID = 200

SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  conflict_id TEXT NOT NULL,
  status TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  who TEXT NOT NULL DEFAULT '',
  at TEXT NOT NULL,
  run TEXT,
  kind TEXT,
  story TEXT,
  subject TEXT,
  values_json TEXT,
  values_signature TEXT,
  origin TEXT
);
CREATE INDEX IF NOT EXISTS decisions_conflict ON decisions (conflict_id, at, id);
"""


class DecisionError(CheckerError):
    """A decisions file or a decision is invalid (exit code 2)."""


@dataclass
class ImportResult:
    """What ``import_decisions`` did."""

    added: int
    skipped: int


def now() -> str:
    """The current UTC time as the ISO 8601 string decisions carry."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


@contextmanager
def connect(db_path: str | Path) -> Iterator[sqlite3.Connection]:
    """A connection to the store with the decisions table in place; commits on success."""
    path = Path(db_path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(str(path), timeout=15)
    except (OSError, sqlite3.Error) as exc:
        raise StoreError("E450", f"{path}: cannot open the store: {exc}") from None
    con.row_factory = sqlite3.Row
    try:
        con.executescript(SCHEMA)
        yield con
        con.commit()
    except (sqlite3.OperationalError, sqlite3.DataError) as exc:
        con.rollback()
        raise StoreError("E451", f"{path}: the store is locked or unusable: {exc}") from None
    except sqlite3.DatabaseError as exc:
        if type(exc) is not sqlite3.DatabaseError:  # integrity or SQL errors are bugs: not hidden
            raise
        raise StoreError("E451", f"{path}: the store is damaged: {exc}") from None
    finally:
        con.close()


# -- values: what the editor saw ------------------------------------------------


def _norm(s: Any) -> str:
    return re.sub(r"\s+", " ", str(s or "")).strip().lower()


def _finite(x: Any) -> float | None:
    if isinstance(x, (int, float)) and not isinstance(x, bool) and x == x and abs(x) != float("inf"):
        return float(x)
    return None


def value_keys(values: Iterable[ValueGroup | dict[str, Any]]) -> list[dict[str, Any]]:
    """A conflict's values reduced to what identifies them across runs.

    Each value keeps its display string, its interval (finite bounds only)
    and the surface forms of its claims ("about 11,000", "11,000"), so a value
    whose display changes because a more precise claim joined is still the
    same value.
    """
    out = []
    for v in values:
        d = v if isinstance(v, dict) else {"value": v.value, "low": v.low, "high": v.high, "claims": v.claims}
        forms = {_norm(d.get("value"))}
        for c in d.get("claims") or []:
            forms.add(_norm(c.get("display") or c.get("text")))
        forms.discard("")
        out.append(
            {
                "value": str(d.get("value", "")),
                "low": _finite(d.get("low")),
                "high": _finite(d.get("high")),
                "forms": sorted(forms),
            }
        )
    return out


def values_signature(keys: list[dict[str, Any]]) -> str:
    """A short hash of a set of values (order does not matter)."""
    norm = sorted(_norm(k.get("value")) for k in keys)
    return hashlib.sha1(json.dumps(norm).encode("utf-8")).hexdigest()[:16]


def _same_value(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if set(a.get("forms") or [_norm(a.get("value"))]) & set(b.get("forms") or [_norm(b.get("value"))]):
        return True
    alo, ahi, blo, bhi = a.get("low"), a.get("high"), b.get("low"), b.get("high")
    # Only closed intervals match by overlap: "more than 10,000" would swallow any larger figure.
    if None in (alo, ahi, blo, bhi):
        return False
    return alo <= bhi and blo <= ahi


def new_values(decided: list[dict[str, Any]] | None, current: list[dict[str, Any]]) -> list[str]:
    """Display strings of ``current`` values that were not among ``decided``.

    ``decided`` None (a decision recorded without its values) means the
    editor's decision covers whatever values the conflict has.
    """
    if decided is None:
        return []
    return [c["value"] for c in current if not any(_same_value(c, d) for d in decided)]


# -- reading and writing --------------------------------------------------------


def _check(entry: dict[str, Any], where: str) -> dict[str, Any]:
    """A validated, normalized decision dict, or DecisionError."""
    if not isinstance(entry, dict):
        raise DecisionError("E452", f"{where}: a decision must be an object")
    cid = entry.get("conflict", entry.get("conflict_id"))
    if not isinstance(cid, str) or not cid.strip() or len(cid) > MAX_ID:
        raise DecisionError("E452", f"{where}: 'conflict' must be a conflict id (a short string)")
    status = entry.get("status")
    if status not in STATUSES + (CLEARED,):
        raise DecisionError("E453", f"{where}: status {status!r} is not one of {', '.join(STATUSES + (CLEARED,))}")
    note = entry.get("note") or ""
    who = entry.get("who") or ""
    if not isinstance(note, str) or len(note) > MAX_NOTE:
        raise DecisionError("E452", f"{where}: 'note' must be text of at most {MAX_NOTE} characters")
    if not isinstance(who, str) or len(who) > MAX_WHO:
        raise DecisionError("E452", f"{where}: 'who' must be text of at most {MAX_WHO} characters")
    at = entry.get("at") or now()
    try:
        parsed = datetime.fromisoformat(str(at).replace("Z", "+00:00"))
    except ValueError:
        raise DecisionError("E452", f"{where}: 'at' is not an ISO 8601 time: {_show(at)}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    try:
        at = parsed.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    except (OverflowError, ValueError):
        raise DecisionError("E452", f"{where}: 'at' {_show(at)} is out of range (years 1 to 9999 in UTC)") from None
    values = entry.get("values")
    if values is not None:
        if not isinstance(values, list) or not all(isinstance(v, dict) for v in values):
            raise DecisionError("E452", f"{where}: 'values' must be a list of objects")
        values = value_keys(values)
    out = {"conflict": cid.strip(), "status": status, "note": note, "who": who.strip(), "at": at, "values": values}
    for k in ("run", "kind", "story", "subject"):
        v = entry.get(k)
        out[k] = str(v)[:500] if v is not None else None
    # JSON can carry a lone surrogate ("\ud800") that no UTF-8 store or page can hold.
    bad = _unencodable(out)
    if bad:
        raise DecisionError("E452", f"{where}: '{bad}' holds a lone surrogate (an invalid \\ud800-\\udfff escape)")
    return out


def _unencodable(d: dict[str, Any]) -> str | None:
    """The first field of ``d`` (nested values included) that is not valid Unicode text, or None."""
    for k, v in d.items():
        try:
            json.dumps(v, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            return k
    return None


def _show(value: Any) -> str:
    """A value for an error line: repr, shortened, surrogates escaped."""
    text = repr(value)
    return (text[:60] + "...") if len(text) > 60 else text


def record_decision(db_path: str | Path, entry: dict[str, Any], origin: str = "serve") -> dict[str, Any]:
    """Validate one decision and append it to the store; returns it as saved."""
    d = _check(entry, "decision")
    with connect(db_path) as con:
        _insert(con, d, origin)
    return d


def _insert(con: sqlite3.Connection, d: dict[str, Any], origin: str) -> None:
    con.execute(
        "INSERT INTO decisions (conflict_id, status, note, who, at, run, kind, story, subject, values_json, "
        "values_signature, origin) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            d["conflict"],
            d["status"],
            d["note"],
            d["who"],
            d["at"],
            d["run"],
            d["kind"],
            d["story"],
            d["subject"],
            json.dumps(d["values"]) if d["values"] is not None else None,
            values_signature(d["values"]) if d["values"] is not None else None,
            origin,
        ),
    )


def _row(r: sqlite3.Row) -> dict[str, Any]:
    return {
        "conflict": r["conflict_id"],
        "status": r["status"],
        "note": r["note"],
        "who": r["who"],
        "at": r["at"],
        "run": r["run"],
        "kind": r["kind"],
        "story": r["story"],
        "subject": r["subject"],
        "values": json.loads(r["values_json"]) if r["values_json"] else None,
        "values_signature": r["values_signature"],
    }


def decision_history(db_path: str | Path, conflict_id: str | None = None) -> list[dict[str, Any]]:
    """Every decision row, oldest first (optionally for one conflict)."""
    if not Path(db_path).exists():
        return []
    with connect(db_path) as con:
        sql = "SELECT * FROM decisions"
        args: tuple = ()
        if conflict_id is not None:
            sql += " WHERE conflict_id = ?"
            args = (conflict_id,)
        return [_row(r) for r in con.execute(sql + " ORDER BY at, id", args)]


def latest_decisions(db_path: str | Path, include_cleared: bool = False) -> dict[str, dict[str, Any]]:
    """conflict id -> its latest decision (cleared ones left out unless asked)."""
    out: dict[str, dict[str, Any]] = {}
    for d in decision_history(db_path):
        out[d["conflict"]] = d
    if not include_cleared:
        out = {k: v for k, v in out.items() if v["status"] != CLEARED}
    return out


def carried_decision(d: dict[str, Any], current: list[dict[str, Any]]) -> dict[str, Any]:
    """A stored decision as shown on a conflict of a run: with the values that joined since."""
    joined = new_values(d.get("values"), current)
    return {
        "status": d["status"],
        "note": d["note"],
        "who": d["who"],
        "at": d["at"],
        "run": d.get("run"),
        "values_signature": d.get("values_signature"),
        "new_values": joined,
        # A dismissal covers only the values the editor saw.
        "reopened": d["status"] == "dismissed" and bool(joined),
    }


def apply_decisions(
    conflicts: list[Conflict], db_path: str | Path | None, drop_dismissed: bool = False
) -> list[Conflict]:
    """Carry the store's decisions onto this run's conflicts.

    Sets ``Conflict.decision`` for every conflict an editor has decided. A
    dismissed conflict stays dismissed (and, with ``drop_dismissed``, is left
    out) unless a value joined it since the decision; then its decision is
    marked ``reopened`` and it is back for review. Without a store file the
    conflicts are returned unchanged (no file is created).
    """
    if db_path is None or not Path(db_path).exists():
        return conflicts
    latest = latest_decisions(db_path)
    out = []
    for c in conflicts:
        d = latest.get(c.id)
        if d is not None:
            c.decision = carried_decision(d, value_keys(c.values))
            if drop_dismissed and d["status"] == "dismissed" and not c.decision["reopened"]:
                continue
        out.append(c)
    return out


def decisions_for(conflicts: list[dict[str, Any]], db_path: str | Path) -> dict[str, dict[str, Any]]:
    """Carried decisions for conflicts given as dicts (conflicts.json entries), by id."""
    latest = latest_decisions(db_path, include_cleared=True)
    out = {}
    for c in conflicts:
        d = latest.get(c["id"])
        if d is not None:
            out[c["id"]] = carried_decision(d, value_keys(c.get("values") or []))
    return out


# -- files ------------------------------------------------------------------------


def read_decisions_file(path: str | Path) -> list[dict[str, Any]]:
    """The validated decisions of an exported file (``{"decisions": [...]}`` or a list)."""
    p = Path(path)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DecisionError("E454", f"{p}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DecisionError("E454", f"{p}: not a decisions file (JSON expected): {exc}") from None
    except RecursionError:
        raise DecisionError("E454", f"{p}: not a decisions file: JSON nested too deeply") from None
    entries = doc.get("decisions") if isinstance(doc, dict) else doc
    if not isinstance(entries, list):
        raise DecisionError("E454", f'{p}: expected {{"decisions": [...]}}')
    return [_check(e, f"{p}: decision {i + 1}") for i, e in enumerate(entries)]


def import_decisions(path: str | Path, db_path: str | Path = DEFAULT_DB) -> ImportResult:
    """Load an exported decisions file into the store.

    The whole file is validated first (one bad entry imports nothing).
    Entries already in the store (same conflict, status, note, who and time)
    are skipped, so importing the same file twice changes nothing.
    """
    entries = read_decisions_file(path)
    added = skipped = 0
    with connect(db_path) as con:
        for d in entries:
            dup = con.execute(
                "SELECT 1 FROM decisions WHERE conflict_id=? AND status=? AND note=? AND who=? AND at=?",
                (d["conflict"], d["status"], d["note"], d["who"], d["at"]),
            ).fetchone()
            if dup:
                skipped += 1
                continue
            _insert(con, d, "import")
            added += 1
    return ImportResult(added, skipped)


def export_decisions(db_path: str | Path = DEFAULT_DB, history: bool = False) -> dict[str, Any]:
    """The store's decisions as the file ``import_decisions`` reads (latest per conflict by default)."""
    rows = decision_history(db_path) if history else list(latest_decisions(db_path, include_cleared=True).values())
    return {"decisions": rows, "exported": now()}


# -- labels ---------------------------------------------------------------------------


def decisions_as_labels(db_path: str | Path = DEFAULT_DB, since: str | None = None) -> list[dict[str, Any]]:
    """Editors' verdicts as labels, one per conflict id.

    ``label`` is True for confirmed (a true positive: the sources really
    disagree) and False for dismissed (a false positive). Conflicts marked
    follow-up, or cleared, carry no label and are left out. ``since`` (an ISO
    date or time) keeps decisions made from then on, e.g. after a rules change.
    """
    try:
        cutoff = _check({"conflict": "x", "status": "open", "at": since}, "--since")["at"] if since else None
    except DecisionError:
        raise DecisionError("E452", f"--since {_show(since)}: not an ISO date or time in years 1 to 9999") from None
    out = []
    for cid, d in sorted(latest_decisions(db_path).items()):
        if d["status"] not in ("confirmed", "dismissed") or (cutoff and d["at"] < cutoff):
            continue
        out.append(
            {
                "conflict": cid,
                "label": d["status"] == "confirmed",
                "status": d["status"],
                "kind": d["kind"],
                "story": d["story"],
                "subject": d["subject"],
                "who": d["who"],
                "at": d["at"],
                "note": d["note"],
            }
        )
    return out


def label_precision(labels: list[dict[str, Any]]) -> dict[str, Any]:
    """Precision over labelled conflicts, overall and by kind: confirmed / (confirmed + dismissed)."""

    def block(ls: list[dict[str, Any]]) -> dict[str, Any]:
        tp = sum(1 for x in ls if x["label"])
        return {
            "labelled": len(ls),
            "confirmed": tp,
            "dismissed": len(ls) - tp,
            "precision": round(tp / len(ls), 4) if ls else None,
        }

    kinds = sorted({x.get("kind") or "unknown" for x in labels})
    return block(labels) | {
        "by_kind": {k: block([x for x in labels if (x.get("kind") or "unknown") == k]) for k in kinds}
    }
