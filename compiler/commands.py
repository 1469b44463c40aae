"""One function per command: the only place that joins the I/O rooms with the pipeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

from compiler.admission import Admission, admit, configmap_templates
from compiler.admission.katibconfig import KatibConfig, KatibConfigError, config_from_document
from compiler.admission.katibconfig import default_config as default_katib_config
from compiler.errors import InputError
from compiler.load.files import load_file
from compiler.model.diagnostics import Diagnostic
from compiler.model.source import Document, Location
from compiler.yamlsafe import parse_documents


@dataclass(frozen=True)
class AdmitResult:
    file: str
    index: int
    admission: Admission | None = None
    problem: InputError | None = None  # unreadable input


@dataclass
class AdmitRun:
    results: list[AdmitResult] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if any(r.problem for r in self.results):
            return 2
        if any(r.admission and not r.admission.allowed for r in self.results):
            return 1
        return 0


def _experiments(docs: list[Document]) -> list[Document]:
    return [d for d in docs if isinstance(d.data, dict) and d.data.get("kind") == "Experiment"]


def load_katib_config(path: str | None) -> KatibConfig:
    if path is None:
        return default_katib_config()
    docs = load_file(path)
    if not docs:
        raise InputError("empty katib-config file", Location(path))
    try:
        config, embedded = config_from_document(docs[0].data, path)
        if embedded is not None:
            inner = parse_documents(embedded, f"{path} (data.katib-config.yaml)")
            config, _ = config_from_document(inner[0].data if inner else {}, path)
    except KatibConfigError as exc:
        raise InputError(f"not a katib-config: {exc}", Location(path)) from None
    return config


def load_configmaps(paths: Sequence[str]) -> dict[tuple[str, str], dict[str, str]]:
    docs = [d.data for p in paths for d in load_file(p)]
    return configmap_templates(
        [d for d in docs if isinstance(d, dict) and d.get("kind") == "ConfigMap"]
    )


def admit_files(
    files: Sequence[str],
    *,
    old: str | None = None,
    katib_config: str | None = None,
    configmaps: Sequence[str] = (),
    strict: bool = False,
    namespace_labelled: bool = True,
) -> AdmitRun:
    config = load_katib_config(katib_config)
    templates = load_configmaps(configmaps)
    old_doc = _single_experiment(old) if old else None
    run = AdmitRun()
    for name in files:
        try:
            docs = load_file(name)
        except InputError as exc:
            run.results.append(AdmitResult(name, 0, problem=exc))
            continue
        # ConfigMaps beside the experiment serve as its trial templates
        local = configmap_templates(
            [d.data for d in docs if isinstance(d.data, dict) and d.data.get("kind") == "ConfigMap"]
        )
        experiments = _experiments(docs)
        if not experiments:
            run.results.append(
                AdmitResult(
                    name,
                    0,
                    problem=InputError(
                        "no Katib Experiment in this file",
                        Location(name),
                        "admit takes kubeflow.org/v1beta1 Experiment manifests",
                    ),
                )
            )
        for doc in experiments:
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
    found = _experiments(load_file(path))
    if len(found) != 1:
        raise InputError("--old must hold exactly one Experiment", Location(path))
    return found[0]


def diagnostic_json(d: Diagnostic) -> dict[str, Any]:
    out: dict[str, Any] = {"field": d.field, "type": d.type, "message": d.message, "code": d.code}
    if d.where is not None:
        out["location"] = str(d.where)
    if d.hint:
        out["hint"] = d.hint
    out["severity"] = d.severity.value
    return out


def admit_json(result: AdmitResult) -> dict[str, Any]:
    if result.problem is not None:
        p = result.problem
        return {
            "file": result.file,
            "allowed": False,
            "errors": [
                {
                    "field": "",
                    "type": "Unreadable",
                    "message": p.message,
                    "code": p.code,
                    "location": str(p.where or result.file),
                }
            ],
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


def exists(path: str) -> bool:
    return FsPath(path).exists()
