"""`plan`, `apply` and `reconcile --once`: one pass of the cluster room over a repository.
The one place where the git room, the compiler (to check generated/) and the cluster meet."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from compiler.cluster.reconcile import Context, Options, Outcome, run_pass
from compiler.errors import UsageError

NO_HISTORY = (
    "Per-trial metric history needs katib-db-manager (`--db-manager ADDR`): this report has "
    "each metric's min, max and latest, from the Trials."
)


class SetupError(UsageError):
    """The command line names something that cannot be used (exit 2), with a hint."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class Connection:
    kubeconfig: str | None = None
    context: str | None = None
    db_manager: str | None = None  # katib-db-manager's address, for metric history
    #: seconds one request may wait for its answer; a request and its retries stop after twice
    #: that (the client's defaults: 30 and 60). `--request-timeout 1` fails fast on a cluster
    #: that is away.
    request_timeout: float = 30.0


def context(
    root: Path,
    connection: Connection,
    options: Options,
    *,
    configmaps: Sequence[str] = (),
    on_request: Callable[[str, int], None] | None = None,
    log: Callable[[str], None] = lambda _: None,
) -> Context:
    from compiler.cluster.client import connect
    from compiler.cluster.errors import ConfigError
    from compiler.cluster.observe import Listing
    from compiler.cluster.retry import Retry
    from compiler.cluster.updates import update_errors
    from compiler.commands.revision import Verifier

    if not (root / ".git").exists():
        raise SetupError(
            f"{root} is not the root of a git repository",
            "give the clone's top folder (the one holding .git)",
        )
    timeout = connection.request_timeout
    if not timeout > 0:  # also refuses NaN
        raise SetupError(f"--request-timeout must be > 0, not {timeout:g}", "e.g. 30")
    try:
        cluster = connect(
            connection.kubeconfig,
            connection.context,
            timeout=timeout,
            retry=Retry(deadline=2 * timeout),
            on_request=on_request,
        )
    except ConfigError as exc:
        exc.hint = exc.hint or "pass --kubeconfig FILE (a kubeconfig), or set KUBECONFIG"
        raise
    series = None
    if connection.db_manager:
        from compiler.cluster.dbmanager import DBManager

        series = DBManager(connection.db_manager).series
    return Context(
        root=root,
        cluster=cluster,
        observer=Listing(cluster),
        verify=Verifier(root, configmaps),
        update_errors=update_errors,
        options=options,
        series=series,
        notes=() if series else (NO_HISTORY,),
        log=log,
    )


def plan(
    root: Path, connection: Connection, *, revision: str = "HEAD", configmaps: Sequence[str] = ()
) -> Outcome:
    """generated/ at `revision` against the cluster; nothing is changed."""
    options = Options(sync=False, revision=revision, apply=False, commit=False)
    return run_pass(context(root, connection, options, configmaps=configmaps))


def apply(
    root: Path,
    connection: Connection,
    *,
    revision: str = "HEAD",
    dry_run: bool = False,
    prune: bool = False,
    push: bool = False,
    configmaps: Sequence[str] = (),
    log: Callable[[str], None] = lambda _: None,
) -> Outcome:
    """Carry out the plan of `revision`; reports are committed (a replace or retire commits the
    old revision's report before it deletes anything)."""
    options = Options(sync=False, revision=revision, dry_run=dry_run, prune=prune, push=push)
    return run_pass(context(root, connection, options, configmaps=configmaps, log=log))
