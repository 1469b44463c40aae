"""PBT's lineage in a report (reference §6.8): each generation's trials and best, and the tree of
parent → child trials (a child starts from a copy of its parent's checkpoint folder).

It comes from each trial's `lineage` (the local backend) or, for a cluster's trials, from the
labels Katib's pbt service gives them (`pbt.suggestion.katib.kubeflow.org/generation` and
`/parent`). Rendered by the `_lineage.md.j2` partial.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from compiler.model.results import PBT_GENERATION, PBT_PARENT, Lineage, Results, TrialResult

MAX_LINES = 300  # the tree's; a longer one is cut, and says so
ORIGINS = ("random", "exploit", "explore", "retry")


@dataclass(frozen=True)
class Node:
    prefix: str  # the tree's drawing before the trial: "│  ├─ "
    trial: TrialResult
    lineage: Lineage
    values_from: int | None  # exploit: the index of the trial whose values it took


def lineage_of(t: TrialResult) -> Lineage | None:
    if t.lineage is not None:
        return t.lineage
    generation = t.labels.get(PBT_GENERATION, "")
    if not generation.isdigit():
        return None
    return Lineage(generation=int(generation), parent=t.labels.get(PBT_PARENT, ""))


def lineage(results: Results) -> dict[str, Any] | None:
    """The partial's context, or None when no trial has a lineage (not a PBT experiment)."""
    found = {t.name: (t, lin) for t in results.trials if (lin := lineage_of(t)) is not None}
    if not found:
        return None
    index = {t.name: t.index for t in results.trials}
    children: dict[str, list[str]] = defaultdict(list)
    roots = []
    for name, (_, lin) in found.items():
        if lin.parent in found:
            children[lin.parent].append(name)
        else:
            roots.append(name)
    nodes: list[Node] = []
    stack = [(name, "", "") for name in sorted(roots, key=index.__getitem__, reverse=True)]
    while stack and len(nodes) < MAX_LINES:
        name, prefix, below = stack.pop()
        t, lin = found[name]
        nodes.append(Node(prefix, t, lin, index.get(lin.values_from)))
        kids = sorted(children[name], key=index.__getitem__)
        for i, kid in reversed(list(enumerate(kids))):
            last = i == len(kids) - 1
            stack.append(
                (kid, below + ("└─ " if last else "├─ "), below + ("   " if last else "│  "))
            )
    return {
        "generations": _generations(results, found),
        "tree": nodes,
        "cut": len(found) - len(nodes),
    }


def _generations(
    results: Results, found: dict[str, tuple[TrialResult, Lineage]]
) -> list[dict[str, Any]]:
    sign = 1.0 if results.objective.type == "minimize" else -1.0
    by_generation: dict[int, list[tuple[TrialResult, Lineage]]] = defaultdict(list)
    for t, lin in found.values():
        by_generation[lin.generation].append((t, lin))
    out = []
    for generation in sorted(by_generation):
        members = sorted(by_generation[generation], key=lambda m: m[0].index)
        scored = [t for t, _ in members if t.objective is not None]
        best = min(scored, key=lambda t: (sign * float(t.objective or 0.0), t.index), default=None)
        made = Counter(lin.origin for _, lin in members if lin.origin)
        out.append(
            {
                "generation": generation,
                "trials": len(members),
                "succeeded": sum(1 for t, _ in members if t.state == "Succeeded"),
                "best": best,
                "made": ", ".join(f"{made[o]} {o}" for o in ORIGINS if made[o]),
            }
        )
    return out
