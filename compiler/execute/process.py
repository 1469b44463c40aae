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
import re
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
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


TAIL_LINES = 10
_TAIL_BYTES = 64 * 1024
_LINE_CHARS = 400
_ESCAPES = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-_])")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# environment variables whose values are kept out of what we print and commit
_SECRET_NAMES = re.compile(
    r"TOKEN|SECRET|PASSW|PASSPHRASE|CREDENTIAL|PRIVATE|API_?KEY|ACCESS_?KEY|AUTH", re.I
)


def log_tail(launch: Launch, root: Path, lines: int = TAIL_LINES) -> tuple[str, ...]:
    """The last lines of a trial's log, safe to print and to commit: terminal escapes and
    control characters dropped (a progress bar's carriage returns keep their last state),
    long lines cut, the values of secret-looking environment variables masked, and the
    repository's absolute path made relative."""
    try:
        with launch.log.open("rb") as fh:
            start = max(0, fh.seek(0, os.SEEK_END) - _TAIL_BYTES)
            fh.seek(start)
            data = fh.read()
    except OSError:
        return ()
    out = [_clean(line) for line in data.decode("utf-8", "replace").split("\n")]
    out = out[1:] if start else out  # the first line read may have lost its beginning
    while out and not out[-1]:
        out.pop()
    secrets = sorted(
        {v for k, v in launch.env.items() if _SECRET_NAMES.search(k) and len(v) >= 6},
        key=len,
        reverse=True,
    )
    base = str(root.resolve())
    return tuple(_mask(line, secrets, base) for line in out[-lines:])


@dataclass
class TailPrinter:
    """A failed trial's last log lines for the terminal, once for each distinct ending (a
    mistake that fails every trial would otherwise print the same lines each time)."""

    root: Path
    first: dict[tuple[str, ...], str] = field(default_factory=dict)  # last lines → first trial

    def text(self, name: str, log: Path, tail: tuple[str, ...]) -> str:
        if not tail:
            return ""
        first = self.first.setdefault(tail, name)
        if first != name:
            return f"\n  its log ends as {first}'s does"
        try:
            shown = log.relative_to(self.root.resolve()).as_posix()
        except ValueError:
            shown = str(log)
        return f"\n  the last lines of {shown}:\n" + "\n".join(f"  | {line}" for line in tail)


def _mask(line: str, secrets: list[str], base: str) -> str:
    for value in secrets:
        line = line.replace(value, "***")
    return line.replace(base + "/", "") if base != "/" else line


def _clean(line: str) -> str:
    line = _ESCAPES.sub("", line).rstrip()
    line = line.rsplit("\r", 1)[-1]
    line = _CONTROLS.sub("", line.expandtabs(4))
    return line if len(line) <= _LINE_CHARS else line[: _LINE_CHARS - 1] + "…"


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
