"""`compile` and `validate`: specs/ → every problem of every spec, and generated/."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from compiler.commands.common import input_diagnostic, load_configmaps, load_katib_config
from compiler.errors import InputError
from compiler.load.specs import SpecFile, discover, read_yaml_spec
from compiler.model.diagnostics import Diagnostic, Severity
from compiler.model.source import Document, Location
from compiler.normalize import SpecContext
from compiler.pipeline import Compiled, compile_document

if TYPE_CHECKING:  # rendering and writing are imported only by `compile`, not `validate`
    from compiler.generated import WriteResult
    from compiler.render.manifests import ManifestSet


@dataclass
class CompileRun:
    compiled: list[Compiled] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)  # beyond single experiments
    manifests: ManifestSet | None = None
    diff: list[str] = field(default_factory=list)
    written: WriteResult | None = None

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [*self.problems, *(d for c in self.compiled for d in c.diagnostics)]

    @property
    def has_errors(self) -> bool:
        return any(d.severity == Severity.ERROR for d in self.diagnostics)


def compile_specs(
    root: Path,
    paths: Sequence[str] = (),
    *,
    katib_config: str | None = None,
    configmaps: Sequence[str] = (),
    policies: bool = True,
) -> CompileRun:
    """Load and compile every spec; collect every problem of every spec in one run.
    With `policies` (and a policies/ folder), unwaived policy findings join the problems, so
    that an unwaived policy error stops `compile_to` from writing anything."""
    config = load_katib_config(str(root / katib_config) if katib_config else None)
    templates = load_configmaps([str(root / c) for c in configmaps])
    run = CompileRun()
    for spec_file in discover(root, "specs", list(paths) or None):
        try:
            docs = read_spec(spec_file)
        except InputError as exc:
            run.problems.append(input_diagnostic(exc))
            continue
        ctx = SpecContext(spec_file.rel, spec_file.namespace)
        single = len(docs) == 1
        for doc in docs:
            run.compiled.append(
                compile_document(doc, ctx, config, templates, spec_file.stem if single else None)
            )
    run.problems += duplicate_experiments(run.compiled)
    if policies and (root / "policies").is_dir():  # the policy room is imported only then
        from compiler.commands.check import policy_problems

        run.problems += policy_problems(root, run.compiled, config)
    return run


def read_spec(spec_file: SpecFile) -> list[Document]:
    if spec_file.path.suffix == ".py":
        from compiler.load.python_spec import read_python_spec

        return read_python_spec(spec_file)
    return read_yaml_spec(spec_file)


def duplicate_experiments(compiled: Sequence[Compiled]) -> list[Diagnostic]:
    seen: dict[tuple[str, str], Compiled] = {}
    out: list[Diagnostic] = []
    for c in compiled:
        if c.manifest is None:
            continue
        key = (str(c.manifest["metadata"].get("namespace", "")), c.name)  # the spec's name
        if key in seen:
            first = seen[key]
            out.append(
                Diagnostic(
                    code="SPEC-DUPLICATE",
                    message=f"experiment {key[0]}/{key[1]} is also declared by {first.source}",
                    where=c.located.where(("metadata", "name"))
                    if c.located
                    else Location(c.source),
                    hint="give each experiment a unique name within its namespace",
                )
            )
        else:
            seen[key] = c
    return out


def compile_to(run: CompileRun, out: Path, *, check: bool) -> None:
    """Render generated/ and write it, or (check) diff it; nothing is written after errors."""
    from compiler import generated
    from compiler.render.manifests import manifest_set

    if run.has_errors:
        return
    run.manifests = manifest_set([c for c in run.compiled if c.manifest is not None])
    if check:
        run.diff = generated.diff(out, run.manifests)
    else:
        run.written = generated.write(out, run.manifests)
