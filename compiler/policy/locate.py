"""Sharper locations for findings inside values the spec passes through whole.

The compiler maps each Katib path to the spec line it came from, but a mapping the short form
copies as it is (`trial.container`, `trial.pod`, `trial.job`) is mapped at its top only: a
finding about `pod.volumes[0].hostPath` would point at the `volumes` line. When the finding's
path exists in the Experiment but not in that map, the same sub-path is looked up in the spec
document below the spec value the nearest mapped ancestor came from.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from compiler.model.source import Document, Location, Path
from compiler.policy.engine import Evaluation, PolicyFinding
from compiler.policy.frozen import lookup


def needs_refining(located: Document, manifest: Mapping[str, Any], path: Path) -> bool:
    return bool(path) and path not in located.values and lookup(manifest, path) is not None


def refine(located: Document, spec: Document, path: Path) -> Location | None:
    """The spec location of `path`, found below the spec value of its nearest mapped ancestor."""
    for cut in range(len(path) - 1, 0, -1):
        anchor = located.values.get(path[:cut])
        if anchor is None:
            continue
        rest = path[cut:]
        sources = sorted(
            (p for p, where in spec.values.items() if where == anchor), key=len, reverse=True
        )
        for source in sources:
            found = spec.values.get((*source, *rest)) or _nth(spec, source, rest)
            if found is not None:
                return found
        return None
    return None


def _nth(spec: Document, source: Path, rest: Path) -> Location | None:
    """A mapping the compiler turned into a list of {name, value} (`env: {NAME: value}`):
    item i is the mapping's i-th key."""
    if not isinstance(rest[0], int) or rest[1:] not in ((), ("value",), ("name",)):
        return None
    n = len(source)
    children = [p for p in spec.values if len(p) == n + 1 and p[:n] == source]
    if rest[0] >= len(children):
        return None
    child = children[rest[0]]
    return spec.keys.get(child) if rest[1:] == ("name",) else spec.values.get(child)


def refine_evaluation(
    evaluation: Evaluation,
    located: Document,
    manifest: Mapping[str, Any],
    spec: Callable[[], Document | None],
) -> Evaluation:
    """The evaluation with sharper locations; `spec` is read only when one is needed."""
    out: list[PolicyFinding] = []
    document: list[Document | None] = []
    for f in evaluation.findings:
        path = f.path
        if needs_refining(located, manifest, path):
            if not document:
                document.append(spec())
            better = refine(located, document[0], path) if document[0] is not None else None
            if better is not None:
                where = f.diagnostic.model_copy(update={"where": better})
                out.append(PolicyFinding(f.rule, where, path))
                continue
        out.append(f)
    return replace(evaluation, findings=tuple(out))
