"""`compile` and `validate`: specs/ → every problem of every spec, and generated/."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from compiler.commands.common import input_diagnostic, load_configmaps
from compiler.commands.katibconfig import KatibConfigChoice, resolve_katib_config
from compiler.compile_cache import CompileCache
from compiler.errors import InputError
from compiler.load.specs import SpecFile, discover, read_yaml_spec
from compiler.model.diagnostics import Diagnostic, Severity
from compiler.model.source import Document, Location
from compiler.normalize import SpecContext
from compiler.pipeline import Compiled, collection_paused, compile_document

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
    katib: KatibConfigChoice | None = None  # the katib-config admission read, and its source
    cached: int = 0  # spec files restored from .state/compile-cache/ rather than compiled

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
    cluster: str | None = None,
    cache: bool = False,
) -> CompileRun:
    """Load and compile every spec; collect every problem of every spec in one run.
    The katib-config is the repository's (`commands/katibconfig.py`; `katib_config`, a path
    relative to root, overrides it). With `policies` (and a policies/ folder), unwaived
    policy findings join the problems, so that an unwaived policy error stops `compile_to`
    from writing anything. With `cache`, unchanged spec files come from
    `.state/compile-cache/` (`compiler.compile_cache`), exactly as compiling them gives."""
    katib = resolve_katib_config(root, katib_config, cluster)
    config = katib.config
    templates = load_configmaps([str(root / c) for c in configmaps])
    run = CompileRun(katib=katib, problems=list(katib.problems))
    if katib.problems:  # every verdict would be against a cluster nobody described
        return run
    entries = CompileCache.open(root if cache else None, config, templates)
    with collection_paused():
        for spec_file in discover(root, "specs", list(paths) or None):
            hit, data = entries.lookup(spec_file)
            if hit is not None:
                run.compiled += hit
                continue
            try:
                docs = read_spec(spec_file, data)
            except InputError as exc:
                run.problems.append(input_diagnostic(exc))
                continue
            ctx = SpecContext(spec_file.rel, spec_file.namespace)
            single = len(docs) == 1
            first = len(run.compiled)
            for doc in docs:
                default_name = spec_file.stem if single else None
                run.compiled.append(compile_document(doc, ctx, config, templates, default_name))
            entries.store(spec_file, data, run.compiled[first:])
    entries.prune()
    run.cached = entries.hits
    run.problems += duplicate_experiments(run.compiled)
    if policies and (root / "policies").is_dir():  # the policy room is imported only then
        from compiler.commands.policies import policy_problems

        found = policy_problems(root, run.compiled, katib, cluster)
        run.problems += [d for d in found if d not in katib.problems]  # each said once
    return run


def read_spec(spec_file: SpecFile, data: bytes | None = None) -> list[Document]:
    if spec_file.path.suffix == ".py":
        from compiler.load.python_spec import read_python_spec

        return read_python_spec(spec_file)
    return read_yaml_spec(spec_file, data)


def duplicate_experiments(compiled: Sequence[Compiled]) -> list[Diagnostic]:
    seen: dict[tuple[str, str], Compiled] = {}
    out: list[Diagnostic] = []
    for c in compiled:
        if not c.has_manifest:
            continue
        key = (str(c.metadata.get("namespace", "")), c.name)  # the spec's name
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
    run.manifests = manifest_set([c for c in run.compiled if c.has_manifest])
    if check:
        run.diff = generated.diff(out, run.manifests)
    else:
        run.written = generated.write(out, run.manifests)
