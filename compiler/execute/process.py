"""One trial as a subprocess: its own process group, its log, its deadline.

Like a pod's container, the trial's process group ends when its main process ends (leftover
children are killed), and on `activeDeadlineSeconds` the whole group gets SIGTERM, then SIGKILL
after the pod's grace period (`terminationGracePeriodSeconds`, 30 s by default), and the job
fails with reason DeadlineExceeded. The study loop waits on every trial's pidfd at once, so it
sleeps until a trial ends, a deadline passes or an early-stopping check is due: no threads.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from compiler.execute.plan import Launch


@dataclass(frozen=True)
class Exit:
    name: str
    code: int | None  # the exit status; negative: killed by that signal
    failure: str | None  # "<job reason>: <job message>" when the job failed, else None
    stopped: bool  # stopped by us (early stopping or shutdown), not by itself


class TrialProcess:
    """A started trial. The study loop waits on `fd` (a pidfd: readable when the process
    ends) and calls `tick` when a deadline or a grace period may have passed."""

    def __init__(self, launch: Launch) -> None:
        self.launch = launch
        self.stopped = False
        self.timed_out = False
        _fresh(launch)
        with launch.log.open("wb") as log:
            self.popen = subprocess.Popen(  # noqa: S603 — the user's own trial command
                launch.argv,
                cwd=launch.cwd,
                env=launch.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, killed as a whole
            )
        self.fd = os.pidfd_open(self.popen.pid)
        self.started = time.monotonic()
        self.deadline_at = None if launch.deadline is None else self.started + launch.deadline
        self.kill_at: float | None = None

    @property
    def pid(self) -> int:
        return self.popen.pid

    def stop(self) -> None:
        """Stop the trial (early stopping, or the runner is shutting down)."""
        self.stopped = True
        self._terminate()

    def _terminate(self) -> None:
        """SIGTERM to the group now, SIGKILL after the grace period (as the kubelet does)."""
        kill_group(self.popen.pid, signal.SIGTERM)
        if self.kill_at is None:
            self.kill_at = time.monotonic() + self.launch.grace

    def tick(self, now: float) -> None:
        if self.deadline_at is not None and now >= self.deadline_at and not self.timed_out:
            self.timed_out = True
            self._terminate()
        if self.kill_at is not None and now >= self.kill_at:
            kill_group(self.popen.pid, signal.SIGKILL)
            self.kill_at = now + 1.0

    def wakeup(self) -> float | None:
        """When `tick` next has something to do."""
        times = [t for t in (None if self.timed_out else self.deadline_at, self.kill_at) if t]
        return min(times) if times else None

    def reap(self) -> Exit:
        """The process has ended: collect it, end its group (the container ends with its main
        process), and say how the job ended."""
        code = self.popen.wait()
        kill_group(self.popen.pid, signal.SIGKILL)
        os.close(self.fd)
        failure: str | None = None
        if self.timed_out:
            failure = "DeadlineExceeded: Job was active longer than specified deadline"
        elif code != 0 and not self.stopped:
            failure = f"Error: the trial's process {_status(code)}"
        return Exit(self.launch.name, code, failure, self.stopped)


def _status(code: int) -> str:
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"was killed by {signal.Signals(-code).name}"
        return f"was killed by signal {-code}"
    return f"exited with code {code}"


def _fresh(launch: Launch) -> None:
    """A new attempt starts as a new pod would: an empty metrics folder and working folder."""
    shutil.rmtree(launch.mount, ignore_errors=True)
    launch.mount.mkdir(parents=True, exist_ok=True)
    trial_dir = Path(launch.env.get("KATIB_GITOPS_TRIAL_DIR", ""))
    if trial_dir.name == launch.name:
        shutil.rmtree(trial_dir, ignore_errors=True)
        trial_dir.mkdir(parents=True, exist_ok=True)
    launch.log.parent.mkdir(parents=True, exist_ok=True)
    launch.cwd.mkdir(parents=True, exist_ok=True)


def kill_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def kill_leftovers(state_dir: Path) -> int:
    """Kill the process groups a previous runner left behind (it was killed, its trials were
    not): every process whose environment names this state folder. Linux's /proc only."""
    marker = f"KATIB_GITOPS_STATE={state_dir.resolve()}".encode()
    groups: set[int] = set()
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            env = (entry / "environ").read_bytes().split(b"\0")
            if marker in env and int(entry.name) != os.getpid():
                groups.add(os.getpgid(int(entry.name)))
        except (OSError, ValueError):
            continue
    for group in groups:
        if group != os.getpgid(0):
            kill_group(group, signal.SIGKILL)
    return len(groups)
