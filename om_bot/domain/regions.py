"""Region nesting: which regions lie inside which (München in Bayern in Süddeutschland).

Plain functions over (region, containing region) pairs, so the rules are testable without a
database. A region may lie inside several others (the Harz spans three Bundesländer).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable


def _walk(start: int, edges: dict[int, set[int]]) -> set[int]:
    seen = {start}
    todo = [start]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def innerhalb(region_id: int, kanten: Iterable[tuple[int, int]]) -> set[int]:
    """`region_id` and every region that lies (directly or indirectly) inside it."""
    children: dict[int, set[int]] = defaultdict(set)
    for child, parent in kanten:
        children[parent].add(child)
    return _walk(region_id, children)


def umfassend(region_id: int, kanten: Iterable[tuple[int, int]]) -> set[int]:
    """`region_id` and every region it lies inside."""
    parents: dict[int, set[int]] = defaultdict(set)
    for child, parent in kanten:
        parents[child].add(parent)
    return _walk(region_id, parents)


def ueberlappen(a: int, b: int, kanten: Iterable[tuple[int, int]]) -> bool:
    """Whether one of the regions lies inside the other (or they are the same)."""
    pairs = list(kanten)
    return b in innerhalb(a, pairs) or a in innerhalb(b, pairs)
