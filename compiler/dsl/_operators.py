"""Trials run by Kubeflow's training operators: `tfjob`, `pytorchjob`, `mpijob`, `xgboostjob`
(replicas by type, or `workers`), and Kubeflow Trainer's `trainjob`. Their other arguments are
those of `job`."""

from __future__ import annotations

from compiler.dsl._sites import _here
from compiler.dsl._trials import _trial

TYPE_CHECKING = False  # typing itself costs milliseconds the sandboxed child need not pay
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

    from compiler.dsl._parts import Part
    from compiler.dsl._trials import Env, TrialParameters


def tfjob(
    image: str | None = None,
    command: Sequence[str] | None = None,
    args: Sequence[str] | None = None,
    *,
    workers: int | None = None,
    replicas: Mapping[str, int] | None = None,
    env: Env | None = None,
    resources: Mapping[str, Any] | None = None,
    deadline: int | None = None,
    container: Mapping[str, Any] | None = None,
    pod: Mapping[str, Any] | None = None,
    pod_metadata: Mapping[str, Any] | None = None,
    job: Mapping[str, Any] | None = None,
    parameters: TrialParameters | None = None,
    retain: bool = False,
    primary_pod_labels: Mapping[str, str] | None = None,
    primary_container: str | None = None,
    success_condition: str | None = None,
    failure_condition: str | None = None,
) -> Part:
    """Each trial is a TFJob: `workers` Worker replicas, or `replicas` by type
    ({"Chief": 1, "Worker": 2}). Other arguments as for `job`."""
    return _trial("TFJob", locals(), _here())


def pytorchjob(
    image: str | None = None,
    command: Sequence[str] | None = None,
    args: Sequence[str] | None = None,
    *,
    workers: int | None = None,
    replicas: Mapping[str, int] | None = None,
    env: Env | None = None,
    resources: Mapping[str, Any] | None = None,
    deadline: int | None = None,
    container: Mapping[str, Any] | None = None,
    pod: Mapping[str, Any] | None = None,
    pod_metadata: Mapping[str, Any] | None = None,
    job: Mapping[str, Any] | None = None,
    parameters: TrialParameters | None = None,
    retain: bool = False,
    primary_pod_labels: Mapping[str, str] | None = None,
    primary_container: str | None = None,
    success_condition: str | None = None,
    failure_condition: str | None = None,
) -> Part:
    """Each trial is a PyTorchJob: one Master plus `workers` Workers, or `replicas` by type.
    Other arguments as for `job`."""
    return _trial("PyTorchJob", locals(), _here())


def mpijob(
    image: str | None = None,
    command: Sequence[str] | None = None,
    args: Sequence[str] | None = None,
    *,
    workers: int | None = None,
    replicas: Mapping[str, int] | None = None,
    env: Env | None = None,
    resources: Mapping[str, Any] | None = None,
    deadline: int | None = None,
    container: Mapping[str, Any] | None = None,
    pod: Mapping[str, Any] | None = None,
    pod_metadata: Mapping[str, Any] | None = None,
    job: Mapping[str, Any] | None = None,
    parameters: TrialParameters | None = None,
    retain: bool = False,
    primary_pod_labels: Mapping[str, str] | None = None,
    primary_container: str | None = None,
    success_condition: str | None = None,
    failure_condition: str | None = None,
) -> Part:
    """Each trial is an MPIJob: a Launcher running the command plus `workers` Workers.
    Other arguments as for `job`."""
    return _trial("MPIJob", locals(), _here())


def xgboostjob(
    image: str | None = None,
    command: Sequence[str] | None = None,
    args: Sequence[str] | None = None,
    *,
    workers: int | None = None,
    replicas: Mapping[str, int] | None = None,
    env: Env | None = None,
    resources: Mapping[str, Any] | None = None,
    deadline: int | None = None,
    container: Mapping[str, Any] | None = None,
    pod: Mapping[str, Any] | None = None,
    pod_metadata: Mapping[str, Any] | None = None,
    job: Mapping[str, Any] | None = None,
    parameters: TrialParameters | None = None,
    retain: bool = False,
    primary_pod_labels: Mapping[str, str] | None = None,
    primary_container: str | None = None,
    success_condition: str | None = None,
    failure_condition: str | None = None,
) -> Part:
    """Each trial is an XGBoostJob: one Master plus `workers` Workers, or `replicas` by type.
    Other arguments as for `job`."""
    return _trial("XGBoostJob", locals(), _here())


def trainjob(
    image: str | None = None,
    command: Sequence[str] | None = None,
    args: Sequence[str] | None = None,
    *,
    workers: int | None = None,
    runtime: str | None = None,
    env: Env | None = None,
    resources: Mapping[str, Any] | None = None,
    job: Mapping[str, Any] | None = None,
    parameters: TrialParameters | None = None,
    retain: bool = False,
    primary_pod_labels: Mapping[str, str] | None = None,
    primary_container: str | None = None,
    success_condition: str | None = None,
    failure_condition: str | None = None,
) -> Part:
    """Each trial is a Kubeflow Trainer TrainJob on `runtime` (default torch-distributed) with
    `workers` nodes (numNodes); resources are per node. Other arguments as for `job`."""
    return _trial("TrainJob", locals(), _here())
