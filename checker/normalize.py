"""One pandas table of claims, a row per claim, keyed by (story, subject, kind).

Everything downstream (compare, the per-story pivot in the report, the CSV)
reads this table, so the columns are the data contract's claim fields plus
``story`` and a JSON rendering of the nested ``scope``/``extra`` fields.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from checker.align import Facts
    from checker.models import Claim

COLUMNS = [
    "story", "article", "start", "end", "text", "sentence_start", "sentence_end", "kind",
    "subject", "value", "unit", "qualifier", "change", "low", "high", "attribution",
    "scope", "source", "published", "display",
]


def claims_table(claims: list[Claim], stories: dict[str, str], facts: Facts | None = None) -> pd.DataFrame:
    """The claim table; ``stories`` maps article id -> story id.

    With ``facts`` (checker/align.py), ``fact`` is the fact each claim states
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


def to_csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The table as written to claims.csv: nested fields as JSON strings."""
    out = df[COLUMNS].copy()
    for col in ("value", "scope"):
        out[col] = out[col].map(lambda v: v if isinstance(v, (str, int, float)) or v is None else json.dumps(v, ensure_ascii=False))
    return out.sort_values(["story", "article", "start", "end", "kind"], kind="stable")


def story_pivot(df: pd.DataFrame, story: str) -> pd.DataFrame:
    """Subjects down, sources across, each cell the value(s) that source gives."""
    sub = df[(df["story"] == story) & (df["kind"] == "quantity")]
    if sub.empty:
        return pd.DataFrame()
    sub = sub.assign(shown=sub["display"].fillna(sub["text"]))
    return sub.pivot_table(index="subject", columns="source", values="shown", aggfunc=lambda s: " / ".join(dict.fromkeys(s)))
