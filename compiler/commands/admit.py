"""`admit`: Katib Experiment manifests through Katib's admission, as the webhooks would."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compiler.admission import Admission, admit, configmap_templates
from compiler.commands.common import diagnostic_json, load_configmaps
from compiler.commands.katibconfig import KatibConfigChoice, resolve_katib_config
from compiler.errors import InputError
from compiler.load.files import kind_location, load_file
from compiler.model.source import Document, Location


@dataclass(frozen=True)
class AdmitResult:
    file: str
    index: int
    admission: Admission | None = None
    problem: InputError | None = None  # unreadable input


@dataclass
class AdmitRun:
    results: list[AdmitResult] = field(default_factory=list)
    katib: KatibConfigChoice | None = None

    @property
    def exit_code(self) -> int:
        if any(r.problem for r in self.results):
            return 2
        if any(r.admission and not r.admission.allowed for r in self.results):
            return 1
        return 0


def experiments(docs: list[Document]) -> list[Document]:
    return [d for d in docs if isinstance(d.data, dict) and d.data.get("kind") == "Experiment"]


def admit_files(
    files: Sequence[str],
    *,
    old: str | None = None,
    katib_config: str | None = None,
    configmaps: Sequence[str] = (),
    strict: bool = False,
    namespace_labelled: bool = True,
    root: Path | None = None,
    cluster: str | None = None,
) -> AdmitRun:
    """`root`: the repository whose cluster profile gives the katib-config (None: Katib's
    default unless `katib_config`, a path as given, names one)."""
    katib = resolve_katib_config(root, katib_config, cluster)
    if katib.problems:  # a manifest is judged against the cluster, or not at all
        first = katib.problems[0]
        raise InputError(first.message, first.where, first.hint, first.code)
    config = katib.config
    templates = load_configmaps(configmaps)
    old_doc = _single_experiment(old) if old else None
    run = AdmitRun(katib=katib)
    for name in files:
        try:
            docs = load_file(name, go_keys=True)
        except InputError as exc:
            run.results.append(AdmitResult(name, 0, problem=exc))
            continue
        # ConfigMaps beside the experiment serve as its trial templates
        local = configmap_templates(
            [d.data for d in docs if isinstance(d.data, dict) and d.data.get("kind") == "ConfigMap"]
        )
        found = experiments(docs)
        if not found:
            problem = InputError(
                "no Katib Experiment in this file",
                kind_location(docs, str(name)),
                "admit takes kubeflow.org/v1beta1 Experiment manifests",
                code="INPUT-KIND",
            )
            run.results.append(AdmitResult(name, 0, problem=problem))
        for doc in found:
            verdict = admit(
                doc,
                old=old_doc,
                config=config,
                configmaps={**templates, **local},
                namespace_labelled=namespace_labelled,
                strict=strict,
            )
            run.results.append(AdmitResult(name, doc.index, verdict))
    return run


def _single_experiment(path: str) -> Document:
    found = experiments(load_file(path, go_keys=True))
    if len(found) != 1:
        raise InputError("--old must hold exactly one Experiment", Location(path))
    return found[0]


def admit_json(result: AdmitResult) -> dict[str, Any]:
    if result.problem is not None:
        p = result.problem
        error = {
            "field": "",
            "type": "Unreadable",
            "message": p.message,
            "code": p.code,
            "location": str(p.where or result.file),
        }
        return {
            "file": result.file,
            "allowed": False,
            "errors": [error],
            "warnings": [],
            "object": None,
        }
    a = result.admission
    assert a is not None
    return {
        "file": result.file,
        **({"document": result.index} if result.index else {}),
        "allowed": a.allowed,
        "errors": [diagnostic_json(d) for d in a.errors],
        "warnings": [diagnostic_json(d) for d in a.warnings],
        "object": a.object,
    }
