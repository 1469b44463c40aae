"""Git's desired experiments against the live ones → a `Plan`, one `Action` per experiment.
Pure: the observation is data (`Observed`), the classification is `compiler.changes.compare`
(the same one `diff` uses), and Katib's own update rules judge an in-place edit (U-1..U-3,
reference §3.3, through `compiler.admission`).

    create     the experiment has no live revision
    in-place   only the budget or the metadata changed, and Katib takes the update
    replace    an immutable field changed: the old revision is archived, deleted, and the new
               one created (`fields` lists what changed)
    unchanged  the live object is what Git holds
    retire     an object of ours that Git no longer wants: its spec was removed, or a newer
               revision superseded it (deleted only with --prune, after its report is committed)
    blocked    the action cannot be carried out; `reason` says why and `hint` how to unblock it
    foreign    an object that is not ours has a name we want: it is never touched
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from compiler.changes import IN_PLACE, REPLACE, UNCHANGED, FieldChange, compare
from compiler.cluster.api import FIELD_MANAGER
from compiler.cluster.status import experiment_name
from compiler.desired import Desired, DesiredSet, owned
from compiler.render.manifests import REVISION_ANNOTATION, SPEC_ANNOTATION

ActionWord = Literal["create", "in-place", "replace", "unchanged", "retire", "blocked", "foreign"]
CREATE: ActionWord = "create"
IN_PLACE_ACTION: ActionWord = "in-place"
REPLACE_ACTION: ActionWord = "replace"
UNCHANGED_ACTION: ActionWord = "unchanged"
RETIRE: ActionWord = "retire"
BLOCKED: ActionWord = "blocked"
FOREIGN: ActionWord = "foreign"
ORDER: tuple[ActionWord, ...] = (
    CREATE,
    IN_PLACE_ACTION,
    REPLACE_ACTION,
    RETIRE,
    BLOCKED,
    FOREIGN,
    UNCHANGED_ACTION,
)
INJECTION_LABEL = "katib.kubeflow.org/metrics-collector-injection"  # reference §0.5


@dataclass(frozen=True)
class Observed:
    """What the cluster holds, as far as the plan needs it."""

    experiments: tuple[Mapping[str, Any], ...]  # every Experiment in the managed namespaces
    namespaces: Mapping[str, Mapping[str, str]]  # name → labels, for the namespaces that exist

    def by_name(self) -> dict[tuple[str, str], Mapping[str, Any]]:
        return {_ref(e): e for e in self.experiments}


#: Katib's answer to an edit, given the live object: the errors of its update rules (U-1..U-3)
UpdateCheck = Any  # Callable[[Mapping, Mapping], Sequence[Diagnostic]]; see `update_errors`


@dataclass(frozen=True)
class Action:
    action: ActionWord
    namespace: str
    name: str  # the object acted on: the desired one, or the live one for retire
    experiment: str  # the spec's name
    fields: tuple[FieldChange, ...] = ()
    reason: str = ""
    hint: str = ""
    desired: Desired | None = field(default=None, compare=False, repr=False)
    live: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)  # acted on
    replaces: str = ""  # replace: the old object's name

    @property
    def ref(self) -> str:
        return f"{self.namespace}/{self.name}"

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "namespace": self.namespace,
            "action": self.action,
            "fields": [f.as_dict() for f in self.fields],
            "reason": self.reason,
            "experiment": self.experiment,
        }
        if self.hint:
            out["hint"] = self.hint
        if self.replaces:
            out["replaces"] = self.replaces
        if self.desired is not None:
            out["revision"] = self.desired.revision
        return out


@dataclass(frozen=True)
class Plan:
    actions: tuple[Action, ...]

    def count(self, word: ActionWord) -> int:
        return sum(1 for a in self.actions if a.action == word)

    @property
    def changes(self) -> bool:
        return any(
            a.action in (CREATE, IN_PLACE_ACTION, REPLACE_ACTION, RETIRE) for a in self.actions
        )

    @property
    def stuck(self) -> bool:
        """A human must act: something is blocked or in the way."""
        return any(a.action in (BLOCKED, FOREIGN) for a in self.actions)

    def as_dict(self) -> dict[str, Any]:
        return {"actions": [a.as_dict() for a in self.actions]}


def make_plan(
    desired: DesiredSet,
    observed: Observed,
    update_errors: UpdateCheck,
    managed: Sequence[str] = (),
) -> Plan:
    """`managed`: namespaces whose objects of ours are ours to retire (the desired ones and
    those of our inventory); `update_errors(desired, live)` gives Katib's U-rule errors."""
    by_name = observed.by_name()
    revisions = _owned_by_experiment(observed.experiments, desired)
    actions: list[Action] = []
    wanted: set[tuple[str, str]] = set()
    for d in desired.experiments:
        wanted.add((d.namespace, d.name))
        actions.append(_for_desired(d, by_name, revisions.get(d.key, []), observed, update_errors))
    spaces = set(managed) | {d.namespace for d in desired.experiments}
    keys = desired.by_key()
    for exp in observed.experiments:
        ref = _ref(exp)
        if ref in wanted or ref[0] not in spaces or not owned(exp) or _deleting(exp):
            continue
        if any(a.replaces == ref[1] and a.namespace == ref[0] for a in actions):
            continue  # the replace deletes it
        actions.append(_retire(exp, keys.get((ref[0], experiment_name(exp)))))
    return Plan(tuple(sorted(actions, key=lambda a: (ORDER.index(a.action), a.namespace, a.name))))


def _for_desired(
    d: Desired,
    by_name: Mapping[tuple[str, str], Mapping[str, Any]],
    revisions: Sequence[Mapping[str, Any]],
    observed: Observed,
    update_errors: UpdateCheck,
) -> Action:
    live = by_name.get((d.namespace, d.name))
    if live is not None and not _ours(live, d):
        return _foreign(d, live)
    if live is not None and _deleting(live):
        return Action(
            BLOCKED,
            d.namespace,
            d.name,
            d.experiment,
            reason="it is being deleted (Katib's controller removes its finalizer first)",
            hint="nothing to do: a later pass creates it once the old object is gone",
            desired=d,
            live=live,
        )
    blocked = _namespace_problem(d, observed)
    if blocked is not None:
        return blocked
    if live is not None:
        return _for_live(d, live, update_errors)
    older = [r for r in revisions if _ref(r) != (d.namespace, d.name) and not _deleting(r)]
    if not older:
        return Action(CREATE, d.namespace, d.name, d.experiment, desired=d, reason="new experiment")
    old = max(older, key=_created)
    c = compare(_comparable(old, d.manifest), d.manifest)
    return Action(
        REPLACE_ACTION,
        d.namespace,
        d.name,
        d.experiment,
        c.fields or c.in_place,
        reason=f"revision {_revision(old) or '?'} → {d.revision}: Katib cannot change "
        + (", ".join(f.path for f in c.fields) or "these fields")
        + " in place; the old revision's report is committed, then it is deleted",
        desired=d,
        live=old,
        replaces=_ref(old)[1],
    )


def _for_live(d: Desired, live: Mapping[str, Any], update_errors: UpdateCheck) -> Action:
    c = compare(_comparable(live, d.manifest), d.manifest)
    if c.change == UNCHANGED:
        return Action(UNCHANGED_ACTION, d.namespace, d.name, d.experiment, desired=d, live=live)
    if c.change == IN_PLACE:
        errors = list(update_errors(d.manifest, live))
        if errors:
            return Action(
                BLOCKED,
                d.namespace,
                d.name,
                d.experiment,
                c.fields,
                reason="Katib refuses the edit: " + "; ".join(e.message for e in errors),
                hint=errors[0].hint
                or "raise maxTrialCount above status.trials, or change the spec so that a "
                "new revision replaces this one",
                desired=d,
                live=live,
            )
        return Action(
            IN_PLACE_ACTION,
            d.namespace,
            d.name,
            d.experiment,
            c.fields,
            reason="Katib takes these fields in place",
            desired=d,
            live=live,
        )
    assert c.change == REPLACE
    if _revision(live) == d.revision:
        # the same revision, yet the immutable fields differ: not an edit in Git but a
        # cluster that stores another form (another Katib version's defaults?). Never loop
        # on delete and create: stop and say so.
        return Action(
            BLOCKED,
            d.namespace,
            d.name,
            d.experiment,
            c.fields,
            reason=f"the live object differs from generated/ in fields Katib cannot change in "
            f"place, although both are revision {d.revision}: this cluster's Katib stores "
            "another form of the spec",
            hint="compare `kubectl get experiment -o yaml` with generated/; check the Katib "
            "version (katib-gitops follows Katib v0.19)",
            desired=d,
            live=live,
        )
    return Action(
        REPLACE_ACTION,
        d.namespace,
        d.name,
        d.experiment,
        c.fields,
        reason=f"revision {_revision(live) or '?'} → {d.revision} under the same name: the old "
        "one's report is committed, then it is deleted and the new one created",
        desired=d,
        live=live,
        replaces=d.name,
    )


def _retire(exp: Mapping[str, Any], successor: Desired | None) -> Action:
    ns, name = _ref(exp)
    reason = (
        f"superseded by revision {successor.revision} ({successor.name})"
        if successor is not None
        else "its spec was removed from Git"
    )
    return Action(
        RETIRE,
        ns,
        name,
        experiment_name(exp),
        reason=reason + "; deleted with --prune once its report is committed",
        live=exp,
    )


def _foreign(d: Desired, live: Mapping[str, Any]) -> Action:
    spec = str(((live.get("metadata") or {}).get("annotations") or {}).get(SPEC_ANNOTATION, ""))
    why = (
        f"it is managed from another spec ({spec})"
        if owned(live)
        else "it was not made by katib-gitops (no katib-gitops.dev/managed label)"
    )
    return Action(
        FOREIGN,
        d.namespace,
        d.name,
        d.experiment,
        reason=f"Experiment {d.namespace}/{d.name} exists and {why}: it is never touched",
        hint="rename the spec, or delete that Experiment yourself if it is not needed",
        desired=d,
        live=live,
    )


def _namespace_problem(d: Desired, observed: Observed) -> Action | None:
    labels = observed.namespaces.get(d.namespace)
    label = f"{INJECTION_LABEL}=enabled"
    if labels is None:
        reason = f"namespace {d.namespace} does not exist"
        hint = (
            f"kubectl create namespace {d.namespace} && "
            f"kubectl label namespace {d.namespace} {label}"
        )
    elif labels.get(INJECTION_LABEL) != "enabled":
        # Katib's webhook refuses experiments there, creates and updates alike (H-2, §0.5)
        reason = f"namespace {d.namespace} lacks Katib's label {INJECTION_LABEL}: enabled"
        hint = f"kubectl label namespace {d.namespace} {label}"
    else:
        return None
    return Action(BLOCKED, d.namespace, d.name, d.experiment, reason=reason, hint=hint, desired=d)


def _owned_by_experiment(
    experiments: Sequence[Mapping[str, Any]], desired: DesiredSet
) -> dict[tuple[str, str], list[Mapping[str, Any]]]:
    sources = {d.key: d.source for d in desired.experiments}
    out: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for e in experiments:
        key = (_ref(e)[0], experiment_name(e))
        if owned(e) and _annotation(e, SPEC_ANNOTATION) == sources.get(key):
            out.setdefault(key, []).append(e)
    return out


def _ours(live: Mapping[str, Any], d: Desired) -> bool:
    return owned(live) and _annotation(live, SPEC_ANNOTATION) == d.source


def _comparable(live: Mapping[str, Any], wanted: Mapping[str, Any]) -> dict[str, Any]:
    """The live object as `compare` should see it: its spec, and those labels and annotations
    that Git sets or that our field manager set before (so a key removed from Git shows).
    Keys others add (ArgoCD's tracking annotation, kubectl's last-applied) are not ours to
    judge, nor are Katib's finalizer and status."""
    meta, want = live.get("metadata") or {}, wanted.get("metadata") or {}
    ours = _managed_keys(live)
    return {
        "metadata": {
            k: {
                x: y
                for x, y in (meta.get(k) or {}).items()
                if x in (want.get(k) or {}) or x in ours.get(k, set())
            }
            for k in ("labels", "annotations")
        },
        "spec": live.get("spec") or {},
    }


def _managed_keys(live: Mapping[str, Any]) -> dict[str, set[str]]:
    """The labels and annotations FIELD_MANAGER owns, from managedFields (fieldsV1: keys are
    "f:<name>")."""
    out: dict[str, set[str]] = {"labels": set(), "annotations": set()}
    for entry in (live.get("metadata") or {}).get("managedFields") or []:
        if not isinstance(entry, Mapping) or entry.get("manager") != FIELD_MANAGER:
            continue
        meta = (entry.get("fieldsV1") or {}).get("f:metadata") or {}
        for k in out:
            out[k] |= {x[2:] for x in meta.get(f"f:{k}") or {} if x.startswith("f:")}
    return out


def _deleting(obj: Mapping[str, Any]) -> bool:
    return bool((obj.get("metadata") or {}).get("deletionTimestamp"))


def _ref(obj: Mapping[str, Any]) -> tuple[str, str]:
    meta = obj.get("metadata") or {}
    return (str(meta.get("namespace", "")), str(meta.get("name", "")))


def _annotation(obj: Mapping[str, Any], key: str) -> str:
    return str(((obj.get("metadata") or {}).get("annotations") or {}).get(key, ""))


def _revision(obj: Mapping[str, Any]) -> str:
    return _annotation(obj, REVISION_ANNOTATION)


def _created(obj: Mapping[str, Any]) -> tuple[str, str]:
    meta = obj.get("metadata") or {}
    return (str(meta.get("creationTimestamp", "")), str(meta.get("name", "")))
