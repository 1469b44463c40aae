"""How one revision of an experiment differs from another: the one classification that `plan`
(Git against the cluster) and `diff` (Git against Git) share. Pure.

Katib lets an existing Experiment change only its budget (`parallelTrialCount`, `maxTrialCount`,
`maxFailedTrialCount`) and its metadata; every other spec field is immutable (reference §3.3,
rule U-3, and §10.1). So a change is:

    added       no before
    removed     no after
    unchanged   the same spec and the same labels and annotations
    in-place    only the budget or the metadata differ: Katib takes it as an update
    replace     an immutable field differs: a new Experiment is needed (`fields` lists them)

`fields` are Katib's field paths with the value before and after. Items of lists whose entries
all have a distinct `name` (parameters, trialParameters, metricStrategies, settings, ...) are
named by it, `spec.parameters[lr].feasibleSpace.max`, so that inserting one parameter does not
show as a change of every later one; other lists are compared item by item when their lengths
agree, and whole otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from compiler.pipeline import EDITABLE

Change = Literal["added", "removed", "in-place", "replace", "unchanged"]
ADDED: Change = "added"
REMOVED: Change = "removed"
IN_PLACE: Change = "in-place"
REPLACE: Change = "replace"
UNCHANGED: Change = "unchanged"

#: metadata Katib lets change in place (§3.3); name and namespace identify the object
MUTABLE_METADATA = ("labels", "annotations")
_ABSENT: Any = None


@dataclass(frozen=True)
class FieldChange:
    path: str  # Katib's field path, e.g. spec.algorithm.algorithmName
    before: Any = _ABSENT  # None when the field is absent before
    after: Any = _ABSENT  # None when the field is absent after

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "before": self.before, "after": self.after}


@dataclass(frozen=True)
class Comparison:
    change: Change
    fields: tuple[FieldChange, ...] = ()  # immutable fields for replace; the rest otherwise
    in_place: tuple[FieldChange, ...] = ()  # budget and metadata changes, whatever `change` is

    @property
    def budget(self) -> tuple[FieldChange, ...]:
        return tuple(f for f in self.in_place if f.path.startswith("spec."))


def compare(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> Comparison:
    """Classify the change from one Experiment manifest to another (status is ignored)."""
    if before is None and after is None:
        return Comparison(UNCHANGED)
    if before is None:
        return Comparison(ADDED)
    if after is None:
        return Comparison(REMOVED)
    old_spec, new_spec = _mapping(before.get("spec")), _mapping(after.get("spec"))
    immutable = tuple(
        diff(
            {k: v for k, v in old_spec.items() if k not in EDITABLE},
            {k: v for k, v in new_spec.items() if k not in EDITABLE},
            "spec",
        )
    )
    editable = [
        FieldChange(f"spec.{k}", old_spec.get(k), new_spec.get(k))
        for k in EDITABLE
        if old_spec.get(k) != new_spec.get(k)
    ]
    old_meta, new_meta = _mapping(before.get("metadata")), _mapping(after.get("metadata"))
    for key in MUTABLE_METADATA:
        editable += diff(
            _mapping(old_meta.get(key)), _mapping(new_meta.get(key)), f"metadata.{key}", depth=1
        )
    if immutable:
        return Comparison(REPLACE, immutable, tuple(editable))
    if editable:
        return Comparison(IN_PLACE, tuple(editable), tuple(editable))
    return Comparison(UNCHANGED)


def diff(before: Any, after: Any, path: str, depth: int = -1) -> Iterator[FieldChange]:
    """The leaves that differ, by Katib path; `depth` limits how far maps are opened."""
    if before == after:
        return
    if isinstance(before, Mapping) and isinstance(after, Mapping) and depth != 0:
        for key in _keys(before, after):
            yield from diff(
                before.get(key, _ABSENT), after.get(key, _ABSENT), _join(path, key), depth - 1
            )
        return
    if _lists(before, after) and depth != 0:
        named_before, named_after = _named(before), _named(after)
        if named_before is not None and named_after is not None:
            for key in _keys(named_before, named_after):
                yield from diff(
                    named_before.get(key, _ABSENT),
                    named_after.get(key, _ABSENT),
                    f"{path}[{key}]",
                    depth - 1,
                )
            return
        if len(before) == len(after) and any(isinstance(x, Mapping) for x in before):
            for i, (b, a) in enumerate(zip(before, after, strict=True)):
                yield from diff(b, a, f"{path}[{i}]", depth - 1)
            return
    yield FieldChange(path, before, after)


def _keys(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Keys in the order they come: before's, then those only after has."""
    return [*before, *(k for k in after if k not in before)]


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if key.replace("-", "").replace("_", "").isalnum() else f"{path}[{key}]"


def _lists(before: Any, after: Any) -> bool:
    return (
        isinstance(before, Sequence)
        and isinstance(after, Sequence)
        and not (isinstance(before, str) or isinstance(after, str))
    )


def _named(items: Sequence[Any]) -> dict[str, Any] | None:
    """The items by their `name`, when every item is a map with a distinct name."""
    if not items or not all(
        isinstance(x, Mapping) and isinstance(x.get("name"), str) for x in items
    ):
        return None
    named = {str(x["name"]): x for x in items}
    return named if len(named) == len(items) else None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
