"""The reference graph of a spec: which entity points at which, in what order tables are made.

Pure functions over `(entity name, ref field)` edges. A cycle of required refs could never get
its first row, so the validator refuses it; any other cycle is broken at an optional ref whose
target is in the same strongly connected component (its foreign key is added after both tables
exist, and the generated tests leave it empty).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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


def is_deferred(ref: Ref, component: dict[str, int]) -> bool:
    """An optional ref inside a cycle of other entities: its foreign key comes last."""
    return (
        not ref.field.required
        and ref.target != ref.source
        and ref.target in component
        and component.get(ref.source) == component[ref.target]
    )


def is_sampled(ref: Ref, component: dict[str, int]) -> bool:
    """Whether generated test rows point this ref at a parent row (not inside a cycle)."""
    return ref.target in component and not (
        not ref.field.required and component.get(ref.source) == component[ref.target]
    )


def required_cycles(names: Sequence[str], refs: Sequence[Ref]) -> list[list[Ref]]:
    """One cycle of required refs per strongly connected component that has one."""
    required = [r for r in refs if r.field.required]
    component = components(names, required)
    cycles: dict[int, list[Ref]] = {}
    for ref in required:
        number = component.get(ref.source)
        if number is not None and component.get(ref.target) == number and number not in cycles:
            cycles[number] = _path(ref, required)
    return list(cycles.values())


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
    its order (and its migration history). Deferred and self refs impose no order.
    """
    component = components(names, refs)
    needs: dict[str, set[str]] = {n: set() for n in names}
    for ref in refs:
        if ref.target in needs and ref.target != ref.source and not is_deferred(ref, component):
            needs[ref.source].add(ref.target)
    order: list[str] = []
    done: set[str] = set()
    while len(order) < len(names):
        ready = [n for n in names if n not in done and needs[n] <= done]
        if not ready:  # only a refused cycle of required refs gets here
            ready = [n for n in names if n not in done]
        order.append(ready[0])
        done.add(ready[0])
    return order
