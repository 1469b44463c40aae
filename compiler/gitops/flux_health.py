"""Flux health checks for Katib (the single source; `katib-gitops gitops flux` embeds them).

`Kustomization.spec.healthCheckExprs` entries, evaluated by kustomize-controller with
fluxcd/pkg/runtime/cel (RFC-0009): `inProgress` first, then `failed`, then `current`; an
evaluation error makes the object's status Unknown. Katib's conditions decide (Katib reference
§7.1 Experiment, §7.2 Trial): Succeeded is Current, Failed is Failed, anything else is
InProgress, the same mapping as the Argo CD checks in deploy/argocd/resource_customizations/.

Flux hands each expression the object's top-level fields as variables, and a variable that is
absent is an error that no CEL guard catches (`has(status)` does not parse). An object Katib
has not reconciled yet has no `status` at all: the API server drops it on create. So each
expression first asks, from `metadata` alone, whether a status can exist yet:

* `metadata.finalizers`: Katib's controllers add their finalizer (reference §2.2) in a
  reconcile of its own, before any status (Reconcile in experiment_controller.go and
  trial_controller.go returns after adding it), so without it there is no status;
* `metadata.managedFields`, when the reader keeps them: no entry for the status subresource
  means nobody has written a status (the CRDs have a status subresource, so that is the only
  way in). This covers the moment between the finalizer and the first status.

`false && <error>` is false and `true || <error>` is true in CEL, so with either sign of "no
status yet" every expression evaluates without touching `status`. Only when the finalizer is
there, managedFields are stripped and the status is not written yet is the result Unknown; Flux
waits on Unknown as on InProgress.

Only Experiments are applied from Git, so only they are in a Kustomization's inventory and only
their check goes into `HEALTH_CHECK_EXPRS`; Katib creates the Trials (`TRIAL_HEALTH_CHECK` is
here for tools that read trials too).
"""

from __future__ import annotations

from typing import Final

API_VERSION: Final = "kubeflow.org/v1beta1"

#: One entry of a Flux Kustomization's `spec.healthCheckExprs`: apiVersion, kind, current,
#: inProgress, failed (a plain dict, so that it is a Mapping[str, str] for the YAML writer).
HealthCheckExpr = dict[str, str]


def _true(condition: str) -> str:
    """Katib's condition of this type is True (conditions are a list-map by type)."""
    return (
        "status.?conditions.orValue([]).exists(c, "
        f"c.?type.orValue('') == '{condition}' && c.?status.orValue('') == 'True')"
    )


def _no_status_yet(finalizer: str) -> str:
    """True only when the object cannot have a status yet; never reads `status`."""
    return (
        f"(!metadata.?finalizers.orValue([]).exists(f, f == '{finalizer}') || "
        "(metadata.?managedFields.hasValue() && "
        "!metadata.managedFields.exists(m, m.?subresource.orValue('') == 'status')))"
    )


def _check(kind: str, finalizer: str, current: str, failed: str) -> HealthCheckExpr:
    waiting = _no_status_yet(finalizer)
    return {
        "apiVersion": API_VERSION,
        "kind": kind,
        "current": f"!{waiting} && ({current})",
        "inProgress": f"{waiting} || !(({current}) || ({failed}))",
        "failed": f"!{waiting} && ({failed})",
    }


#: Experiment: Failed=True is Failed (checked before current, as in the Argo CD check);
#: Succeeded=True is Current; Created, Running, Restarting (never removed, §7.1) are InProgress.
EXPERIMENT_HEALTH_CHECK: Final = _check(
    "Experiment",
    "update-prometheus-metrics",
    current=_true("Succeeded"),
    failed=_true("Failed"),
)

#: Trial, in Katib's classification order (§5.7: Killed, Failed, Succeeded, EarlyStopped,
#: Running, MetricsUnavailable): Succeeded and EarlyStopped are Current; Killed, Failed and
#: MetricsUnavailable (unless Running, Succeeded or EarlyStopped come first) are Failed.
_TRIAL_FAILED = " || ".join(
    [
        _true("Killed"),
        _true("Failed"),
        f"({_true('MetricsUnavailable')} && !{_true('Running')} && "
        f"!{_true('Succeeded')} && !{_true('EarlyStopped')})",
    ]
)
TRIAL_HEALTH_CHECK: Final = _check(
    "Trial",
    "clean-metrics-in-db",
    current=f"!({_true('Killed')} || {_true('Failed')}) && "
    f"({_true('Succeeded')} || {_true('EarlyStopped')})",
    failed=_TRIAL_FAILED,
)

#: What a Kustomization that applies generated/ lists in `spec.healthCheckExprs`.
HEALTH_CHECK_EXPRS: Final[tuple[HealthCheckExpr, ...]] = (EXPERIMENT_HEALTH_CHECK,)
