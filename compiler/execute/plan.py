"""How each trial runs on this machine: the stored Experiment and the spec's `local:` block →
the argv, environment, folders, deadline and metrics source of one trial.

Katib's rules (reference §4, §5.1, §2.2):
* The trial job is rendered as Katib's controller renders it (`compiler.render.trial`,
  §4.3): every `${trialParameters.x}` replaced as text, no quoting.
* The primary container is `primaryContainerName` in the pod that `primaryPodLabels` selects.
  Distributed kinds run only that replica, once.
* StdOut, File and TensorFlowEvent collectors re-run the command through `sh -c` with command
  and args joined by spaces (a leading `sh -c`/`bash -c` is kept); Push runs it as it is.
* The metrics directory is a fresh emptyDir per pod: locally a fresh folder per attempt, and
  the Katib path in command, args and env is rewritten to it.
* The pod webhook adds `KATIB_TRIAL_NAME`. `activeDeadlineSeconds` bounds the trial.
* pbt's checkpoint volume is mounted at `suggestion_trial_dir`: locally the trial's own folder,
  the path rewritten likewise (`pbt_volume.py`, §6.8).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compiler.admission.podtemplates import PodTemplate, pod_templates
from compiler.admission.template import go_json, meta_key, placeholder
from compiler.execute.collector import Collector, collector_of
from compiler.execute.errors import LocalUnsupported
from compiler.execute.pbt_volume import Volume, volume_of
from compiler.model.katib import Experiment, TrialTemplate
from compiler.model.spec import Local
from compiler.placeholders import meta_reference, rewrite, tokens
from compiler.render.trial import RenderError, render_trial, sample_value, trial_template_text

SHELL_KINDS = ("StdOut", "File", "TensorFlowEvent")
KUBEFLOW_KINDS = ("TFJob", "PyTorchJob", "XGBoostJob", "MPIJob")


@dataclass(frozen=True)
class Launch:
    name: str
    argv: list[str]
    env: dict[str, str]
    cwd: Path
    log: Path
    mount: Path  # the trial's fresh metrics folder (Katib's emptyDir)
    deadline: float | None
    grace: float


class Plan:
    """Checked once before the first trial; `launch` then renders each trial."""

    def __init__(
        self,
        exp: Experiment,
        local: Local | None,
        root: Path,
        state_dir: Path,
        configmaps: Mapping[tuple[str, str], Mapping[str, str]] | None = None,
    ) -> None:
        self.exp, self.local, self.root, self.state_dir = exp, local, root, state_dir
        self.state_abs = state_dir.resolve()
        t = exp.spec.trial_template
        if t is None:
            raise LocalUnsupported("the experiment has no trialTemplate")
        self.template: TrialTemplate = t
        try:
            self.text = trial_template_text(exp, configmaps or {})
        except RenderError as exc:
            raise LocalUnsupported(str(exc), "pass the ConfigMap with --configmap") from None
        self.collector: Collector = collector_of(exp)
        self.volume: Volume | None = volume_of(exp, self.state_abs)  # pbt's checkpoints (§6.8)
        self.notes: list[str] = list(self.collector.notes)
        self._local_command = self._rewrite(local.command) if local and local.command else None
        sample = {p.name: sample_value(p) for p in exp.spec.parameters}
        self.dry_run = self.launch(f"{exp.metadata.name}-check", self._sample(sample), check=True)

    def _sample(self, params: dict[str, str]) -> dict[str, str]:
        from compiler.render.trial import NAS_SAMPLES

        return {**NAS_SAMPLES, **params}

    def _rewrite(self, items: list[str]) -> list[str]:
        """`${name}` in `local:` means what it means in `trial:`; Katib's placeholders pass."""
        names: dict[str, str] = {}
        for tp in self.template.trial_parameters:
            names[tp.reference] = tp.name
        out = []
        for item in items:
            mapping = {}
            for tok in tokens(item):
                ref = tok if tok in names else meta_reference(tok)
                if ref in names:
                    mapping[tok] = names[ref]
                elif not tok.startswith("trialParameters."):
                    raise LocalUnsupported(
                        f"local: ${{{tok}}} is not a parameter of this experiment",
                        "use the names of spec parameters, or ${trial.name}",
                    )
            out.append(rewrite(item, mapping))
        return out

    def launch(self, name: str, assignments: dict[str, str], check: bool = False) -> Launch:
        values = self._values(name, assignments)
        try:
            job = render_trial(self.exp, self.text, assignments, name).job
        except RenderError as exc:
            raise LocalUnsupported(f"trial {name}: {exc}") from None
        container, pod = self._primary(job, check)
        trial_dir = self.state_abs / "trials" / name
        mount = self.state_abs / "mounts" / name
        argv = self._argv(container, values)
        env = self._env(container, values, check)
        env.update(
            KATIB_TRIAL_NAME=name,  # the pod webhook's env var (§2.2)
            KATIB_GITOPS_TRIAL_DIR=str(trial_dir),
            KATIB_GITOPS_STATE=str(self.state_abs),
        )
        if self.volume is not None:  # first: its mount may lie inside the collector's
            note = self.volume.unmentioned(argv, env) if check else None
            self.notes += [note] if note else []
            argv, env = self.volume.relocate(argv, env, name)
        argv, env = self.collector.relocate(argv, env, mount)
        cwd = (self.root / self.local.workdir) if self.local and self.local.workdir else trial_dir
        return Launch(
            name,
            argv,
            env,
            cwd,
            self.state_abs / "logs" / f"{name}.log",
            mount,
            _deadline(job),
            float(pod.spec.get("terminationGracePeriodSeconds", 30)),
        )

    def _values(self, name: str, assignments: dict[str, str]) -> dict[str, str]:
        """Each trialParameter's value (§4.3 step 2), for the `local:` command and env."""
        out: dict[str, str] = {}
        spec = self.template.trial_spec or {}
        for tp in self.template.trial_parameters:
            key = meta_key(tp.reference)
            if key is None:
                out[tp.name] = assignments.get(tp.reference, "")
                continue
            what, index = key
            simple = {
                "Name": name,
                "Namespace": self.exp.metadata.namespace or "default",
                "Kind": str(spec.get("kind", "")),
                "APIVersion": str(spec.get("apiVersion", "")),
            }
            table = (spec.get("metadata") or {}).get(what.lower()) or {}
            out[tp.name] = simple.get(what, str(table.get(index, "")))
        return out

    def _primary(self, job: dict[str, Any], check: bool) -> tuple[dict[str, Any], PodTemplate]:
        kind = str(job.get("kind", ""))
        if kind == "TrainJob":
            trainer = (job.get("spec") or {}).get("trainer") or {}
            if check:
                self.notes.append("TrainJob: runs the trainer of node 0 once, locally")
            return trainer, PodTemplate("trainer", (), {})
        pods = pod_templates(job)
        chosen = _select(pods, self.template.primary_pod_labels, kind)
        want = self.template.primary_container_name
        for pod in chosen:
            for c in pod.containers:
                if c.get("name") == want:
                    if check and kind != "Job":
                        self._distributed_note(kind, pod, pods)
                    return c, pod
        raise LocalUnsupported(
            f"no primary pod has a container named {want!r}",
            "check primaryPodLabels and primaryContainerName",
        )

    def _distributed_note(self, kind: str, pod: PodTemplate, pods: list[PodTemplate]) -> None:
        others = sum(p.replicas for p in pods) - 1
        self.notes.append(
            f"{kind}: runs its primary replica ({pod.role}) once, locally; the other "
            f"{others} replica{'s' if others != 1 else ''} of each trial are not started"
        )

    def _argv(self, container: Mapping[str, Any], values: dict[str, str]) -> list[str]:
        if self._local_command is not None:
            argv = _substitute_list(self._local_command, values)
        else:
            argv = [str(x) for x in (container.get("command") or [])]
            argv += [str(x) for x in (container.get("args") or [])]
        if not argv:
            raise LocalUnsupported(
                "the primary container has no command: Katib would run the image's "
                "ENTRYPOINT, which is not available locally",
                "give the spec a `local: {command: [...]}`",
            )
        if self.collector.kind not in SHELL_KINDS:
            return argv
        head = argv[:2] if argv[0] in ("sh", "bash") and argv[1:2] == ["-c"] else ["sh", "-c"]
        rest = argv[2:] if head == argv[:2] else argv
        return [*head, " ".join(rest)]

    def _env(
        self, container: Mapping[str, Any], values: dict[str, str], check: bool
    ) -> dict[str, str]:
        env = dict(os.environ)
        # `python3` in a trial means the interpreter (and packages) katib-gitops runs with
        here = str(Path(sys.executable).parent)
        rest = [p for p in env.get("PATH", "").split(os.pathsep) if p and p != here]
        env["PATH"] = os.pathsep.join([here, *rest])
        local_env = dict(self.local.env) if self.local else {}
        for item in container.get("env") or []:
            name = str(item.get("name", ""))
            if "value" in item or "valueFrom" not in item:
                env[name] = str(item.get("value", ""))
            elif name not in local_env:
                raise LocalUnsupported(
                    f"env {name} uses valueFrom, which has no value outside Kubernetes",
                    f"give it one in the spec's local.env: {{{name}: ...}}",
                )
        for name, value in local_env.items():
            env[name] = _substitute_list(self._rewrite([value]), values)[0]
        return env


def _select(pods: list[PodTemplate], labels: Mapping[str, str], kind: str) -> list[PodTemplate]:
    if not labels:
        return pods
    chosen = [p for p in pods if all(p.labels.get(k) == v for k, v in labels.items())]
    if not chosen and kind == "TFJob":
        # the training operator labels worker 0 job-role=master when there is no chief
        chosen = [p for p in pods if p.role.lower() == "worker"]
    return chosen


def _deadline(job: dict[str, Any]) -> float | None:
    spec = job.get("spec") or {}
    value = spec.get("activeDeadlineSeconds")
    if job.get("kind") in KUBEFLOW_KINDS:
        value = (spec.get("runPolicy") or {}).get("activeDeadlineSeconds")
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _substitute_list(items: list[str], values: dict[str, str]) -> list[str]:
    """§4.3 on a JSON text, as Katib does on the trialSpec: plain replacement, no quoting. A
    value that breaks the JSON breaks the trial, as it would in the cluster."""
    text = go_json(items)
    for name, value in values.items():
        text = text.replace(placeholder(name), value)
    try:
        out = json.loads(text)
    except ValueError as exc:
        raise LocalUnsupported(f"the substituted local command is not valid: {exc}") from None
    return [str(x) for x in out]
