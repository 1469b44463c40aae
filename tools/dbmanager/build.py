"""Katib's own ``katib-db-manager`` for tests, built from the Katib module's
``cmd/db-manager/v1beta1`` (``go.mod`` beside this file: ``tool`` directive); nothing of Katib is
kept in this repository.

The binary is cached in ``$KATIB_GITOPS_CACHE/dbmanager/`` (default
``~/.cache/katib-gitops/dbmanager/``) under a key hashing go.mod, go.sum, the Go version and the
build flags, so it is built once per version; parallel builders wait on a file lock.

    python -m tools.dbmanager.build        # build (or reuse) and print the binary's path

Only the standard library is used, as in ``tools/devcluster/harness.py``.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
KATIB_MODULE = "github.com/kubeflow/katib"
PACKAGE = f"{KATIB_MODULE}/cmd/db-manager/v1beta1"
BINARY = "katib-db-manager"  # the name Katib's image gives it (cmd/db-manager/v1beta1/Dockerfile)
LDFLAGS = "-s -w"
#: where Katib's gRPC API is defined, inside the Katib module
API_PROTO = "pkg/apis/manager/v1beta1/api.proto"


class DBManagerBuildError(RuntimeError):
    """Go is missing, or `go build` of katib-db-manager failed."""


def cache_root() -> Path:
    base = os.environ.get("KATIB_GITOPS_CACHE")
    root = Path(base).expanduser() if base else Path.home() / ".cache" / "katib-gitops"
    return root / "dbmanager"


def katib_version() -> str:
    """The Katib release go.mod pins, e.g. v0.19.0."""
    text = (HERE / "go.mod").read_text()
    m = re.search(rf"^\s*(?:require\s+)?{re.escape(KATIB_MODULE)}\s+(v\S+)", text, re.M)
    if not m:
        raise DBManagerBuildError(f"{KATIB_MODULE} is not required in {HERE / 'go.mod'}")
    return m.group(1)


def find_go() -> str:
    go = shutil.which("go")
    if go is None:
        raise DBManagerBuildError("the `go` command is not on PATH (needed for katib-db-manager)")
    return go


def _env() -> dict[str, str]:
    return dict(os.environ, CGO_ENABLED="0")  # a static binary, no C toolchain


def _go_version(go: str) -> str:
    out = subprocess.run(
        [go, "env", "GOVERSION", "GOOS", "GOARCH"],
        check=True,
        capture_output=True,
        text=True,
        env=_env(),
    )
    return out.stdout.strip().replace("\n", " ")


def build_key(go: str) -> str:
    h = hashlib.sha256()
    h.update(_go_version(go).encode() + b"\0" + LDFLAGS.encode() + b"\0")
    for name in ("go.mod", "go.sum"):
        h.update(name.encode() + b"\0" + (HERE / name).read_bytes() + b"\0")
    return h.hexdigest()[:16]


def dbmanager_binary(log: bool = True) -> Path:
    """The path of katib-db-manager built from go.mod's Katib version (built at most once)."""
    go = find_go()
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    out = root / f"{BINARY}-{build_key(go)}"
    binary, stamp = out / BINARY, out / "BUILD-OK.json"
    if stamp.exists() and binary.exists():
        return binary
    with open(root / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one builder at a time (pytest-xdist, parallel CI)
        if stamp.exists() and binary.exists():
            return binary
        _build(go, out, log)
        for old in root.glob(f"{BINARY}-*"):  # drop builds of other versions
            if old != out and (old / "BUILD-OK.json").exists():
                shutil.rmtree(old, ignore_errors=True)
    return binary


def _build(go: str, out: Path, log: bool) -> None:
    start = time.monotonic()
    if log:
        print(f"[dbmanager] building {PACKAGE}@{katib_version()} -> {out}", file=sys.stderr)
    tmp = Path(tempfile.mkdtemp(prefix=f"{BINARY}-", dir=out.parent))
    try:
        argv = [go, "build", "-trimpath", "-ldflags", LDFLAGS, "-o", str(tmp / BINARY), PACKAGE]
        res = subprocess.run(  # noqa: PLW1510 - the exit code is checked just below
            argv, cwd=HERE, env=_env(), capture_output=True, text=True, stdin=subprocess.DEVNULL
        )
        if res.returncode != 0 or not (tmp / BINARY).is_file():
            tail = "\n".join((res.stdout + res.stderr).splitlines()[-30:])
            raise DBManagerBuildError(f"go build {PACKAGE} failed (exit {res.returncode}):\n{tail}")
        seconds = round(time.monotonic() - start, 1)
        info = {"katib": katib_version(), "go": _go_version(go), "seconds": seconds}
        (tmp / "BUILD-OK.json").write_text(json.dumps(info, indent=2) + "\n")
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if log:
        print(f"[dbmanager] built in {seconds:.1f}s", file=sys.stderr, flush=True)


def katib_module_dir() -> Path:
    """The Katib module's directory (read-only) in the Go module cache; downloads it if needed."""
    ref = f"{KATIB_MODULE}@{katib_version()}"
    res = subprocess.run(  # noqa: PLW1510 - the exit code is checked below, with the JSON error
        [find_go(), "mod", "download", "-json", ref],
        cwd=HERE,
        env=_env(),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    try:
        info = json.loads(res.stdout)
    except json.JSONDecodeError:
        info = {}
    if res.returncode != 0 or not info.get("Dir"):
        raise DBManagerBuildError(
            f"go mod download {ref} failed: {info.get('Error') or res.stderr.strip()}"
        )
    return Path(info["Dir"])


def main() -> int:
    try:
        print(dbmanager_binary())
    except DBManagerBuildError as exc:
        print(f"katib-db-manager build: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
