"""The real `kustomize` CLI for tests, built from its Go module (``go.mod`` beside this file:
``tool sigs.k8s.io/kustomize/kustomize/v5``); nothing of kustomize is kept in this repository.

The binary is cached in ``$KATIB_GITOPS_CACHE/kustomize/`` (default
``~/.cache/katib-gitops/kustomize/``) under a key hashing go.mod, go.sum, the Go version and the
build flags, so it is built once per version; parallel builders wait on a file lock.

    python -m tools.kustomize.build        # build (or reuse) and print the binary's path

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
PACKAGE = "sigs.k8s.io/kustomize/kustomize/v5"
LDFLAGS = "-s -w"


class KustomizeBuildError(RuntimeError):
    """Go is missing, or `go build` of kustomize failed."""


def cache_root() -> Path:
    base = os.environ.get("KATIB_GITOPS_CACHE")
    root = Path(base).expanduser() if base else Path.home() / ".cache" / "katib-gitops"
    return root / "kustomize"


def version() -> str:
    """The kustomize release go.mod pins, e.g. v5.8.2."""
    text = (HERE / "go.mod").read_text()
    m = re.search(rf"^\s*{re.escape(PACKAGE)}\s+(v\S+)", text, re.M)
    if not m:
        raise KustomizeBuildError(f"{PACKAGE} is not required in {HERE / 'go.mod'}")
    return m.group(1)


def _go() -> str:
    go = shutil.which("go")
    if go is None:
        raise KustomizeBuildError("the `go` command is not on PATH (needed to build kustomize)")
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


def kustomize_binary(log: bool = True) -> Path:
    """The path of a kustomize binary built from go.mod's version (built at most once)."""
    go = _go()
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    out = root / f"kustomize-{build_key(go)}"
    binary, stamp = out / "kustomize", out / "BUILD-OK.json"
    if stamp.exists() and binary.exists():
        return binary
    with open(root / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one builder at a time (pytest-xdist, parallel CI)
        if stamp.exists() and binary.exists():
            return binary
        _build(go, out, log)
        for old in root.glob("kustomize-*"):  # drop builds of other versions
            if old != out and (old / "BUILD-OK.json").exists():
                shutil.rmtree(old, ignore_errors=True)
    return binary


def _build(go: str, out: Path, log: bool) -> None:
    start = time.monotonic()
    if log:
        print(f"[kustomize] building {PACKAGE}@{version()} -> {out}", file=sys.stderr, flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="kustomize-", dir=out.parent))
    try:
        argv = [go, "build", "-trimpath", "-ldflags", LDFLAGS, "-o", str(tmp / "kustomize")]
        res = subprocess.run(  # noqa: PLW1510 - the exit code is checked just below
            [*argv, PACKAGE], cwd=HERE, env=_env(), capture_output=True, text=True
        )
        if res.returncode != 0 or not (tmp / "kustomize").is_file():
            tail = "\n".join((res.stdout + res.stderr).splitlines()[-30:])
            raise KustomizeBuildError(f"go build {PACKAGE} failed (exit {res.returncode}):\n{tail}")
        seconds = round(time.monotonic() - start, 1)
        info = {"version": version(), "go": _go_version(go), "seconds": seconds}
        (tmp / "BUILD-OK.json").write_text(json.dumps(info, indent=2) + "\n")
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if log:
        print(f"[kustomize] built in {seconds:.1f}s", file=sys.stderr, flush=True)


def main() -> int:
    try:
        print(kustomize_binary())
    except KustomizeBuildError as exc:
        print(f"kustomize build: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
