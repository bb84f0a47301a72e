"""Compare claims within stories; each kind's judgment lives in its own module.

``compare_all`` runs every registered comparator over the claim table and
returns conflicts in a stable order (so conflicts.json is byte-for-byte
reproducible for the same input).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from checker.compare.quantities import compare_quantities

if TYPE_CHECKING:
    import pandas as pd

    from checker.models import Conflict
    from checker.rules import Rules

Comparator = Callable[["pd.DataFrame", "Rules"], list["Conflict"]]


def comparators() -> dict[str, Comparator]:
    """Every conflict kind's comparator, by name; modules register here."""
    table: dict[str, Comparator] = {"quantity": compare_quantities}
    try:
        from checker.compare.people import compare_people

        table["people"] = compare_people
    except ImportError:
        pass
    try:
        from checker.compare.dates import compare_dates

        table["date"] = compare_dates
    except ImportError:
        pass
    try:
        from checker.compare.places import compare_places

        table["location"] = compare_places
    except ImportError:
        pass
    return table


def compare_all(df: pd.DataFrame, rules: Rules) -> list[Conflict]:
    """All conflicts in the claim table, sorted by story, kind and subject."""
    out: list[Conflict] = []
    if df.empty:
        return out
    for fn in comparators().values():
        out.extend(fn(df, rules))
    # Ids must be unique in a run; a clash (two scopes of one subject) gets a suffix.
    seen: dict[str, int] = {}
    for c in sorted(out, key=lambda c: (c.story, c.kind, c.subject, c.values[0].value)):
        n = seen.get(c.id, 0)
        seen[c.id] = n + 1
        if n:
            c.id = f"{c.id}-{n}"
    return sorted(out, key=lambda c: (c.story, c.kind, c.subject, c.id))
