"""`import`: Katib Experiment manifests → the shortest specs that compile back to what Katib
stores for them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from compiler.admission import configmap_templates
from compiler.commands.common import load_configmaps
from compiler.commands.katibconfig import KatibConfigChoice, resolve_katib_config
from compiler.errors import InputError, UsageError
from compiler.imports import (
    SCHEMA_URL,
    Imported,
    check_python,
    check_yaml,
    import_experiment,
    python_spec_text,
    yaml_text,
)
from compiler.load.files import kind_location, load_file
from compiler.model.diagnostics import Diagnostic, Severity

SCHEMA_FILE = "schemas/spec.schema.json"
COMPILE_REFUSES = "compile refuses this until it is fixed (Katib accepts it, then hangs or fails)"


@dataclass
class ImportRun:
    imported: list[Imported] = field(default_factory=list)
    text: str = ""
    exact: list[bool] = field(default_factory=list)  # the written text compiles back exactly
    notes: list[str] = field(default_factory=list)  # skipped documents, dropped fields
    katib: KatibConfigChoice | None = None

    @property
    def rejected(self) -> list[Imported]:
        return [i for i in self.imported if not i.admission.allowed]

    @property
    def inexact(self) -> list[Imported]:
        """Specs that do not compile back to the stored object (none can for a manifest Katib
        cannot decode: those are among the rejected)."""
        return [
            i
            for i, ok in zip(self.imported, self.exact, strict=True)
            if not ok and i.stored is not None
        ]

    @property
    def exit_code(self) -> int:
        return 1 if self.rejected or self.inexact else 0

    def katib_findings(self) -> list[Diagnostic]:
        """Katib's errors and its warnings, all as warnings: the spec is written anyway. The
        run-time errors Katib would accept say that `compile` will not."""
        out = []
        for one in self.imported:
            a = one.admission
            out += [d.model_copy(update={"severity": Severity.WARNING}) for d in a.errors]
            out += [_as_warning(d) for d in a.warnings]
        return out


def _as_warning(d: Diagnostic) -> Diagnostic:
    if d.severity != Severity.ERROR:
        return d
    hint = f"{d.hint}; " if d.hint else ""
    return d.model_copy(update={"severity": Severity.WARNING, "hint": hint + COMPILE_REFUSES})


def import_file(
    path: str,
    *,
    output: str | None = None,
    folder: str | None = None,
    python: bool = False,
    schema_url: str | None = None,
    katib_config: str | None = None,
    configmaps: Sequence[str] = (),
    root: Path | None = None,
    cluster: str | None = None,
) -> ImportRun:
    """Import every Experiment of a file. `folder`: the namespace of the spec's folder (by
    default the one `output` sits in under specs/, else each manifest's own namespace).
    `root`: the repository whose cluster profile gives the katib-config, which the spec must
    compile against there."""
    if schema_url and not schema_url.isprintable():  # it is written into a YAML comment
        raise UsageError(
            f"--schema-url {schema_url!r}: a URL has no line breaks or control characters"
        )
    katib = resolve_katib_config(root, katib_config, cluster)
    if katib.problems:
        first = katib.problems[0]
        raise InputError(first.message, first.where, first.hint, first.code)
    config = katib.config
    templates = load_configmaps(configmaps)
    docs = load_file(path)
    run = ImportRun(katib=katib)
    local = []
    for doc in docs:
        kind = doc.data.get("kind") if isinstance(doc.data, dict) else None
        if kind == "ConfigMap":
            local.append(doc.data)
            name = (doc.data.get("metadata") or {}).get("name", "?")
            run.notes.append(
                f"{path}: ConfigMap {name} used as a trial template; pass it to compile with "
                "--configmap"
            )
        elif kind != "Experiment" and doc.data is not None:
            run.notes.append(f"{path}: document {doc.index + 1} ({kind or 'no kind'}): skipped")
    found = [d for d in docs if isinstance(d.data, dict) and d.data.get("kind") == "Experiment"]
    if not found:
        raise InputError(
            "no Katib Experiment in this file",
            kind_location(docs, str(path)),
            "import takes kubeflow.org/v1beta1 Experiment manifests",
            code="INPUT-KIND",
        )
    templates = {**templates, **configmap_templates(local)}
    folder = folder or (folder_of(output) if output else None)
    for doc in found:
        one = import_experiment(doc, folder=folder, config=config, configmaps=templates)
        run.imported.append(one)
        run.notes += [f"{path}: experiment {one.name}: {n}" for n in one.notes]
    if python:
        run.text = python_spec_text(run.imported, config, templates)
        run.exact = check_python(run.text, run.imported, config, templates)
    else:
        url = schema_url if schema_url is not None else schema_for(output)
        run.text = yaml_text(run.imported, url or None)
        run.exact = check_yaml(run.text, output or "<stdout>", run.imported, config, templates)
    return run


def folder_of(output: str) -> str | None:
    """The namespace a spec at `output` gets: specs/<namespace>/..., specs/x.yaml → default."""
    parts = PurePosixPath(output.replace("\\", "/")).parts
    if "specs" not in parts:
        return None
    rest = parts[len(parts) - parts[::-1].index("specs") :]
    return rest[0] if len(rest) > 1 else "default"


def schema_for(output: str | None) -> str:
    """The schema's path relative to a spec under specs/ (the repository's schemas/)."""
    if output is None:
        return SCHEMA_URL
    parts = PurePosixPath(output.replace("\\", "/")).parts
    if "specs" not in parts:
        return SCHEMA_URL
    depth = len(parts) - parts[::-1].index("specs")  # folders from the root down to the file
    return "../" * (len(parts) - depth) + SCHEMA_FILE
