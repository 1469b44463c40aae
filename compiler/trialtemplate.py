"""The spec's `trial` → Katib's trialTemplate: the job for each kind, the `${name}` uses turned
into trialParameters and placeholders (reference §4), and the primary pod and container.

Pure. Paths in the returned origin map are relative: Katib's under `spec.trialTemplate`, the
spec's under `trial`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from compiler.admission.runtime import NAS_OUTPUTS
from compiler.kubetypes import copy_plain
from compiler.model.source import Path
from compiler.model.spec import ExperimentSpec, Trial, parameter_items
from compiler.placeholders import meta_name, meta_reference, rewrite, tokens
from compiler.values import scalar_text


@dataclass(frozen=True)
class Problem:
    """A spec-level finding: a stable code, a message, the spec path it is about, a hint."""

    code: str
    message: str
    path: Path
    hint: str = ""
    severity: str = "error"


@dataclass
class Template:
    value: dict[str, Any]
    origin: dict[Path, Path] = field(default_factory=dict)


# kind → (apiVersion, default container name, replica-spec key)
KINDS: dict[str, tuple[str, str, str]] = {
    "Job": ("batch/v1", "training-container", ""),
    "TFJob": ("kubeflow.org/v1", "tensorflow", "tfReplicaSpecs"),
    "PyTorchJob": ("kubeflow.org/v1", "pytorch", "pytorchReplicaSpecs"),
    "XGBoostJob": ("kubeflow.org/v1", "xgboost", "xgbReplicaSpecs"),
    "MPIJob": ("kubeflow.org/v1", "mpi", "mpiReplicaSpecs"),
    "TrainJob": ("trainer.kubeflow.org/v1alpha1", "node", ""),
}
# kind → the replica type that leads (runs the command alone), None when workers do
HEAD_REPLICA: dict[str, str | None] = {
    "Job": None,
    "TFJob": None,
    "PyTorchJob": "Master",
    "XGBoostJob": "Master",
    "MPIJob": "Launcher",
}


def build_trial_template(spec: ExperimentSpec, problems: list[Problem]) -> Template:
    found: list[Problem] = []
    template = _build(spec, found)
    # builders speak of paths inside `trial`; report them from the spec's top
    problems += [
        p if p.path[:1] in (("trial",), ("parameters",)) else replace(p, path=("trial", *p.path))
        for p in found
    ]
    return template


def _build(spec: ExperimentSpec, problems: list[Problem]) -> Template:
    t = spec.trial
    out = Template({})
    _conflicts(t, problems)
    if t.retain:
        out.value["retain"] = True
        out.origin[("retain",)] = ("retain",)
    job, job_origin, container = _job(spec, problems)
    if t.configMap is not None:
        out.value["configMap"] = {
            "configMapName": t.configMap.name,
            "configMapNamespace": t.configMap.namespace,
            "templatePath": t.configMap.key,
        }
        out.origin[("configMap",)] = ("configMap",)
    strings = _strings(job or {})
    params, names = _trial_parameters(spec, job, problems, strings)
    if job is not None:
        out.value["trialSpec"] = _rewritten(job, names, strings)
        out.origin.update({("trialSpec", *k): v for k, v in job_origin.items()})
    if params:
        out.value["trialParameters"] = params
        out.origin[("trialParameters",)] = ("parameters",) if t.parameters else ()
    for key, value, skey in (
        ("primaryPodLabels", t.primaryPodLabels, "primaryPodLabels"),
        ("primaryContainerName", t.primaryContainer or container, "primaryContainer"),
        ("successCondition", t.successCondition, "successCondition"),
        ("failureCondition", t.failureCondition, "failureCondition"),
    ):
        if value:
            out.value[key] = value
            out.origin[(key,)] = (skey,) if getattr(t, skey) else ()
    return out


def _conflicts(t: Trial, problems: list[Problem]) -> None:
    short = [
        k
        for k in (
            "image",
            "command",
            "args",
            "env",
            "resources",
            "workers",
            "replicas",
            "deadline",
            "container",
            "pod",
            "podMetadata",
            "job",
            "runtime",
        )
        if getattr(t, k) is not None
    ]
    sources = [k for k in ("spec", "configMap") if getattr(t, k) is not None]
    if len(sources) > 1:
        problems.append(
            Problem(
                "SPEC-TRIAL",
                "trial.spec and trial.configMap exclude each other",
                (),
                "keep one of them",
            )
        )
    if sources and short:
        problems.append(
            Problem(
                "SPEC-TRIAL",
                f"trial.{sources[0]} replaces the short form; "
                f"{', '.join(short)} cannot be used with it",
                (short[0],),
                "put these fields into the raw job, or drop the raw job",
            )
        )
    if not sources and t.image is None:
        problems.append(
            Problem(
                "SPEC-TRIAL",
                "the trial needs an image (or a raw trial.spec, or a trial.configMap)",
                (),
                "add trial.image",
            )
        )


def _job(
    spec: ExperimentSpec, problems: list[Problem]
) -> tuple[dict[str, Any] | None, dict[Path, Path], str]:
    """The trialSpec and the training container's name."""
    t = spec.trial
    if t.spec is not None:
        raw = copy_plain(t.spec)
        origin = {k: ("spec", *k) for k, _ in _walk(raw, ())}
        origin[()] = ("spec",)
        return raw, origin, _single_container(raw)
    if t.configMap is not None:
        return None, {}, ""
    api_version, default_name, key = KINDS[t.kind]
    container = _container(t, default_name)
    name = str(container["name"])
    if t.kind == "Job":
        job = _batch_job(t, container, problems)
    elif t.kind == "TrainJob":
        job = _train_job(t, container, problems)
    else:
        job = _replicated(t, api_version, key, container, problems)
    return job, _short_origin(t, job), name


def _single_container(raw: dict[str, Any]) -> str:
    from compiler.admission.podtemplates import pod_templates

    pods = pod_templates(raw)
    names = [n for p in pods for n in p.container_names]
    return names[0] if len(pods) == 1 and len(names) == 1 else ""


def _container(t: Trial, default_name: str) -> dict[str, Any]:
    c: dict[str, Any] = {"name": default_name, "image": t.image}
    if t.command is not None:
        c["command"] = list(t.command)
    if t.args is not None:
        c["args"] = list(t.args)
    if t.env is not None:
        c["env"] = (
            [{"name": k, "value": scalar_text(v)} for k, v in t.env.items()]
            if isinstance(t.env, dict)
            else copy_plain(t.env)
        )
    if t.resources is not None:
        c["resources"] = _resources(t.resources)
    c.update(copy_plain(t.container or {}))
    return c


GPU = "nvidia.com/gpu"


def _resources(r: dict[str, Any]) -> dict[str, Any]:
    """{cpu, memory, gpu} becomes equal requests and limits; Kubernetes' own form is kept."""
    if set(r) & {"requests", "limits", "claims"}:
        kept: dict[str, Any] = copy_plain(r)
        return kept
    amounts = {(GPU if k == "gpu" else k): scalar_text(v) for k, v in r.items()}
    return {"limits": amounts, "requests": dict(amounts)}


def _pod(t: Trial, container: dict[str, Any], restart: str | None) -> dict[str, Any]:
    pod_spec: dict[str, Any] = {"containers": [container]}
    if restart:
        pod_spec["restartPolicy"] = restart
    pod_spec.update(copy_plain(t.pod or {}))
    template: dict[str, Any] = {"spec": pod_spec}
    if t.podMetadata:
        template["metadata"] = copy_plain(t.podMetadata)
    return template


def _batch_job(t: Trial, container: dict[str, Any], problems: list[Problem]) -> dict[str, Any]:
    if t.workers is not None or t.replicas is not None:
        problems.append(
            Problem(
                "SPEC-TRIAL",
                "a Job has no workers or replicas",
                ("workers",),
                "use kind: TFJob, PyTorchJob, MPIJob, XGBoostJob or TrainJob for "
                "distributed training",
            )
        )
    spec: dict[str, Any] = {}
    if t.deadline is not None:
        spec["activeDeadlineSeconds"] = t.deadline
    spec.update(copy_plain(t.job or {}))
    spec["template"] = _pod(t, container, "Never")
    return {"apiVersion": "batch/v1", "kind": "Job", "spec": spec}


def _replicated(
    t: Trial, api_version: str, key: str, container: dict[str, Any], problems: list[Problem]
) -> dict[str, Any]:
    head = HEAD_REPLICA[t.kind]
    replicas = dict(t.replicas or {})
    if not replicas:
        if head:
            replicas[head] = 1
        replicas["Worker"] = t.workers if t.workers is not None else (0 if head else 1)
        if replicas["Worker"] == 0:
            del replicas["Worker"]
    elif t.workers is not None:
        problems.append(
            Problem("SPEC-TRIAL", "give workers or replicas, not both", ("trial", "workers"))
        )
    specs: dict[str, Any] = {}
    for rtype, count in replicas.items():
        c = container
        if t.kind == "MPIJob" and rtype != head:  # MPI workers run sshd, not the command
            c = {k: v for k, v in container.items() if k not in ("command", "args")}
        specs[rtype] = {
            "replicas": count,
            "restartPolicy": "OnFailure",
            "template": _pod(t, copy_plain(c), None),
        }
    spec: dict[str, Any] = {key: specs}
    if t.deadline is not None:
        spec["runPolicy"] = {"activeDeadlineSeconds": t.deadline}
    spec.update(copy_plain(t.job or {}))
    return {"apiVersion": api_version, "kind": t.kind, "spec": spec}


def _train_job(t: Trial, container: dict[str, Any], problems: list[Problem]) -> dict[str, Any]:
    trainer = {k: v for k, v in container.items() if k in ("image", "command", "args", "env")}
    if t.workers is not None:
        trainer["numNodes"] = t.workers
    if t.resources is not None:
        trainer["resourcesPerNode"] = _resources(t.resources)
    for bad in ("deadline", "pod", "podMetadata", "container", "replicas"):
        if getattr(t, bad) is not None:
            problems.append(
                Problem(
                    "SPEC-TRIAL",
                    f"trial.{bad} is not available for TrainJob",
                    (bad,),
                    "write the TrainJob out in trial.spec",
                )
            )
    spec: dict[str, Any] = {
        "runtimeRef": {"name": t.runtime or "torch-distributed"},
        "trainer": trainer,
    }
    spec.update(copy_plain(t.job or {}))
    return {"apiVersion": KINDS["TrainJob"][0], "kind": "TrainJob", "spec": spec}


_CONTAINER_FIELDS = ("image", "command", "args", "env", "resources")
_TRAINER_FIELDS = {
    "image": ("image",),
    "command": ("command",),
    "args": ("args",),
    "env": ("env",),
    "numNodes": ("workers",),
    "resourcesPerNode": ("resources",),
}


def _short_origin(t: Trial, job: dict[str, Any]) -> dict[Path, Path]:
    """Where each part of a short-form job came from in the spec's `trial`."""
    from compiler.admission.podtemplates import pod_templates

    o: dict[Path, Path] = {}
    spec = job.get("spec", {})
    for key in t.job or {}:
        o[("spec", key)] = ("job", key)
    if t.deadline is not None:
        o[("spec", "activeDeadlineSeconds")] = ("deadline",)
        o[("spec", "runPolicy", "activeDeadlineSeconds")] = ("deadline",)
    if t.kind == "TrainJob":
        for key in spec.get("trainer", {}):
            o[("spec", "trainer", key)] = _TRAINER_FIELDS.get(key, ())
        o[("spec", "runtimeRef")] = ("runtime",) if t.runtime else ()
        return o
    for pod in pod_templates(job):
        base = pod.path
        if len(base) > 3:  # a replica: spec.<kind>ReplicaSpecs.<type>.template
            o[base[:-1]] = ("replicas", base[-2]) if t.replicas else ("workers",)
        o[(*base, "metadata")] = ("podMetadata",)
        for key in t.pod or {}:
            o[(*base, "spec", key)] = ("pod", key)
        cpath = (*base, "spec", "containers", 0)
        for key in _CONTAINER_FIELDS:
            o[(*cpath, key)] = (key,)
        for key in t.container or {}:
            o[(*cpath, key)] = ("container", key)
    return o


# --- placeholders ---------------------------------------------------------------------------


def _walk(node: Any, path: Path) -> Iterator[tuple[Path, Any]]:
    yield path, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _walk(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, (*path, i))


def _strings(job: dict[str, Any]) -> list[tuple[Path, str]]:
    """The strings that may hold a `${...}`, in the order `_walk` visits them."""
    found: list[tuple[Path, str]] = []
    _dollar_strings(job, (), found)
    return found


def _dollar_strings(node: Any, path: Path, found: list[tuple[Path, str]]) -> None:
    if isinstance(node, str):
        if "$" in node:
            found.append((path, node))
        return
    if isinstance(node, dict):
        items: Any = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return
    for k, v in items:  # the commonest children without a call (and a path) each
        kind = type(v)
        if kind is str:
            if "$" in v:
                found.append(((*path, k), v))
        elif kind is dict or kind is list or isinstance(v, str | dict | list):
            _dollar_strings(v, (*path, k), found)


def _trial_parameters(
    spec: ExperimentSpec,
    job: dict[str, Any] | None,
    problems: list[Problem],
    strings: list[tuple[Path, str]],
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The trialParameters, and the map from each `${token}` to its trialParameter's name."""
    t = spec.trial
    items = parameter_items(spec.parameters)
    params = [name for _, name, _ in items]
    algo = spec.algorithm if isinstance(spec.algorithm, str) else spec.algorithm.name
    outputs = NAS_OUTPUTS.get(algo, ()) if spec.nas is not None else ()
    used: dict[str, Path] = {}
    for path, text in strings:
        for token in tokens(text):
            used.setdefault(token, path)
    explicit = {p.reference: p.name for p in t.parameters or []}
    names: dict[str, str] = {}
    derived: list[dict[str, Any]] = []
    descriptions: dict[str, str] = {}
    for _, n, f in items:
        if not isinstance(f, list) and f.description:
            descriptions.setdefault(n, f.description)
    for token, where in used.items():
        reference = token if token in params or token in outputs else meta_reference(token)
        if token.startswith("trialParameters."):
            continue  # Katib's own placeholder, declared in trial.parameters
        if reference is None:
            problems.append(_unknown(token, params, outputs, where, t))
            continue
        if t.parameters is not None:
            if reference in explicit:
                names[token] = explicit[reference]
            else:
                problems.append(
                    Problem(
                        "SPEC-PLACEHOLDER",
                        f"${{{token}}} has no entry in trial.parameters",
                        _spec_path(t, where, token),
                        f"add {{name: ..., reference: {reference!r}}}",
                    )
                )
            continue
        names[token] = token if reference == token else meta_name(reference)
    if t.parameters is not None:
        listed = [{k: v for k, v in p.model_dump().items() if v is not None} for p in t.parameters]
    else:
        order = list(dict.fromkeys([*params, *outputs]))  # a repeated name is declared once
        ordered = [tok for tok in order if tok in names] + [
            tok for tok in names if tok not in order
        ]
        listed = []
        for tok in ordered:
            ref = tok if tok in order else meta_reference(tok)
            entry: dict[str, Any] = {"name": names[tok]}
            if tok in descriptions:
                entry["description"] = descriptions[tok]
            entry["reference"] = ref
            derived.append(entry)
        listed = derived
        if job is None:  # a ConfigMap template: every parameter under its own name
            listed = [{"name": p, "reference": p} for p in dict.fromkeys(params)]
    referenced = {p["reference"] for p in listed}
    for key, name, _ in items:
        if name not in referenced:
            problems.append(
                Problem(
                    "SPEC-UNUSED",
                    f"parameter {name!r} is not used by the trial",
                    ("parameters", key),
                    f"use ${{{name}}} in the trial's command, args or env, or remove the parameter",
                )
            )
    return listed, names


def _spec_path(t: Trial, where: Path, token: str = "") -> Path:
    """Where a `${token}` was written: inside a raw spec, or in a short-form field."""
    if t.spec is not None:
        return ("trial", "spec", *where)
    needle = "${" + token + "}"
    for key in ("command", "args"):
        items = getattr(t, key) or []
        for i, item in enumerate(items):
            if needle in item:
                return ("trial", key, i)
    if isinstance(t.env, dict):
        for name, value in t.env.items():
            if needle in str(value):
                return ("trial", "env", name)
    for key in ("env", "container", "pod", "podMetadata", "job", "resources"):
        value = getattr(t, key)
        if value is not None and needle in str(value):
            return ("trial", key)
    return ("trial",)


def _unknown(
    token: str, params: list[str], outputs: tuple[str, ...], where: Path, t: Trial
) -> Problem:
    choices = [*params, *outputs, "trial.name", "trial.namespace"]
    close = difflib.get_close_matches(token, choices, n=1)
    hint = f"did you mean ${{{close[0]}}}? " if close else ""
    return Problem(
        "SPEC-PLACEHOLDER",
        f"${{{token}}} is not a parameter of this experiment",
        _spec_path(t, where, token),
        hint + "write $${...} for a literal ${...}",
    )


def _rewritten(job: dict[str, Any], names: dict[str, str], strings: list[tuple[Path, str]]) -> Any:
    """A copy of the job with each `${token}` rewritten into Katib's placeholder: only the
    strings that hold one (`strings`, from `_strings`) are touched."""
    out = copy_plain(job)
    for path, text in strings:
        new = rewrite(text, names)
        if new != text:
            node = out
            for part in path[:-1]:
                node = node[part]
            node[path[-1]] = new
    return out
