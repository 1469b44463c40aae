"""A trialSpec in the spec's short trial form (image, command, args, env, resources, deadline,
container, pod, podMetadata, job; kind, workers or replicas for distributed kinds), when the
compiler's builder (`compiler.trialtemplate`) gives it back. `None` when it cannot.

The decomposition mirrors the builder: what the builder always writes must be there, and
everything else goes to the pass-through fields (`container`, `pod`, `job`).
"""

from __future__ import annotations

import copy
from typing import Any

from compiler.imports.text import typed
from compiler.trialtemplate import GPU, HEAD_REPLICA, KINDS

Fields = dict[str, Any]
_SHORT_RESOURCES = {"cpu": "cpu", "memory": "memory", GPU: "gpu"}


def short_trial(ts: dict[str, Any]) -> tuple[Fields, str] | None:
    """The short fields for a trialSpec, and the training container's name."""
    kind = ts.get("kind")
    if not isinstance(kind, str) or kind not in KINDS or set(ts) - {"apiVersion", "kind", "spec"}:
        return None
    if ts.get("apiVersion") != KINDS[kind][0] or not isinstance(ts.get("spec"), dict):
        return None
    spec = copy.deepcopy(ts["spec"])
    if kind == "Job":
        return _batch_job(spec)
    if kind == "TrainJob":
        return _train_job(spec)
    return _replicated(kind, spec)


def _batch_job(spec: dict[str, Any]) -> tuple[Fields, str] | None:
    template = spec.pop("template", None)
    out: Fields = {}
    deadline = spec.get("activeDeadlineSeconds")
    if isinstance(deadline, int) and not isinstance(deadline, bool):
        out["deadline"] = spec.pop("activeDeadlineSeconds")
    pod = _pod(template, "Never")
    if pod is None:
        return None
    fields, name = pod
    out.update(fields)
    if spec:
        out["job"] = spec
    return _with_name(out, name, "Job")


def _pod(template: Any, restart: str | None) -> tuple[Fields, dict[str, Any]] | None:
    """A pod template with one container: the container, and podMetadata and pod fields."""
    if not isinstance(template, dict) or set(template) - {"metadata", "spec"}:
        return None
    pod = template.get("spec")
    if not isinstance(pod, dict):
        return None
    pod = dict(pod)
    containers = pod.pop("containers", None)
    if not (isinstance(containers, list) and len(containers) == 1):
        return None
    if restart is not None:
        if pod.get("restartPolicy") == restart:
            del pod["restartPolicy"]
        elif "restartPolicy" not in pod:
            return None  # the builder always writes one
    out: Fields = {}
    meta = template.get("metadata")
    if meta is not None:
        if not (isinstance(meta, dict) and meta):
            return None
        out["podMetadata"] = meta
    if pod:
        out["pod"] = pod
    container = containers[0]
    return (out, container) if isinstance(container, dict) else None


def _with_name(out: Fields, container: dict[str, Any], kind: str) -> tuple[Fields, str] | None:
    """Merge the container's fields in; the container's name is the primary container's."""
    fields = container_fields(container, KINDS[kind][1])
    if fields is None:
        return None
    extra = fields.pop("container", {})
    out = {**fields, **out}
    if extra:
        out["container"] = extra
    name = container.get("name", KINDS[kind][1])
    return out, str(name)


def container_fields(c: dict[str, Any], default_name: str) -> Fields | None:
    """image, command, args, env, resources; the rest (and a non-default name) in `container`."""
    c = dict(c)
    image = c.pop("image", None)
    if not isinstance(image, str) or "name" not in c:
        return None
    out: Fields = {"image": image}
    extra: Fields = {}
    name = c.pop("name")
    if name != default_name:
        extra["name"] = name
    for key in ("command", "args"):
        value = c.get(key)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            out[key] = c.pop(key)
    if "env" in c:
        env = env_form(c["env"])
        if env is not None:
            out["env"] = env
            del c["env"]
    if "resources" in c:
        resources = resources_form(c["resources"])
        if resources is not None:
            out["resources"] = resources
            del c["resources"]
    extra.update(c)
    if extra:
        out["container"] = extra
    return out


def env_form(env: Any) -> Any:
    """{NAME: value} when every variable is a plain name and string value, else the list."""
    if not (isinstance(env, list) and all(isinstance(e, dict) for e in env)):
        return None
    plain = all(set(e) == {"name", "value"} and isinstance(e["value"], str) for e in env)
    names = [e.get("name") for e in env]
    if plain and env and len(set(names)) == len(names) and all(isinstance(n, str) for n in names):
        return {e["name"]: typed(e["value"]) for e in env}
    return env


def resources_form(r: Any) -> Any:
    """{cpu, memory, gpu} when requests and limits are equal, else Kubernetes' own form."""
    if not isinstance(r, dict) or not set(r) & {"requests", "limits", "claims"}:
        return None
    limits, requests = r.get("limits"), r.get("requests")
    if (
        set(r) == {"limits", "requests"}
        and isinstance(limits, dict)
        and limits
        and limits == requests
        and set(limits) <= set(_SHORT_RESOURCES)
        and all(isinstance(v, str) for v in limits.values())
    ):
        return {_SHORT_RESOURCES[k]: typed(v) for k, v in limits.items()}
    return r


def _replicated(kind: str, spec: dict[str, Any]) -> tuple[Fields, str] | None:
    key = KINDS[kind][2]
    replicas = spec.pop(key, None)
    if not (isinstance(replicas, dict) and replicas):
        return None
    out: Fields = {}
    run_policy = spec.get("runPolicy")
    if isinstance(run_policy, dict) and set(run_policy) == {"activeDeadlineSeconds"}:
        deadline = run_policy["activeDeadlineSeconds"]
        if isinstance(deadline, int) and not isinstance(deadline, bool):
            out["deadline"] = deadline
            del spec["runPolicy"]
    shared = _shared_pod(kind, replicas)
    if shared is None:
        return None
    fields, container = shared
    out.update(fields)
    counts = {rtype: r["replicas"] for rtype, r in replicas.items()}
    out.update(_counts(kind, counts))
    if spec:
        out["job"] = spec
    out = {"kind": kind, **out}
    return _with_name(out, container, kind)


def _shared_pod(kind: str, replicas: dict[str, Any]) -> tuple[Fields, dict[str, Any]] | None:
    """Every replica runs the same pod (MPI workers: without command and args)."""
    head = HEAD_REPLICA[kind]
    first = head if head in replicas else next(iter(replicas))
    pods = {}
    for rtype, r in replicas.items():
        if not (
            isinstance(r, dict)
            and set(r) == {"replicas", "restartPolicy", "template"}
            and r["restartPolicy"] == "OnFailure"
            and isinstance(r["replicas"], int)
            and not isinstance(r["replicas"], bool)
        ):
            return None
        pod = _pod(r["template"], None)
        if pod is None:
            return None
        pods[rtype] = pod
    fields, container = pods[first]
    for rtype, (other_fields, other) in pods.items():
        expected = container
        if kind == "MPIJob" and rtype != head:
            expected = {k: v for k, v in container.items() if k not in ("command", "args")}
        if other_fields != fields or other != expected:
            return None
    return fields, container


def _counts(kind: str, counts: dict[str, int]) -> Fields:
    """workers, or replicas by type, as the builder reads them (`trialtemplate._replicated`)."""
    head = HEAD_REPLICA[kind]
    if head is not None:
        if counts == {head: 1}:
            return {}
        if set(counts) == {head, "Worker"} and counts[head] == 1 and counts["Worker"] > 0:
            return {"workers": counts["Worker"]}
    elif set(counts) == {"Worker"} and counts["Worker"] > 0:
        return {} if counts["Worker"] == 1 else {"workers": counts["Worker"]}
    return {"replicas": counts}


def _train_job(spec: dict[str, Any]) -> tuple[Fields, str] | None:
    trainer = spec.pop("trainer", None)
    runtime = spec.pop("runtimeRef", None)
    allowed = {"image", "command", "args", "env", "numNodes", "resourcesPerNode"}
    if not (isinstance(trainer, dict) and set(trainer) <= allowed and isinstance(runtime, dict)):
        return None
    out: Fields = {"kind": "TrainJob"}
    container = {"name": KINDS["TrainJob"][1], **trainer}
    container.pop("numNodes", None)
    resources = container.pop("resourcesPerNode", None)
    fields = container_fields(container, KINDS["TrainJob"][1])
    if fields is None or "container" in fields:
        return None
    out.update(fields)
    nodes = trainer.get("numNodes")
    if nodes is not None:
        if not isinstance(nodes, int) or isinstance(nodes, bool):
            return None
        out["workers"] = nodes
    if resources is not None:
        form = resources_form(resources)
        if form is None:
            return None
        out["resources"] = form
    if runtime != {"name": "torch-distributed"}:
        if set(runtime) == {"name"} and isinstance(runtime["name"], str):
            out["runtime"] = runtime["name"]
        else:
            spec["runtimeRef"] = runtime
    if spec:
        out["job"] = spec
    return out, KINDS["TrainJob"][1]
