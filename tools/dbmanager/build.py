"""Katib's own ``katib-db-manager`` for tests, built from the Katib module's
``cmd/db-manager/v1beta1`` (``go.mod`` beside this file: ``tool`` directive); nothing of Katib is
kept in this repository.

``tools/gobuild.py`` builds it into ``$KATIB_GITOPS_CACHE/katib-db-manager/`` (default
``~/.cache/katib-gitops/``), once per key (go.mod, go.sum, the Go version, the build flags).

    python -m tools.dbmanager.build        # build (or reuse) and print the binary's path

"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from tools import gobuild

HERE = Path(__file__).resolve().parent
KATIB_MODULE = "github.com/kubeflow/katib"
PACKAGE = f"{KATIB_MODULE}/cmd/db-manager/v1beta1"
BINARY = "katib-db-manager"  # the name Katib's image gives it (cmd/db-manager/v1beta1/Dockerfile)
ESTIMATE = "about 2.5 min from an empty Go build cache"
#: where Katib's gRPC API is defined, inside the Katib module
API_PROTO = "pkg/apis/manager/v1beta1/api.proto"


class DBManagerBuildError(RuntimeError):
    """Go is missing, or `go build` of katib-db-manager failed."""


def cache_root() -> Path:
    return gobuild.cache_root() / BINARY


def katib_version() -> str:
    """The Katib release go.mod pins, e.g. v0.19.0."""
    text = (HERE / "go.mod").read_text()
    m = re.search(rf"^\s*(?:require\s+)?{re.escape(KATIB_MODULE)}\s+(v\S+)", text, re.M)
    if not m:
        raise DBManagerBuildError(f"{KATIB_MODULE} is not required in {HERE / 'go.mod'}")
    return m.group(1)


def find_go() -> str:
    try:
        return gobuild.find_go()
    except gobuild.GoBuildError as exc:
        raise DBManagerBuildError(str(exc)) from None


def build_key(go: str) -> str:
    return gobuild.build_key(HERE, go, PACKAGE)


def dbmanager_binary(log: bool = True) -> Path:
    """The path of katib-db-manager built from go.mod's Katib version (built at most once)."""
    try:
        return gobuild.build(HERE, BINARY, _log if log else _quiet, ESTIMATE, PACKAGE)
    except gobuild.GoBuildError as exc:
        raise DBManagerBuildError(str(exc)) from None


def _log(msg: str) -> None:
    print(f"[dbmanager] {msg}", file=sys.stderr, flush=True)


def _quiet(msg: str) -> None:
    return None


def katib_module_dir() -> Path:
    """The Katib module's directory (read-only) in the Go module cache; downloads it if needed."""
    ref = f"{KATIB_MODULE}@{katib_version()}"
    res = subprocess.run(  # noqa: PLW1510 - the exit code is checked below, with the JSON error
        [find_go(), "mod", "download", "-json", ref],
        cwd=HERE,
        env=gobuild.go_env(),
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
