"""Every command of the issue, run on one input, in this process (fast: the CLI's own `main`)
or as the real `katib-gitops` subprocess; the outcome says whether it crashed or hung.

A crash is anything but a clean exit 0..3: an exception out of `main`, a `Traceback` in the
output (a child's, relayed), or another exit code. A hang is a run past its time limit.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import shutil
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.fuzz.seeds import (
    CONFIGMAP,
    EXAMPLES,
    KATIB_CONFIG,
    MANIFEST,
    POLICY,
    ROOT,
    SPEC,
    Seed,
)

INPUT = "input"  # where a manifest, a katib-config or a ConfigMap under test is written
Argv = Callable[["Workspace"], list[str]]


@dataclass(frozen=True)
class Workspace:
    """A small repository: the input under test at `rel`, the repository's policies/."""

    root: Path
    rel: str  # the input's path, relative to root
    bare: Path  # the same input in a repository without policies/ (so that none blocks a run)

    @property
    def file(self) -> str:
        return str(self.root / self.rel)

    @property
    def example(self) -> str:
        """A valid Katib manifest beside the input (for --old, --configmap, --katib-config)."""
        return str(self.root / "random.yaml")


def _root(w: Workspace) -> list[str]:
    return ["--root", str(w.root)]


def _bare(w: Workspace) -> list[str]:
    return ["--root", str(w.bare)]


def _render_cm(w: Workspace) -> list[str]:
    return ["render-trial", *_root(w), "--configmap", w.rel, "specs/team-e/cm.yaml"]


# kind → (target name, argv); each target names its command first
TARGETS: dict[str, list[tuple[str, Argv]]] = {
    MANIFEST: [
        ("admit", lambda w: ["admit", w.file]),
        ("admit --strict -o json", lambda w: ["admit", "--strict", "-o", "json", w.file]),
        ("admit -o yaml", lambda w: ["admit", "-o", "yaml", "--unlabelled-namespace", w.file]),
        ("admit --old", lambda w: ["admit", "--old", w.file, w.file]),
        ("admit --configmap", lambda w: ["admit", "--configmap", w.file, w.example]),
        ("import", lambda w: ["import", w.file]),
        ("import --python", lambda w: ["import", "--python", w.file]),
        (
            "import -o",
            lambda w: ["import", w.file, "-o", str(w.root / "specs/kubeflow/x.yaml"), "--force"],
        ),
    ],
    SPEC: [
        ("validate", lambda w: ["validate", *_bare(w), w.rel]),
        ("validate -o json", lambda w: ["validate", *_root(w), "-o", "json", w.rel]),
        ("check", lambda w: ["check", *_root(w), "--no-cache", w.rel]),
        ("check -f sarif", lambda w: ["check", *_root(w), "-f", "sarif", w.rel]),
        ("check -f json", lambda w: ["check", *_bare(w), "-f", "json", "--no-cache", w.rel]),
        ("compile", lambda w: ["compile", *_root(w), w.rel]),
        ("compile --check", lambda w: ["compile", *_bare(w), "--check", w.rel]),
        ("compile -o json", lambda w: ["compile", *_bare(w), "-o", "json", w.rel]),
        ("render-trial", lambda w: ["render-trial", *_bare(w), w.rel]),
        ("render-trial -o json", lambda w: ["render-trial", *_bare(w), "-o", "json", w.rel]),
        ("run", lambda w: ["run", *_bare(w), w.rel, "--max-trials", "0", "--plain", "--fresh"]),
        # two trials for real (their commands fail fast here: the workspace has no scripts)
        ("run 2 trials", lambda w: ["run", *_bare(w), w.rel, "--max-trials", "2", "--plain"]),
    ],
    POLICY: [
        ("check", lambda w: ["check", *_root(w), "--no-cache"]),
        ("check -f github", lambda w: ["check", *_root(w), "-f", "github", "--no-cache"]),
        ("compile", lambda w: ["compile", *_root(w)]),
        ("policy test", lambda w: ["policy", "test", *_root(w), "-v"]),
        ("policy rules", lambda w: ["policy", "rules", *_root(w)]),
    ],
    KATIB_CONFIG: [
        ("validate --katib-config", lambda w: ["validate", *_root(w), "--katib-config", w.rel]),
        ("admit --katib-config", lambda w: ["admit", "--katib-config", w.file, w.example]),
        ("import --katib-config", lambda w: ["import", "--katib-config", w.file, w.example]),
    ],
    CONFIGMAP: [
        ("validate --configmap", lambda w: ["validate", *_root(w), "--configmap", w.rel]),
        ("admit --configmap", lambda w: ["admit", "--configmap", w.file, w.example]),
        ("render-trial --configmap", _render_cm),
    ],
}
# the specs a POLICY, KATIB_CONFIG or CONFIGMAP input is checked with
COMPANION_SPECS = (
    "specs/kubeflow/random-example.yaml",
    "specs/kubeflow/tfjob-example.yaml",
    "specs/nlp/tokenizer-hyperband.yaml",
    "specs/vision/resnet-tpe.yaml",
    "specs/demo/spirals.yaml",
)
CM_SPEC = ROOT / "tests/golden/configmap-source/specs/team-e/cm.yaml"


def targets(kind: str) -> list[tuple[str, Argv]]:
    return TARGETS[kind]


@contextlib.contextmanager
def workspace(base: Path, seed: Seed, data: bytes) -> Iterator[Workspace]:
    """A fresh repository under `base` holding `data` where `seed` belongs."""
    root = base / "ws"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    shutil.copytree(ROOT / "policies", root / "policies")
    random_example = EXAMPLES / "hp-tuning" / "random.yaml"
    if random_example.exists():
        shutil.copy(random_example, root / "random.yaml")
    else:  # without ../shared: the admission tests' own small Experiment is as good
        shutil.copy(ROOT / "tests/unit/admission/data/experiment.yaml", root / "random.yaml")
    if seed.kind in (POLICY, KATIB_CONFIG, CONFIGMAP):
        for rel in COMPANION_SPECS:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / rel, root / rel)
        (root / "specs/team-e").mkdir(parents=True, exist_ok=True)
        shutil.copy(CM_SPEC, root / "specs/team-e/cm.yaml")
    rel = seed.rel if seed.kind in (SPEC, POLICY) else f"{INPUT}/{seed.rel}"
    bare = base / "bare"
    shutil.rmtree(bare, ignore_errors=True)
    for where in (root, bare):
        (where / rel).parent.mkdir(parents=True, exist_ok=True)
        (where / rel).write_bytes(data)
    yield Workspace(root, rel, bare)


@dataclass(frozen=True)
class Outcome:
    target: str
    code: int | None  # None: it did not finish
    seconds: float
    problem: str = ""  # why this is a crash or a hang, with the traceback
    output: str = ""  # what it printed, stdout then stderr

    @property
    def crashed(self) -> bool:
        return bool(self.problem) and not self.hung

    @property
    def hung(self) -> bool:
        return self.code is None


class _Hang(BaseException):
    """Raised by the alarm: the command ran past its limit."""


def _alarm(signum: int, frame: object) -> None:
    raise _Hang


def run_in_process(target: str, argv: list[str], timeout: float = 20.0) -> Outcome:
    """`compiler.cli.main(argv)` with its output captured; an exception is a crash."""
    out, err = io.StringIO(), io.StringIO()
    start = time.monotonic()
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    problem = ""
    code: int | None
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = _main(argv)
            except SystemExit as exc:  # argparse's usage errors
                code = exc.code if isinstance(exc.code, int) else 2
    except _Hang:
        code, problem = None, f"no answer within {timeout:.0f} s"
    except Exception:
        code, problem = -1, traceback.format_exc()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    seconds = time.monotonic() - start
    text = out.getvalue() + err.getvalue()
    if not problem:
        problem = _judge(code, text)
    return Outcome(target, code, seconds, problem, text)


def _main(argv: list[str]) -> int:
    """`compiler.cli.main`, with its argument parser built once: argparse parsers are reusable,
    and building this one costs more than many commands take to run."""
    from compiler import cli

    if not hasattr(cli.parser, "cache_info"):
        setattr(cli, "parser", functools.cache(cli.parser))  # noqa: B010 - mypy: a function
    before = os.environ.get("KATIB_GITOPS_TRACEBACK")
    os.environ["KATIB_GITOPS_TRACEBACK"] = "1"  # a bug raises here, past the last resort
    try:
        return cli.main(argv)
    finally:
        if before is None:
            del os.environ["KATIB_GITOPS_TRACEBACK"]
        else:
            os.environ["KATIB_GITOPS_TRACEBACK"] = before


def run_subprocess(target: str, argv: list[str], timeout: float = 60.0) -> Outcome:
    """The real command line, as a user runs it."""
    start = time.monotonic()
    env = {k: v for k, v in os.environ.items() if k != "KATIB_GITOPS_TRACEBACK"}
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "compiler", *argv],
            cwd=ROOT,
            env=env,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Outcome(target, None, time.monotonic() - start, f"no answer within {timeout:.0f} s")
    text = proc.stdout.decode("utf-8", "replace") + proc.stderr.decode("utf-8", "replace")
    seconds = time.monotonic() - start
    return Outcome(target, proc.returncode, seconds, _judge(proc.returncode, text), text)


INTERNAL = "katib-gitops: internal error"  # the CLI's last resort: a bug all the same


def _judge(code: int | None, text: str) -> str:
    for marker in ("Traceback (most recent call last)", INTERNAL):
        if marker in text:
            return text[text.index(marker) :][-4000:]
    if code is None or not 0 <= code <= 3:
        return f"exit code {code} (want 0..3)\n{text[-2000:]}"
    return ""
