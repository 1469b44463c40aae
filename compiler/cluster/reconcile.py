"""One reconcile pass, as a short sequence; its `Outcome` is recorded on every exit.

    1. sync       fetch and fast-forward the repository (git room)
    2. verify     generated/ at that revision is what its specs compile to (given by the command)
    3. plan       Git's experiments against the live ones (plan.py), and apply it (apply.py),
                  unless observe-only (ArgoCD or Flux applies); a replace or retire first
                  commits the old revision's report (`_archive`)
    4. observe    our experiments, and the trials of those whose report must change (observe.py)
    5. results    Experiment + Trials → Results (status.py)
    6. reports    write reports/ (the reports room) and make one commit if anything changed
    7. push       with --push; a non-fast-forward is fetched, rebased and retried by the git room,
                  which calls back here to rewrite our reports on top of theirs if they conflict

Reports change only when what can be observed changes: a report is rewritten only when the live
status (less lastReconcileTime), budget or existence differ from what it records.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compiler.cluster.api import Cluster
from compiler.cluster.apply import Applier, ChangeSet
from compiler.cluster.inventory import Inventory, Record
from compiler.cluster.observe import Obj, Observer
from compiler.cluster.plan import Action, Observed, Plan, UpdateCheck, make_plan
from compiler.cluster.status import Series, experiment_name, observed_status, results
from compiler.desired import DesiredSet, owned
from compiler.errors import KatibGitopsError
from compiler.model.results import Deleted, Results
from compiler.render.manifests import REVISION_ANNOTATION

REPORTS = "reports"
CHUNK = 50  # experiments whose trials are read and reported together


@dataclass(frozen=True)
class Options:
    observe_only: bool = False
    prune: bool = False
    push: bool = False
    dry_run: bool = False
    sync: bool = True  # fetch and fast-forward first (reconcile); plan and apply read a revision
    commit: bool = True  # commit (and push) the reports at the end of the pass (--watch debounces)
    apply: bool = True  # False: stop after the plan (`katib-gitops plan`)
    revision: str = "HEAD"  # without sync: the revision whose generated/ is applied
    remote: str = "origin"
    branch: str | None = None


@dataclass
class Context:
    root: Path
    cluster: Cluster
    observer: Observer
    verify: Callable[[str], DesiredSet]  # generated/ at a revision, checked against its specs
    update_errors: UpdateCheck  # Katib's U-rules on an edit (plan.py)
    options: Options = field(default_factory=Options)
    #: katib-db-manager's metric logs: (trial name, metric names) → Series (dbmanager.py)
    series: Callable[[Sequence[tuple[str, Sequence[str]]]], Series] | None = None
    notes: tuple[str, ...] = ()  # said in every report (e.g. "no metric history")
    log: Callable[[str], None] = lambda _: None
    #: uid → (resourceVersion, the report data it matched): an object the API server has not
    #: changed since it matched the same report needs no compare (a --watch pass at 1,000)
    unchanged: dict[str, tuple[str, Mapping[str, Any]]] = field(default_factory=dict)


@dataclass
class Outcome:
    revision: str = ""
    plan: Plan | None = None
    changes: ChangeSet | None = None
    written: list[str] = field(default_factory=list)  # report folders
    commits: list[str] = field(default_factory=list)
    pushed: bool = False
    error: KatibGitopsError | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


def run_pass(ctx: Context) -> Outcome:
    out = Outcome()
    started = time.monotonic()
    try:
        out.revision = _revision(ctx)  # 1
        desired = ctx.verify(out.revision)  # 2
        inventory = _inventory(ctx.root)
        spaces = _namespaces(desired, inventory)
        observed = _observe(ctx, spaces)
        out.plan = make_plan(desired, observed, ctx.update_errors, inventory.namespaces)  # 3
        if not ctx.options.apply:
            return out
        out.changes = Applier(
            ctx.cluster,
            lambda a: _archive(ctx, out, a),
            inventory,
            dry_run=ctx.options.dry_run,
            prune=ctx.options.prune,
            observe_only=ctx.options.observe_only,
        ).run(out.plan)
        if ctx.options.dry_run:
            return out
        if out.changes.writes:
            observed = _observe(ctx, spaces)  # what the applied changes made
        live = [e for e in observed.experiments if owned(e)]  # 4
        # reports/ as read before the plan, unless applying wrote to it (a replace archives)
        same = None if out.changes.writes else inventory
        out.written = write_observed(ctx, desired, live, same)  # 5, 6
        if ctx.options.commit:
            # a sync left reports/ as HEAD has it (sync.tidy): nothing written, nothing to commit
            look = bool(out.written) or not ctx.options.sync
            finish(ctx, out, lambda: write_observed(ctx, desired, live), commit=look)  # 6, 7
    except KatibGitopsError as exc:
        out.error = _explained(exc)
    finally:
        out.seconds = time.monotonic() - started
    return out


def finish(
    ctx: Context,
    out: Outcome,
    regenerate: Callable[[], Sequence[str]] | None = None,
    *,
    commit: bool = True,
) -> None:
    """Commit what reports/ holds (one commit, only if something changed), then push."""
    if commit:
        _commit(ctx, out, _message(out))
    if ctx.options.push:
        _push(ctx, out, regenerate or (lambda: ()))


def write_observed(
    ctx: Context, desired: DesiredSet, live: Sequence[Obj], inventory: Inventory | None = None
) -> list[str]:
    """Steps 4-6: the reports of every live experiment of ours whose observation changed, and
    of every recorded one that is gone or going (a deletionTimestamp: its last observation,
    marked); the folders written. `inventory`: reports/ as it is, if already read."""
    from compiler.reports import write_index, write_reports

    if inventory is None:
        inventory = _inventory(ctx.root)
    wanted = {d.key: d.revision for d in desired.experiments}
    # Being deleted, an experiment loses its trials one by one (garbage collection): its last
    # report is kept as it was, and only marked; what is read now would lose trials.
    going = [e for e in live if _deleting(e)]
    todo = [e for e in live if not _deleting(e) and _changed(ctx, e, inventory.report_of(e))]
    todo.sort(key=lambda e: not _is_current(e, wanted))  # current revisions first: they archive
    todo += [e for e in going if inventory.report_of(e) is None]  # never reported: all there is
    written = []
    for start in range(0, len(todo), CHUNK):  # a chunk's trials at a time: memory stays flat
        chunk = todo[start : start + CHUNK]
        trials = ctx.observer.trials(chunk)
        series = _series(ctx, [t for ts in trials.values() for t in ts])
        for exp in chunk:
            key = (_ns(exp), str((exp.get("metadata") or {}).get("name", "")))
            deleted = _why_gone(results(exp, []), wanted) if _deleting(exp) else None
            r = results(exp, trials.get(key, []), deleted=deleted, series=series, notes=ctx.notes)
            current = True if _is_current(exp, wanted) and deleted is None else None
            written += write_reports(r, ctx.root, current=current, index=False)[:1]
    uids = {str((e.get("metadata") or {}).get("uid", "")) for e in live if not _deleting(e)}
    for uid in set(ctx.unchanged) - uids:  # gone: forget them
        del ctx.unchanged[uid]
    for record in inventory.records:
        if record.uid in uids or record.deleted:
            continue
        gone = record.results.model_copy(update={"deleted": _why_gone(record.results, wanted)})
        written += write_reports(gone, ctx.root, current=None, index=False)[:1]
    if written:
        write_index(ctx.root)
    return sorted(set(written))


def _archive(ctx: Context, out: Outcome, action: Action) -> None:
    """Commit (and push) the report of the object `action` is about to delete."""
    assert action.live is not None
    from compiler.reports import write_reports

    exp = action.live
    key = (_ns(exp), str((exp.get("metadata") or {}).get("name", "")))
    trials = ctx.observer.trials([exp]).get(key, [])
    # the last chance: Katib deletes a trial's metric logs with the trial (clean-metrics-in-db)
    r = results(exp, trials, series=_series(ctx, trials), notes=ctx.notes)
    write_reports(r, ctx.root, current=None)
    verb = "replace" if action.action == "replace" else "retire"
    _commit(ctx, out, f"report: {r.namespace}/{r.name} revision {_rev(exp)}, before its {verb}")
    if ctx.options.push:
        _push(ctx, out, lambda: write_reports(r, ctx.root, current=None))


def _explained(exc: KatibGitopsError) -> KatibGitopsError:
    """A transient cluster error that outlived its retries (a 429, a 5xx) says what it is and
    that a later pass may succeed: the server's own words ("the server is currently unable to
    handle the request") do not."""
    from compiler.cluster.errors import Transient

    if isinstance(exc, Transient) and not exc.hint:
        answer = f"HTTP {exc.status}" if exc.status else "no answer"
        exc.hint = (
            f"the API server failed ({answer}) after every retry: a transient failure, the next "
            "pass tries again (--request-timeout sets how long a request and its retries take)"
        )
    return exc


def _series(ctx: Context, trials: Sequence[Obj]) -> Series:
    """The metric logs of these trials: each trial's objective metric and additional ones, as
    Katib's trial controller asks for them."""
    if ctx.series is None or not trials:
        return {}
    asks = []
    for t in trials:
        objective = (t.get("spec") or {}).get("objective") or {}
        also = objective.get("additionalMetricNames") or []
        names = [objective.get("objectiveMetricName", ""), *also]
        asks.append((str((t.get("metadata") or {}).get("name", "")), [n for n in names if n]))
    return ctx.series(asks)


def _changed(ctx: Context, exp: Obj, record: Record | None) -> bool:
    """What the report records differs from what the cluster shows: compared as the JSON the
    report holds, so that an unchanged experiment costs no parse of its report."""
    if record is None or record.deleted:
        return True
    meta = exp.get("metadata") or {}
    uid, version = str(meta.get("uid", "")), str(meta.get("resourceVersion", ""))
    seen = ctx.unchanged.get(uid)
    if seen is not None and seen[0] == version and seen[1] is record.data:
        return False
    if _differs(exp, record):
        return True
    ctx.unchanged[uid] = (version, record.data)
    return False


def _differs(exp: Obj, record: Record) -> bool:
    spec = exp.get("spec") or {}
    budget = {
        k: spec.get(k) for k in ("parallelTrialCount", "maxTrialCount", "maxFailedTrialCount")
    }
    data = record.data
    return (
        data.get("budget") != budget
        or (data.get("source") or {}).get("experimentRevision") != _rev(exp)
        or data.get("status") != observed_status(exp).model_dump(by_alias=True, mode="json")
    )


def _is_current(exp: Obj, wanted: Mapping[tuple[str, str], str]) -> bool:
    return wanted.get((_ns(exp), experiment_name(exp))) == _rev(exp)


def _deleting(exp: Obj) -> bool:
    return bool((exp.get("metadata") or {}).get("deletionTimestamp"))


def _why_gone(r: Results, wanted: Mapping[tuple[str, str], str]) -> Deleted:
    revision = wanted.get((r.namespace, r.name))
    if revision is None:
        return Deleted(reason="Retired", message="Its spec was removed from Git.")
    if revision != r.source.experiment_revision:
        return Deleted(reason="Replaced", replaced_by=revision)
    return Deleted(
        reason="DeletedOutside",
        message="It was deleted outside katib-gitops; Git still holds its spec, so a new run "
        "of it is created.",
    )


def _revision(ctx: Context) -> str:
    from compiler import git_repo

    if ctx.options.sync:
        synced = git_repo.sync(ctx.root, remote=ctx.options.remote, branch=ctx.options.branch)
        return str(synced.head)
    return git_repo.revision(ctx.root, ctx.options.revision)


def _commit(ctx: Context, out: Outcome, message: str) -> None:
    from compiler.git_repo import IDENTITY, commit_paths

    if not (ctx.root / REPORTS).is_dir():
        return  # nothing was ever reported
    # our identity: the next sync tells our unpushed commits from anyone else's by it
    sha = commit_paths(ctx.root, [REPORTS], message, identity=IDENTITY)
    if sha is not None:
        out.commits.append(sha)
        ctx.log(f"committed {sha[:10]}: {message}")


def _push(ctx: Context, out: Outcome, regenerate: Callable[[], Sequence[str]]) -> None:
    from compiler import git_repo

    def again() -> Sequence[str]:
        regenerate()
        return [REPORTS]

    result = git_repo.push(
        ctx.root, remote=ctx.options.remote, branch=ctx.options.branch, regenerate=again
    )
    out.pushed = out.pushed or bool(result.pushed)


def _observe(ctx: Context, spaces: Sequence[str]) -> Observed:
    return Observed(ctx.observer.experiments(spaces), ctx.observer.namespaces(spaces))


def _inventory(root: Path) -> Inventory:
    from compiler.reports import recorded

    return Inventory.of(recorded(root))


def _namespaces(desired: DesiredSet, inventory: Inventory) -> list[str]:
    return sorted({d.namespace for d in desired.experiments} | set(inventory.namespaces))


def _message(out: Outcome) -> str:
    folders = [w.split("/", 1)[1] if "/" in w else w for w in out.written]
    shown = ", ".join(folders[:5]) + (f" and {len(folders) - 5} more" if len(folders) > 5 else "")
    return f"reports: {shown} at {out.revision[:10]}" if folders else "reports"


def _ns(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("namespace", ""))


def _rev(obj: Mapping[str, Any]) -> str:
    return str(((obj.get("metadata") or {}).get("annotations") or {}).get(REVISION_ANNOTATION, ""))


__all__ = ["Context", "Options", "Outcome", "Results", "finish", "run_pass", "write_observed"]
