"""CSV cells a spreadsheet will not run: formula injection neutralised (OWASP).

claims.csv carries text from untrusted articles and their metadata (ids,
outlet names, attributions, quoted text). A cell starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return is read by Excel, LibreOffice and
Google Sheets as a formula (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``)
when a fact-checker opens the file. OWASP's advice is to prefix such cells
with a single quote, which spreadsheets show as text. Numbers stay numbers:
numeric cells are left alone, and so is text that is exactly a number
("-12", "+3.5e2"), which a spreadsheet reads as that number, never as a
formula. Every CSV checker writes goes through :func:`safe_csv_frame`.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells (and column names) are safe to open in a spreadsheet."""
    out = df.copy()
    for col in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col])):
            out[col] = out[col].map(safe_cell)
    out.columns = [safe_cell(c) if isinstance(c, str) else c for c in out.columns]
    return out


def read_back_cell(value: Any) -> Any:
    """The text :func:`safe_cell` was given: the guarding ``'`` taken off again.

    For checker's own readers of its CSV files (``checker table`` rebuilds from
    claims.csv), so a qualifier ``=`` or an id ``-W-1`` comes back as written.
    """
    if isinstance(value, str) and value.startswith("'") and value[1:2] and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def read_back_frame(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` read from a CSV that :func:`safe_csv_frame` wrote, with its text cells as they were."""
    out = df.copy()
    for col in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col])):
            out[col] = out[col].map(read_back_cell)
    return out
