"""`run`: compile one spec, run it with the local backend, write its report, and (with
`--commit`) commit exactly the report files. The one place where the compiler, the local
backend, the report writer and git meet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from compiler.commands.compile import compile_specs
from compiler.errors import InputError, UsageError
from compiler.execute.errors import LocalUnsupported
from compiler.execute.local import Prepared, RunOptions, prepare, results_of
from compiler.execute.local import run as run_local
from compiler.execute.runner import Observer
from compiler.model.diagnostics import Diagnostic
from compiler.model.results import ObjectRef, Results, Source
from compiler.pipeline import Compiled

if TYPE_CHECKING:
    from compiler.execute.preflight import MissingFiles

STATE = Path(".state") / "runs"


@dataclass
class RunOutcome:
    results: Results | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    report: list[str] = field(default_factory=list)
    commit: str | None = None
    committed: bool = False


def select(
    root: Path,
    spec: str,
    name: str | None,
    configmaps: Sequence[str],
    katib: tuple[str | None, str | None] = (None, None),  # --katib-config, --cluster
) -> tuple[Compiled | None, list[Diagnostic]]:
    run = compile_specs(
        root, [spec], katib_config=katib[0], configmaps=configmaps, cluster=katib[1]
    )
    if run.problems:
        return None, run.diagnostics
    chosen = [c for c in run.compiled if name is None or c.name == name]
    if not chosen:
        raise UsageError(f"{spec} has no experiment named {name!r}")
    if len(chosen) > 1:
        names = ", ".join(c.name for c in chosen)
        raise UsageError(f"{spec} declares several experiments ({names}): pick one with --name")
    c = chosen[0]
    return (c if c.ok else None), list(c.diagnostics)


def state_dir(root: Path, c: Compiled, given: str | None) -> Path:
    assert c.experiment is not None
    meta = c.experiment.metadata
    return Path(given) if given else root / STATE / meta.namespace / c.name


def run_spec(
    root: Path,
    spec: str,
    make_observer: Callable[[Prepared], Observer],
    *,
    name: str | None = None,
    state: str | None = None,
    seed: int | None = None,
    max_trials: int | None = None,
    fresh: bool = False,
    commit: bool = False,
    report_only: bool = False,
    configmaps: Sequence[str] = (),
    katib_config: str | None = None,
    cluster: str | None = None,
) -> RunOutcome:
    from compiler.commands.common import load_configmaps

    if not (root / spec).exists():
        raise InputError(f"{spec}: no such spec")
    compiled, diags = select(root, spec, name, configmaps, (katib_config, cluster))
    out = RunOutcome(diagnostics=diags)
    if compiled is None:
        return out
    assert compiled.experiment is not None
    folder = state_dir(root, compiled, state)
    options = RunOptions(
        state_dir=folder,
        root=root,
        seed=seed,
        max_trials=max_trials,
        fresh=fresh,
        configmaps=load_configmaps([str(root / c) for c in configmaps]),
    )
    with _located(compiled):
        return _run(
            root,
            compiled,
            out,
            options=options,
            make_observer=make_observer,
            report_only=report_only,
            commit=commit,
        )


@contextmanager
def _located(c: Compiled) -> Iterator[None]:
    """A refusal of the local backend, pointed at the spec line of the field it names."""
    try:
        yield
    except LocalUnsupported as exc:
        located = c.located
        if exc.where is None and located is not None:
            where = located.where(exc.path)
            if where.line <= 0 and located.values:  # the experiment's first line in the spec
                where = min(located.values.values(), key=lambda w: (w.line, w.column))
            exc.where = where
        raise


def _run(
    root: Path,
    compiled: Compiled,
    out: RunOutcome,
    *,
    options: RunOptions,
    make_observer: Callable[[Prepared], Observer],
    report_only: bool,
    commit: bool,
) -> RunOutcome:
    assert compiled.experiment is not None
    folder = options.state_dir
    prepared = prepare(compiled.experiment, compiled.spec.local if compiled.spec else None, options)
    missing = _preflight(root, compiled, prepared)
    source = _source(root, compiled)
    log_root = _rel(root, folder)
    if report_only:
        out.results = results_of(prepared, source, log_root)
    else:
        header: dict[str, object] = {
            "name": compiled.name,
            "namespace": compiled.experiment.metadata.namespace,
            "revision": compiled.revision,
            "spec": compiled.source,
        }
        observer = make_observer(prepared)
        if missing is not None:
            observer.event("\n".join(missing.lines))  # before the first trial
        try:
            out.results = run_local(prepared, header, observer, source, log_root)
        finally:
            observer.close()
    if out.results is not None:
        # reports are kept by the spec's name, whatever the revision's object is named
        named: dict[str, object] = {
            "name": compiled.name,
            "object": ObjectRef(name=compiled.experiment.metadata.name),
        }
        if missing is not None:
            named["notes"] = (*out.results.notes, missing.note)
        out.results = out.results.model_copy(update=named)
        out.report = _report(root, out.results, commit, out)
    return out


def _preflight(root: Path, c: Compiled, prepared: Prepared) -> MissingFiles | None:
    """Files the trial's command names and this machine lacks (execute/preflight.py)."""
    from compiler.execute.preflight import check

    spec = c.spec
    local = spec.local.command if spec and spec.local else None
    trial = spec.trial if spec else None
    command = [*(trial.command or []), *(trial.args or [])] if trial else []
    return check(prepared.plan.dry_run, root, local, command or None)


def _source(root: Path, c: Compiled) -> Source:
    from compiler.git_repo import file_revision

    return Source(
        spec=c.source, spec_revision=file_revision(root, c.source), experiment_revision=c.revision
    )


def _rel(root: Path, folder: Path) -> str:
    try:
        return folder.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return folder.resolve().as_posix()


def _report(root: Path, results: Results, commit: bool, out: RunOutcome) -> list[str]:
    from compiler.reports import write_reports

    paths = write_reports(results, root)
    if commit:
        from compiler.git_repo import commit_paths

        out.commit = commit_paths(root, paths, commit_message(results))
        out.committed = out.commit is not None
    return paths


def commit_message(results: Results) -> str:
    best = results.best
    value = (
        f"best {results.objective.objective_metric_name} = {best.objective:.6g}"
        if best and best.objective is not None
        else "no objective value"
    )
    outcome = results.outcome + (f" ({results.reason})" if results.reason else "")
    return f"report: {results.namespace}/{results.name} {outcome}, {value}"
