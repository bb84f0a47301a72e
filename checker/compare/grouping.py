"""Greedy grouping, shared by every comparator.

Claims are grouped in a stable order: each joins the first group it fits,
else starts its own. Comparators differ only in what "fits" means (the same
figure, a compatible office, the same spelling, a nested place).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")


def greedy_groups(items: Iterable[T], fits: Callable[[T, list[T]], bool]) -> list[list[T]]:
    """Groups of ``items``: each item joins the first group ``fits`` accepts."""
    groups: list[list[T]] = []
    for item in items:
        for g in groups:
            if fits(item, g):
                g.append(item)
                break
        else:
            groups.append([item])
    return groups
