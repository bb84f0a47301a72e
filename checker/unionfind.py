"""Union-find: the one way checker puts linked things into groups.

People who are one person, clocks of one contest, dates of one incident and
streets of one name are each grouped by pairwise links; the groups are the
connected components of those links.
"""

from __future__ import annotations

from collections.abc import Iterable


class UnionFind:
    """Items 0..n-1, joined by :meth:`union`; :meth:`groups` lists the components."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[int]]:
        """The components, each in index order, ordered by their first item."""
        out: dict[int, list[int]] = {}
        for i in range(len(self.parent)):
            out.setdefault(self.find(i), []).append(i)
        return list(out.values())


def components(n: int, links: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Indices 0..n-1 in connected groups, given the linked pairs."""
    uf = UnionFind(n)
    for i, j in links:
        uf.union(i, j)
    return uf.groups()
