"""Build one Go module of tools/ into a binary, cached outside the repository: the one way
the test tools are built (luaharness: Argo CD's Lua engine; celharness: Flux's CEL evaluator;
kustomize; dbmanager: Katib's katib-db-manager).

The binary goes to ``$KATIB_GITOPS_CACHE/<name>/<name>-<key>/<name>`` (default
``~/.cache/katib-gitops/``), keyed by a hash of the module's go.mod, go.sum and Go sources, the
Go version and the build flags, as ``tools/devcluster/harness.py`` does for kube-apiserver:
a rebuild happens only when one of those changes; parallel builders wait on a file lock.
`target` is the package to build: "." for the module's own main, or the import path of a
dependency the module lists as a `tool`. Modules come through the Go module proxy into the Go
module cache; nothing of those projects is stored in this repository.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

Log = Callable[[str], None]

FLAGS = ("-trimpath", "-buildvcs=false", "-ldflags", "-s -w")


class GoBuildError(RuntimeError):
    """`go` is missing, or the build failed."""


class HarnessError(RuntimeError):
    """A harness program rejected its input or failed."""


def cache_root() -> Path:
    base = os.environ.get("KATIB_GITOPS_CACHE")
    return Path(base).expanduser() if base else Path.home() / ".cache" / "katib-gitops"


def find_go() -> str:
    go = shutil.which("go")
    if go is None:
        raise GoBuildError("the `go` command is not on PATH (Go >= 1.24 builds the test tools)")
    return go


def go_env() -> dict[str, str]:
    env = dict(os.environ)
    env["CGO_ENABLED"] = "0"  # static binaries, no C toolchain needed
    env["GOFLAGS"] = "-mod=readonly"  # go.sum is the lock: never rewrite it in a build
    return env


def _go_version(go: str) -> str:
    res = subprocess.run(
        [go, "env", "GOVERSION", "GOOS", "GOARCH"],
        check=True,
        capture_output=True,
        text=True,
        env=go_env(),
    )
    return res.stdout.strip().replace("\n", " ")


def build_key(module_dir: Path, go: str, target: str = ".") -> str:
    """Hash of everything that determines the binary."""
    h = hashlib.sha256()
    h.update(_go_version(go).encode() + b"\0" + " ".join(FLAGS).encode() + b"\0")
    if target != ".":
        h.update(target.encode() + b"\0")
    sources = sorted(str(p.relative_to(module_dir)) for p in module_dir.rglob("*.go"))
    for rel in ["go.mod", "go.sum", *sources]:
        h.update(rel.encode() + b"\0" + (module_dir / rel).read_bytes() + b"\0")
    return h.hexdigest()[:16]


def build(module_dir: Path, name: str, log: Log, estimate: str = "", target: str = ".") -> Path:
    """Build `target` of the module into the cache once; return the binary's path."""
    go = find_go()
    root = cache_root() / name
    key = build_key(module_dir, go, target)
    out = root / f"{name}-{key}"
    binary = out / name

    def make(tmp: Path) -> str:
        log(f"building {name} (key {key}){', ' + estimate if estimate else ''}")
        start = time.monotonic()
        res = subprocess.run(  # noqa: PLW1510 - the exit code is checked below
            [go, "build", *FLAGS, "-o", str(tmp / name), target],
            cwd=module_dir,
            env=go_env(),
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        if res.returncode != 0 or not (tmp / name).is_file():
            tail = "\n".join((res.stdout + res.stderr).splitlines()[-40:])
            what = name if target == "." else target
            raise GoBuildError(f"go build {what} failed (exit {res.returncode}):\n{tail}")
        seconds = round(time.monotonic() - start, 1)
        log(f"built {name} in {seconds:.0f}s -> {binary}")
        info = {"key": key, "go": _go_version(go), "target": target, "seconds": seconds}
        return json.dumps(info, indent=2)

    if not binary.exists():  # a folder whose binary was deleted is built again
        (out / "BUILD-OK.json").unlink(missing_ok=True)
    if fill_once(out, "BUILD-OK.json", make):
        for old in root.glob(f"{name}-*"):  # drop binaries of older versions
            if old != out and old.is_dir() and (old / "BUILD-OK.json").exists():
                shutil.rmtree(old, ignore_errors=True)
    return binary


def fill_once(out: Path, stamp: str, make: Callable[[Path], str]) -> bool:
    """Make the cache folder `out` once: `make` fills a temporary folder beside it and returns
    the text of its `stamp` file, then the folder is renamed into place, so a reader sees a
    whole folder or none. Builders wait on a lock in the parent folder (pytest-xdist, parallel
    jobs). True when this call made it."""
    if (out / stamp).exists():
        return False
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.parent / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (out / stamp).exists():
            return False
        tmp = Path(tempfile.mkdtemp(prefix=f"{out.name}.", dir=out.parent))
        try:
            (tmp / stamp).write_text(make(tmp))
            if out.exists():
                shutil.rmtree(out)
            tmp.rename(out)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
    return True
