"""A `Plan` carried out → a `ChangeSet`: one `Change` per action, whatever happened.

Server-side apply with one field manager (`api.FIELD_MANAGER`); ConfigMaps (trial templates)
before Experiments. Destructive steps follow one rule: an object is deleted only after its report
is committed (the `archive` callback does that, and pushes when asked), only if it is ours and in
the inventory, only with its uid as a precondition (a recreated object of the same name is not
the one we archived), and a retire only with `prune`.

    create, in-place   apply (skipped in observe-only mode: ArgoCD or Flux applies)
    replace            archive the old revision, delete it, then create the new one (with the
                       same name: once the old one is gone)
    retire             with prune: archive, then delete
    others             nothing is sent
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from compiler.cluster.api import Cluster
from compiler.cluster.errors import Conflict, Invalid, NotFound, Terminal, Transient
from compiler.cluster.inventory import Inventory
from compiler.cluster.kinds import EXPERIMENT
from compiler.cluster.plan import (
    CREATE,
    IN_PLACE_ACTION,
    REPLACE_ACTION,
    RETIRE,
    Action,
    Plan,
)

Result = Literal["applied", "dry-run", "skipped", "failed"]
#: commits (and pushes) the report of `action.live`, so that it can be deleted
Archive = Callable[[Action], None]


@dataclass(frozen=True)
class Change:
    action: Action
    result: Result
    message: str = ""


@dataclass(frozen=True)
class ChangeSet:
    changes: tuple[Change, ...] = ()

    def count(self, result: Result) -> int:
        return sum(1 for c in self.changes if c.result == result)

    @property
    def writes(self) -> int:
        return sum(1 for c in self.changes if c.result == "applied")

    def as_dict(self) -> dict[str, object]:
        return {
            "changes": [
                {**c.action.as_dict(), "result": c.result, "message": c.message}
                for c in self.changes
            ]
        }


@dataclass
class Applier:
    cluster: Cluster
    archive: Archive
    inventory: Inventory
    dry_run: bool = False
    prune: bool = False
    observe_only: bool = False
    #: how long a same-name replace waits for the old object to go (Katib's finalizer)
    gone_timeout: float = 120.0
    sleep: Callable[[float], None] = field(default=time.sleep)

    def run(self, plan: Plan) -> ChangeSet:
        return ChangeSet(tuple(self._one(a) for a in plan.actions))

    def _one(self, a: Action) -> Change:
        try:
            if a.action in (CREATE, IN_PLACE_ACTION):
                return self._apply(a)
            if a.action == REPLACE_ACTION:
                return self._replace(a)
            if a.action == RETIRE:
                return self._retire(a)
        except (Invalid, Conflict, NotFound) as exc:
            return Change(a, "failed", exc.message)
        except Terminal as exc:
            if exc.status == 403 and "admission webhook" not in exc.message:
                raise  # RBAC: no point in trying the rest
            return Change(a, "failed", exc.message)
        return Change(a, "skipped")

    def _apply(self, a: Action) -> Change:
        if self.observe_only:
            return Change(a, "skipped", "observe-only: ArgoCD or Flux applies generated/")
        assert a.desired is not None
        self.cluster.apply(a.desired.manifest, dry_run=self.dry_run, force=True)
        return Change(a, "dry-run" if self.dry_run else "applied")

    def _replace(self, a: Action) -> Change:
        assert a.desired is not None and a.live is not None
        same_name = a.replaces == a.name
        if self.observe_only:
            return self._replace_beside_a_gitops_tool(a, same_name)
        if self.dry_run:
            self._delete(a, dry_run=True)
            if not same_name:  # the webhook judges the new one; with the same name it cannot
                self.cluster.apply(a.desired.manifest, dry_run=True, force=True)
            return Change(a, "dry-run")
        self.archive(a)
        self._delete(a, dry_run=False)
        if same_name:
            self._wait_gone(a)
        self.cluster.apply(a.desired.manifest, force=True)
        return Change(a, "applied", f"replaced {a.namespace}/{a.replaces}")

    def _replace_beside_a_gitops_tool(self, a: Action, same_name: bool) -> Change:
        """ArgoCD or Flux applies: a new name is theirs to create. The same name they cannot
        replace (Katib refuses the edit, U-3): with --prune the old revision is archived and
        deleted, and their next sync creates the new one."""
        if not same_name:
            return Change(a, "skipped", "observe-only: the new revision comes from ArgoCD or Flux")
        if not self.prune:
            return Change(
                a,
                "failed",
                "Katib refuses this edit in place and ArgoCD or Flux cannot replace an object of "
                "the same name (revisionSuffix: false): run with --prune to archive and delete "
                "the old revision, so that the next sync creates the new one",
            )
        if self.dry_run:
            self._delete(a, dry_run=True)
            return Change(a, "dry-run")
        self.archive(a)
        self._delete(a, dry_run=False)
        return Change(
            a, "applied", "deleted after its report was committed; the next sync creates it"
        )

    def _retire(self, a: Action) -> Change:
        if not self.prune:
            return Change(a, "skipped", "retire needs --prune")
        if self.dry_run:
            self._delete(a, dry_run=True)
            return Change(a, "dry-run")
        self.archive(a)  # its report is committed: it is in the inventory now
        self._delete(a, dry_run=False)
        return Change(a, "applied", "deleted after its report was committed")

    def _delete(self, a: Action, *, dry_run: bool) -> None:
        assert a.live is not None
        meta = a.live.get("metadata") or {}
        self.cluster.delete(
            EXPERIMENT,
            str(meta.get("namespace", "")),
            str(meta.get("name", "")),
            uid=str(meta.get("uid", "")),
            dry_run=dry_run,
        )

    def _wait_gone(self, a: Action) -> None:
        """Katib's controller removes its finalizer, then the object goes (§2)."""
        waited, step = 0.0, 0.2
        while self.cluster.get(EXPERIMENT, a.namespace, a.name) is not None:
            if waited >= self.gone_timeout:
                raise Transient(
                    f"still being deleted after {waited:.0f}s",
                    object=EXPERIMENT.ref(a.namespace, a.name),
                    hint="Katib's controller removes its finalizer when it is running; the "
                    "next pass creates the new revision",
                )
            self.sleep(step)
            waited += step
            step = min(step * 2, 5.0)
