"""One pandas table of claims, a row per claim, keyed by (story, subject, kind).

Everything downstream (compare, the per-story pivot in the report, the CSV)
reads this table, so the columns are the data contract's claim fields plus
``story`` and a JSON rendering of the nested ``scope``/``extra`` fields.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import pandas as pd

if TYPE_CHECKING:
    from checker.models import Claim
    from checker.resolve.align import Facts

COLUMNS = [
    "story",
    "article",
    "start",
    "end",
    "text",
    "sentence_start",
    "sentence_end",
    "kind",
    "subject",
    "value",
    "unit",
    "qualifier",
    "change",
    "low",
    "high",
    "attribution",
    "scope",
    "source",
    "published",
    "display",
    "published_estimate",
    "published_basis",
]


def claims_table(claims: list[Claim], stories: dict[str, str], facts: Facts | None = None) -> pd.DataFrame:
    """The claim table; ``stories`` maps article id -> story id.

    With ``facts`` (checker/resolve/align.py), ``fact`` is the fact each claim states
    and ``fact_subject`` that fact's description; compare groups by them.
    """
    rows = []
    for i, c in enumerate(claims):
        d = dict(vars(c))  # shallow: asdict's deep copy costs seconds on a night's claims
        d["story"] = stories.get(c.article, "")
        d["claim"] = c
        d["idx"] = i
        if facts is not None:
            d["fact"] = facts.of(c) or ""  # "": not aligned, compare keys it as before
            d["fact_subject"] = facts.subject.get(d["fact"], "")
        rows.append(d)
    extra_cols = ["fact", "fact_subject"] if facts is not None else []
    df = pd.DataFrame(rows, columns=COLUMNS + ["extra", "claim", "idx"] + extra_cols)
    return df


def facts_of_claims(claims: list[Claim]) -> Facts | None:
    """The facts alignment stamped on the claims (``extra["fact"]``), or None when it stamped none.

    The judged claims come back from the per-story cache as JSON, so the fact
    each states travels on the claim itself; claims.csv and the story table
    read it from there.
    """
    from checker.resolve.align import Facts

    facts = Facts()
    for c in claims:
        key = c.extra.get("fact") if c.extra else None
        if key:
            facts.fact[id(c)] = key
            facts.subject.setdefault(key, c.extra.get("fact_subject") or c.subject)
    return facts if facts.fact else None


def to_csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The table as written to claims.csv: nested fields as JSON strings (and the fact, where aligned)."""
    out = df[COLUMNS + [c for c in ("fact", "fact_subject") if c in df.columns]].copy()
    for col in ("value", "scope"):
        out[col] = out[col].map(
            lambda v: v if isinstance(v, (str, int, float)) or v is None else json.dumps(v, ensure_ascii=False)
        )
    return out.sort_values(["story", "article", "start", "end", "kind"], kind="stable")


# --- the story table ------------------------------------------------------------------
# Subjects down, outlets across: what each outlet said about each thing the story is
# about. The report, ``checker table`` and its CSVs all read ``story_tables``.

KIND_ORDER = ("quantity", "date", "location", "title", "name")
# A conflict kind's claims are of this claim kind (others: the same name).
CONFLICT_CLAIM_KIND = {"name_spelling": "name"}
# What a cell entry carries, in this order (the page's compact arrays follow it).
ENTRY_FIELDS = ("value", "attribution", "article", "start", "end", "conflict", "role", "count")


def row_key(df: pd.DataFrame) -> str:
    """The column the table's rows are keyed by.

    The subject today. When alignment gives each claim the fact it states
    (a ``fact`` column), the fact is the key and the subject only its label:
    this is the one place that decides.
    """
    return "fact" if "fact" in df.columns else "subject"


def _conflict_parts(c: Any) -> tuple[str, str, str | None, list[tuple[str | None, list[dict[str, Any]]]]]:
    """(id, kind, hint, [(role, claim entries)]) of a Conflict or its conflicts.json dict."""
    if isinstance(c, dict):
        return (
            c["id"],
            c["kind"],
            c.get("hint"),
            [(v.get("role"), v.get("claims") or []) for v in c.get("values") or []],
        )
    return c.id, c.kind, c.hint, [(v.role, v.claims) for v in c.values]


def conflict_index(conflicts: Iterable[Any]) -> dict[tuple[str, int, int, str], tuple[str, str | None]]:
    """(article, start, end, claim kind) -> (conflict id, role of its value) for every quoted claim."""
    out: dict[tuple[str, int, int, str], tuple[str, str | None]] = {}
    for c in conflicts:
        cid, kind, _, values = _conflict_parts(c)
        ck = CONFLICT_CLAIM_KIND.get(kind, kind)
        for role, claims in values:
            for e in claims:
                out.setdefault((str(e["article"]), int(e["start"]), int(e["end"]), ck), (cid, role))
    return out


def story_cells(df: pd.DataFrame, conflicts: Iterable[Any] = ()) -> pd.DataFrame:
    """The claim table with each claim's place in its story's table.

    Adds ``row`` (the row key's value), ``column`` (the outlet, or the article
    where the outlet is unknown: its source is then the article id), ``shown``
    (the value as written, hedge and unit included), and ``conflict`` / ``role``
    (the conflict that quotes the claim, and majority / outlier).
    """
    key = row_key(df)
    out = df[["story", "article", "start", "end", "kind", "subject", "attribution", "source", "published"]].copy()
    if key == "subject":
        out["row"] = df["subject"].astype(str)
    else:
        # A claim the alignment left without a fact keeps a row of its own subject.
        f = df[key]
        out["row"] = (
            f.astype(object)
            .where(f.notna() & (f.astype(str) != ""), "subject:" + df["subject"].astype(str))
            .astype(str)
        )
    src = df["source"]
    known = src.notna() & (src.astype(str) != "") & (src.astype(str) != df["article"].astype(str))
    out["column"] = src.where(known, df["article"]).astype(str)
    out["outlet_known"] = known
    disp = df["display"]
    out["shown"] = disp.where(disp.notna() & (disp.astype(str) != ""), df["text"]).astype(str)
    for col in ("attribution", "published"):
        v = df[col]
        out[col] = v.astype(object).where(v.notna() & (v.astype(str) != ""), None)
    index = conflict_index(conflicts)
    keys = zip(
        df["article"].astype(str).tolist(),
        df["start"].astype(int).tolist(),
        df["end"].astype(int).tolist(),
        df["kind"].astype(str).tolist(),
    )
    hits = [index.get(k) for k in keys]
    out["conflict"] = pd.Series([h[0] if h else None for h in hits], index=df.index, dtype=object)
    out["role"] = pd.Series([h[1] if h else None for h in hits], index=df.index, dtype=object)
    return out


def _text(v: Any) -> str | None:
    """A cell field as text; None for missing (NaN from a CSV, None from claims)."""
    if v is None or (isinstance(v, float) and v != v):
        return None
    s = str(v)
    return s or None


class _Cell(NamedTuple):
    story: str
    column: str
    outlet_known: bool
    article: str
    published: Any
    kind: str
    row: str
    subject: str
    shown: str
    attribution: Any
    start: int
    end: int
    conflict: Any
    role: Any


def story_tables(
    df: pd.DataFrame, conflicts: Iterable[Any] = (), stories: Iterable[str] | None = None
) -> dict[str, dict[str, Any]]:
    """Every story's table (or only ``stories``'), by story id, as plain dicts.

    A table is ``{"story", "key", "columns", "rows"}``. Columns are outlets
    (articles where the outlet is unknown), earliest publication first:
    ``{"key", "outlet", "articles", "published"}``. Rows go by kind
    (quantities, dates, places, titles, names), those with a conflict first,
    then those most outlets give: ``{"key", "kind", "subject", "conflicts",
    "hints", "cells"}``, ``cells`` a list (one per column) of entries (dicts
    of ``ENTRY_FIELDS``) or None. A cell lists each value as written once
    (``count`` the times that outlet wrote it; ``article``/``start``/``end``
    its first quote), so a name said twenty times is one entry.
    """
    conflicts = list(conflicts)
    hints = {}
    for c in conflicts:
        cid, _, hint, _ = _conflict_parts(c)
        hints[cid] = hint
    if df.empty:
        return {}
    sub = df if stories is None else df[df["story"].isin(set(stories))]
    if sub.empty:
        return {}
    cells = story_cells(sub, conflicts)
    kind_rank = {k: i for i, k in enumerate(KIND_ORDER)}
    out: dict[str, dict[str, Any]] = {}
    cells = cells.sort_values(["story", "article", "start", "end"], kind="stable")
    # Plain lists: iterating pandas' string arrays row by row costs ten times more.
    names = list(_Cell._fields)
    by_story: dict[str, list[Any]] = {}
    for t in zip(*(cells[n].tolist() for n in names)):
        by_story.setdefault(t[0], []).append(_Cell(*t))
    by_subject = row_key(df) == "subject"
    for story, g in sorted(by_story.items()):
        columns: dict[str, dict[str, Any]] = {}
        seen: set[tuple[str, str]] = set()
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        for t in g:
            col = columns.get(t.column)
            if col is None:
                col = columns[t.column] = {
                    "key": t.column,
                    "outlet": bool(t.outlet_known),
                    "articles": [],
                    "published": None,
                }
            if (t.column, t.article) not in seen:
                seen.add((t.column, t.article))
                col["articles"].append(t.article)
            pub = t.published
            if pub and (col["published"] is None or pub < col["published"]):
                col["published"] = pub
            rk = (t.kind, t.row)
            row = rows.get(rk)
            if row is None:
                row = rows[rk] = {"key": t.row, "kind": t.kind, "subjects": {}, "conflicts": [], "by_col": {}}
            if not by_subject:
                row["subjects"][t.subject] = row["subjects"].get(t.subject, 0) + 1
            conflict, role = t.conflict, t.role
            if conflict and conflict not in row["conflicts"]:
                row["conflicts"].append(conflict)
            entries = row["by_col"].get(t.column)
            if entries is None:
                entries = row["by_col"][t.column] = {}
            ek = (t.shown, t.attribution, conflict, role)
            e = entries.get(ek)
            if e is not None:
                e["count"] += 1
            else:
                entries[ek] = {
                    "value": t.shown,
                    "attribution": t.attribution,
                    "article": t.article,
                    "start": t.start,
                    "end": t.end,
                    "conflict": conflict,
                    "role": role,
                    "count": 1,
                }
        order = sorted(columns.values(), key=lambda c: (c["published"] is None, c["published"] or "", c["key"]))
        pos = {c["key"]: i for i, c in enumerate(order)}
        table_rows = []
        for row in rows.values():
            cl: list[list[dict[str, Any]] | None] = [None] * len(order)
            for col, entries in row["by_col"].items():
                cl[pos[col]] = list(entries.values())
            # Keyed by fact, the label is the subject most of its claims carry.
            subject = row["key"] if by_subject else min(row["subjects"].items(), key=lambda kv: (-kv[1], kv[0]))[0]
            table_rows.append(
                {
                    "key": row["key"],
                    "kind": row["kind"],
                    "subject": subject,
                    "conflicts": row["conflicts"],
                    "hints": [h for h in (hints.get(c) for c in row["conflicts"]) if h],
                    "cells": cl,
                }
            )
        table_rows.sort(
            key=lambda r: (
                kind_rank.get(r["kind"], 9),
                not r["conflicts"],
                -sum(c is not None for c in r["cells"]),
                r["subject"],
                r["key"],
            )
        )
        out[story] = {
            "story": story,
            "key": "subject" if by_subject else row_key(df),
            "columns": order,
            "rows": table_rows,
        }
    return out


def cell_text(entries: list[dict[str, Any]] | None) -> str:
    """A cell as one line of text: each value as written once, `` / `` between."""
    return " / ".join(dict.fromkeys(e["value"] for e in entries or ()))


def table_frame(table: dict[str, Any]) -> pd.DataFrame:
    """One story's table as a DataFrame: ``kind``, ``subject``, ``conflicts``, then one column per outlet."""
    names = [c["key"] for c in table["columns"]]
    recs = []
    for r in table["rows"]:
        rec = {"kind": r["kind"], "subject": r["subject"]}
        if table.get("key") not in (None, "subject"):
            rec[table["key"]] = r["key"]
        rec["conflicts"] = " ".join(r["conflicts"])
        rec.update({n: cell_text(c) for n, c in zip(names, r["cells"])})
        recs.append(rec)
    head = ["kind", "subject"] + ([table["key"]] if table.get("key") not in (None, "subject") else []) + ["conflicts"]
    return pd.DataFrame(recs, columns=head + [n for n in names if n not in head])


def story_pivot(df: pd.DataFrame, story: str, conflicts: Iterable[Any] = ()) -> pd.DataFrame:
    """Subjects down, outlets across, each cell the values that outlet gives (empty when the story has no claims)."""
    table = story_tables(df, conflicts, [story]).get(story)
    return table_frame(table) if table else pd.DataFrame()


CSV_TEXT_COLUMNS = (
    "story",
    "article",
    "text",
    "kind",
    "subject",
    "unit",
    "qualifier",
    "change",
    "attribution",
    "source",
    "published",
    "display",
    "fact",
    "fact_subject",
)


def read_claims_csv(path: str | Path) -> pd.DataFrame:
    """claims.csv back as the claim table (without the Claim objects): what ``checker table`` reads."""
    df = pd.read_csv(
        path,
        dtype={c: "string" for c in CSV_TEXT_COLUMNS},
        keep_default_na=False,
        na_values={"low": [""], "high": [""]},
    )
    for c in CSV_TEXT_COLUMNS:
        if c in df.columns:
            df[c] = df[c].astype(object).where(df[c] != "", None)
    from checker.csvsafe import read_back_frame

    return read_back_frame(df)


def tables_from_run(run_dir: str | Path, story: str | None = None) -> dict[str, dict[str, Any]]:
    """The story tables of a finished run, rebuilt from its claims.csv and conflicts.json.

    Nothing is parsed again: claims.csv is the claim table, conflicts.json marks
    the cells its conflicts quote. ``story`` (an id, or a prefix of exactly one)
    keeps one story.
    """
    from checker.errors import CheckerError

    run = Path(run_dir)
    path = run / "claims.csv"
    if not path.is_file():
        raise CheckerError("E620", f"{path}: no claims.csv (run `checker run ... --out {run}` first)")
    try:
        df = read_claims_csv(path)
    except (ValueError, KeyError, pd.errors.ParserError) as exc:
        raise CheckerError("E623", f"{path}: not a claims.csv checker wrote: {exc}") from None
    missing = {"story", "article", "start", "end", "kind", "subject", "text", "display", "source"} - set(df.columns)
    if missing:
        raise CheckerError("E623", f"{path}: not a claims.csv checker wrote: no column {', '.join(sorted(missing))}")
    conflicts: list[dict[str, Any]] = []
    cpath = run / "conflicts.json"
    if cpath.is_file():
        try:
            conflicts = json.loads(cpath.read_text(encoding="utf-8")).get("conflicts") or []
        except (ValueError, AttributeError) as exc:
            raise CheckerError("E624", f"{cpath}: not JSON checker wrote: {exc}") from None
    wanted = None
    if story is not None:
        ids = sorted(set(df["story"].dropna()))
        wanted = [s for s in ids if s == story] or [s for s in ids if s.startswith(story)]
        if len(wanted) != 1:
            shown = ", ".join(wanted[:8] or ids[:8]) + (" ..." if len(wanted or ids) > 8 else "")
            what = "matches several stories" if wanted else "is not a story of this run"
            raise CheckerError("E621", f"--story {story!r} {what} (stories: {shown})")
    return story_tables(df, conflicts, wanted)


def table_file_name(story: str) -> str:
    """A file name for a story's CSV: the id where it is safe, else a cleaned id with a hash of it."""
    import re

    from checker.models import stable_id

    clean = re.sub(r"[^\w.-]+", "_", story).strip("._")[:80]
    return (clean if clean == story else f"{clean or 'story'}-{stable_id(story)[:8]}") + ".csv"
