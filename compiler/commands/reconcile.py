"""`reconcile`: keep a cluster at what Git holds, and Git's reports at what the cluster did.

`--once` is one pass (sync, verify, plan, apply, observe, reports, commit, push). `--watch` keeps
informers (list + watch with bookmarks, a relist on 410 Gone) and runs a pass whenever they see a
change, when the repository moves, and at every resync; reports are written at each pass and
committed at most every `commit_interval` (a report archived before a delete is committed at
once). SIGTERM ends the current pass, commits, pushes, and stops. A failed commit or push (the
git server away) is logged and tried again at the next commit; a watch that cannot go on (a
terminal error: Katib's CRDs gone, RBAC taken away) stops the loop with that error.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from compiler.cluster.metrics import ReconcilerMetrics
from compiler.cluster.plan import ORDER
from compiler.cluster.reconcile import Context, Options, Outcome, finish, run_pass
from compiler.commands.cluster import Connection, context
from compiler.errors import KatibGitopsError

if TYPE_CHECKING:
    from compiler.cluster.informer import Informer

Log = Callable[[str], None]


@dataclass(frozen=True)
class Watch:
    commit_interval: float = 60.0  # seconds between report commits
    fetch_interval: float = 60.0  # seconds between fetches of the repository
    resync: float = 300.0  # seconds between passes when nothing is seen to change
    listen: str | None = None  # /healthz, /readyz, /metrics


@dataclass
class Loop:
    """The state of `reconcile --watch` between passes."""

    ctx: Context
    watch: Watch
    stop: threading.Event
    log: Log
    changed: threading.Event = field(default_factory=threading.Event)
    pending: set[str] = field(default_factory=set)  # report folders written, not committed
    #: the last commit or push failed (the git server is away): the next round tries again
    push_error: KatibGitopsError | None = None
    fatal: KatibGitopsError | None = None  # an informer's terminal error: the loop stops on it
    revision: str = ""
    outcomes: list[Outcome] = field(default_factory=list)  # the last few, for tests
    #: the report commits made between passes (the pass's own are in its Outcome)
    on_commit: Callable[[Outcome], None] = lambda _: None

    def run(self, on_pass: Callable[[Outcome], None]) -> Outcome:
        """Until `stop`; the last pass's outcome (its error is the loop's)."""
        last_commit = last_fetch = last_pass = -1e18
        seen = -1
        out = Outcome()
        while True:
            now = time.monotonic()
            stopping = self.stop.is_set()
            if not stopping and now - last_fetch >= self.watch.fetch_interval:
                self._commit(out)  # a sync restores reports/ to HEAD: commit them first
                last_commit = now
                self.revision = self._sync(out) or self.revision
                last_fetch, seen = now, -1  # a new revision: plan again
            generation = self._generation()
            if self.revision and (generation != seen or now - last_pass >= self.watch.resync):
                seen, last_pass = generation, now
                self.changed.clear()
                out = self._pass()
                on_pass(out)
            due = stopping or now - last_commit >= self.watch.commit_interval
            if (self.pending or self.push_error) and due:
                self._commit(out)
                last_commit = now
            if stopping:
                out.error = self.fatal or out.error or self.push_error
                return out
            self._wait(min(self.watch.fetch_interval, self.watch.commit_interval, 1.0))

    def _pass(self) -> Outcome:
        options = replace(self.ctx.options, sync=False, revision=self.revision, commit=False)
        out = run_pass(replace(self.ctx, options=options))
        self.pending.update(out.written)
        self.outcomes = [*self.outcomes[-9:], out]
        return out

    def _sync(self, out: Outcome) -> str:
        from compiler import git_repo

        try:
            o = self.ctx.options
            return str(git_repo.sync(self.ctx.root, remote=o.remote, branch=o.branch).head)
        except KatibGitopsError as exc:
            out.error = exc  # the next pass reports it; the loop goes on
            self.log(f"sync failed: {exc}")
            return ""

    def _commit(self, out: Outcome) -> None:
        if not (self.pending or self.push_error):
            return
        done = Outcome(revision=self.revision, written=sorted(self.pending))
        try:
            finish(self.ctx, done)
        except KatibGitopsError as exc:
            # what was committed stays in the clone (a sync replays it); reports not committed
            # are written again by the next pass: the next round pushes them; the loop goes on
            done.error = exc
            self.log(f"commit or push failed: {exc}")
        self.push_error = done.error
        out.commits += done.commits
        out.pushed = out.pushed or done.pushed
        self.pending.clear()
        self.on_commit(done)

    def _generation(self) -> int:
        return int(getattr(self.ctx.observer, "generation", 0))

    def _wait(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not (self.stop.is_set() or self.changed.is_set()):
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self.changed.wait(min(left, 0.25))


def once(
    root: Path,
    connection: Connection,
    options: Options,
    *,
    configmaps: Sequence[str] = (),
    on_request: Callable[[str, int], None] | None = None,
    log: Log = lambda _: None,
) -> Outcome:
    ctx = context(root, connection, options, configmaps=configmaps, on_request=on_request, log=log)
    return run_pass(ctx)


def watch(
    root: Path,
    connection: Connection,
    options: Options,
    settings: Watch,
    stop: threading.Event,
    *,
    configmaps: Sequence[str] = (),
    log: Log = lambda _: None,
) -> Outcome:
    """Run passes until `stop` is set; serve health and metrics on `settings.listen`."""
    from compiler.cluster.metrics import Registry, reconciler_metrics
    from compiler.cluster.serve import Health, serve

    registry = Registry()
    metrics = reconciler_metrics(registry)
    health = Health()

    def on_request(verb: str, code: int) -> None:
        metrics.api_requests.inc(verb=verb, code=code)

    ctx = context(root, connection, options, configmaps=configmaps, on_request=on_request, log=log)
    server = serve(settings.listen, registry, health) if settings.listen else None
    loop = Loop(ctx, settings, stop, log, on_commit=lambda done: _record_round(metrics, done))
    informers = _start_informers(loop, stop)

    def on_pass(out: Outcome) -> None:
        health.beat()
        _record(metrics, out)
        if out.error is None:
            health.set_ready(True, f"revision {out.revision[:10]}")
        elif not getattr(out.error, "retryable", False):
            # the port is open to the cluster: say what failed, not its words (they are logged)
            health.set_ready(False, f"the last pass failed: {type(out.error).__name__}")
        log(_summary(out))

    try:
        return loop.run(on_pass)
    finally:
        stop.set()
        for thread in informers:
            thread.join(timeout=10)
        if server is not None:
            server.stop()


def _start_informers(loop: Loop, stop: threading.Event) -> list[threading.Thread]:
    """Experiments, our Trials and Namespaces, each listed and then watched in a thread."""
    from compiler.cluster.informer import Informer
    from compiler.cluster.kinds import EXPERIMENT, NAMESPACE, TRIAL
    from compiler.cluster.observe import Informed
    from compiler.render.manifests import MANAGED_LABEL

    cluster = loop.ctx.cluster
    caches = [
        Informer(cluster, EXPERIMENT),
        Informer(cluster, TRIAL, label_selector=f"{MANAGED_LABEL}=true"),
        Informer(cluster, NAMESPACE),
    ]
    for informer in caches:
        informer.list()
    loop.ctx = replace(loop.ctx, observer=Informed(*caches))
    threads = []
    for informer in caches:
        t = threading.Thread(
            target=_follow,
            args=(loop, informer, stop),
            name=f"informer-{informer.kind.plural}",
            daemon=True,
        )
        t.start()
        threads.append(t)
    return threads


def _follow(loop: Loop, informer: Informer, stop: threading.Event) -> None:
    """An informer's thread. A terminal error (Katib's CRDs deleted, RBAC taken away) ends its
    cache: a loop on a stale cache would report what is no longer so, so the loop stops with
    that error, after its last pass and commit."""
    try:
        informer.run(stop, lambda _event: loop.changed.set())
    except KatibGitopsError as exc:
        loop.log(f"watching {informer.kind.plural} failed: {exc}")
        loop.fatal = loop.fatal or exc
        stop.set()


def _record(m: ReconcilerMetrics, out: Outcome) -> None:
    m.passes.inc(result="ok" if out.error is None else "error")
    if out.error is not None:
        m.errors.inc(kind=type(out.error).__name__)
    _record_commits(m, out)
    m.pass_seconds.set(out.seconds)
    m.last_pass.set(time.time())


def _record_commits(m: ReconcilerMetrics, out: Outcome) -> None:
    m.commits.inc(len(out.commits))
    if out.commits and out.pushed:
        m.pushes.inc(result="ok")


def _record_round(m: ReconcilerMetrics, done: Outcome) -> None:
    """A commit (and push) between passes (`Loop._commit`)."""
    _record_commits(m, done)
    if done.error is not None:
        m.errors.inc(kind=type(done.error).__name__)
        m.pushes.inc(result="error")


def _summary(out: Outcome) -> str:
    if out.error is not None:
        return f"pass failed at {out.revision[:10] or '?'}: {out.error}"
    counts = ""
    if out.plan is not None:
        counts = ", ".join(f"{out.plan.count(w)} {w}" for w in ORDER if out.plan.count(w))
    return (
        f"pass at {out.revision[:10]}: {counts or 'no experiments'}; "
        f"{len(out.written)} report(s) written in {out.seconds:.2f}s"
    )


def prepare(root: Path, clone_url: str | None, branch: str | None, credentials: str | None) -> None:
    """Git credentials from a mounted Secret, and a clone of `clone_url` when `root` has none."""
    from compiler import git_repo

    if credentials:
        git_repo.use_credentials(Path(credentials))
    if clone_url and not (root / ".git").exists():
        git_repo.clone(clone_url, root, branch=branch)
