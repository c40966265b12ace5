"""The reference graph of a spec: which entity points at which, in what order tables are made.

Pure functions over `(entity name, ref field)` edges. A cycle of required refs could never get
its first row, and a cycle through several entities would need a foreign key added after both
tables exist; the validator refuses both. A self-reference (a tree) is fine.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generators.model import Entity, Field


@dataclass(frozen=True)
class Ref:
    """One `ref` field: who holds it, which field, which entity it points at."""

    source: str
    field: Field

    @property
    def target(self) -> str:
        return self.field.entity or ""


def refs_of(entity: Entity) -> tuple[Ref, ...]:
    """The entity's ref fields, in field order."""
    return tuple(Ref(entity.name, f) for f in entity.fields if f.type == "ref" and f.entity)


def components(names: Sequence[str], refs: Iterable[Ref]) -> dict[str, int]:
    """Each entity's strongly connected component (Tarjan), numbered; unknown targets ignored."""
    edges: dict[str, list[str]] = {n: [] for n in names}
    for ref in refs:
        if ref.source in edges and ref.target in edges:
            edges[ref.source].append(ref.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: dict[str, int] = {}

    def visit(start: str) -> None:
        # iterative Tarjan: specs may hold hundreds of entities, recursion could overflow
        work = [(start, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            if i < len(edges[node]):
                work.append((node, i + 1))
                nxt = edges[node][i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                number = len(set(found.values()))
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    found[member] = number
                    if member == node:
                        break
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])

    for name in names:
        if name not in index:
            visit(name)
    return found


def is_sampled(ref: Ref, names: Collection[str]) -> bool:
    """Whether generated test rows point this ref at a parent row (self-references stay
    empty: a tree's rows are made by the tests themselves)."""
    return ref.target in names and ref.target != ref.source


def cycles(names: Sequence[str], refs: Sequence[Ref]) -> list[list[Ref]]:
    """One cycle per strongly connected component that has one: of required refs when there
    is such a cycle (it could never get a first row), else through at least two entities
    (self-references, a tree, are no cycle here)."""
    found: list[list[Ref]] = []
    covered: set[str] = set()
    required = [r for r in refs if r.field.required]
    across = [r for r in refs if r.source != r.target]
    for kind in (required, across):
        component = components(names, kind)
        for ref in kind:
            number = component.get(ref.source)
            if number is None or component.get(ref.target) != number or ref.source in covered:
                continue
            found.append(_path(ref, kind))
            covered |= _members(component, number)
    return found


def _members(component: dict[str, int], number: int) -> set[str]:
    return {name for name, n in component.items() if n == number}


def _path(first: Ref, refs: Sequence[Ref]) -> list[Ref]:
    """The cycle through `first`: follow required refs back to its source (breadth first)."""
    by_source: dict[str, list[Ref]] = {}
    for ref in refs:
        by_source.setdefault(ref.source, []).append(ref)
    came: dict[str, Ref] = {}
    queue = [first.target]
    seen = {first.target}
    while queue and first.source not in seen:
        node = queue.pop(0)
        for ref in by_source.get(node, []):
            if ref.target not in seen:
                seen.add(ref.target)
                came[ref.target] = ref
                queue.append(ref.target)
    chain = [first]
    node = first.source
    while node != first.target and node in came:
        chain.insert(1, came[node])
        node = came[node].source
    return chain


def creation_order(names: Sequence[str], refs: Sequence[Ref]) -> list[str]:
    """Entity names so that each table comes after the tables its foreign keys need.

    Stable: among the entities that are ready, spec order wins, so a spec without refs keeps
    its order (and its migration history). Self-references impose no order.
    """
    needs: dict[str, set[str]] = {n: set() for n in names}
    for ref in refs:
        if ref.target in needs and ref.target != ref.source:
            needs[ref.source].add(ref.target)
    order: list[str] = []
    done: set[str] = set()
    while len(order) < len(names):
        ready = [n for n in names if n not in done and needs[n] <= done]
        if not ready:  # only a refused cycle gets here
            ready = [n for n in names if n not in done]
        order.append(ready[0])
        done.add(ready[0])
    return order
