"""What each trial runs: a Kubernetes Job (`job`), any trialSpec (`raw`), a template shared
through a ConfigMap (`configmap`), and how `katib-gitops run` runs it locally (`local`). The
Kubeflow training operators' kinds are in `_operators`."""

from __future__ import annotations

from compiler.dsl._build import _collect
from compiler.dsl._sites import _here

TYPE_CHECKING = False  # typing itself costs milliseconds the sandboxed child need not pay
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from types import CodeType
    from typing import Any

    from compiler.dsl._parts import Part, Path, Position, Scalar

    Env = Mapping[str, Scalar] | Sequence[Mapping[str, Any]]
    TrialParameters = Mapping[str, str] | Sequence[Mapping[str, str]]


def job(
    image: str | None = None,
    command: Sequence[str] | None = None,
    args: Sequence[str] | None = None,
    *,
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
    """Each trial is a Kubernetes Job running `image` with `command`/`args` (`${name}` stands
    for a parameter). env: name to value, or Kubernetes EnvVars. resources: {cpu, memory, gpu}
    (requests = limits) or {requests, limits}. deadline: seconds a trial may run. container,
    pod, pod_metadata, job: more fields of the container, the pod spec, the pod's metadata and
    the Job's spec. parameters: Katib trialParameters written out (normally derived).
    retain: keep finished jobs. The rest are Katib's trialTemplate fields."""
    return _trial(None, locals(), _here())


def raw(
    spec: Mapping[str, Any],
    parameters: TrialParameters | None = None,
    *,
    retain: bool = False,
    primary_pod_labels: Mapping[str, str] | None = None,
    primary_container: str | None = None,
    success_condition: str | None = None,
    failure_condition: str | None = None,
) -> Part:
    """Each trial is `spec`, a whole trialSpec of any kind (Argo Workflow, Tekton, ...);
    `${name}` works in any of its strings. `parameters`: trialParameters, written out, as
    {name: reference} or a list of {name, reference, description}; normally derived."""
    return _trial(None, locals(), _here())


def configmap(
    name: str,
    namespace: str,
    key: str,
    parameters: TrialParameters | None = None,
    *,
    retain: bool = False,
    primary_pod_labels: Mapping[str, str] | None = None,
    primary_container: str | None = None,
    success_condition: str | None = None,
    failure_condition: str | None = None,
) -> Part:
    """Each trial comes from a template shared through a ConfigMap: `name` in `namespace`, the
    template under data key `key`. Other arguments as for `raw`."""
    return _trial(
        None,
        locals(),
        _here(),
        nest={"name": "configMap", "namespace": "configMap", "key": "configMap"},
    )


def _trial(
    kind: str | None, args: dict[str, Any], code: CodeType, nest: Mapping[str, str] | None = None
) -> Part:
    params = args.get("parameters")
    part = _collect(args, code, fixed={"kind": kind} if kind else None, nest=nest)
    if isinstance(params, dict):
        _trial_parameters(part, params)
    return part


def _trial_parameters(part: Part, given: dict[str, Any]) -> None:
    """{name: reference} → [{name, reference}], moving each recorded position along."""
    listed: list[dict[str, Any]] = []
    moved: dict[Path, Position] = {}
    for i, (name, reference) in enumerate(given.items()):
        listed.append({"name": name, "reference": reference})
        for path, at in part.values_at.items():
            if path[:2] == ("parameters", name):
                moved[("parameters", i, "reference", *path[2:])] = at
        if ("parameters", name) in part.keys_at:
            at = part.keys_at.pop(("parameters", name))
            moved[("parameters", i)] = moved[("parameters", i, "name")] = at
    part.values_at = {
        p: a for p, a in part.values_at.items() if p[:1] != ("parameters",) or len(p) == 1
    } | moved
    part["parameters"] = listed


def local(
    command: Sequence[str] | None = None,
    workdir: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Part:
    """How `katib-gitops run` runs a trial on this machine when the image's command is not
    runnable here: a replacement `command`, its `workdir` and more `env`."""
    return _collect(locals(), _here())
