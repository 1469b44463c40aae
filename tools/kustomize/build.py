"""The real `kustomize` CLI for tests, built from its Go module (``go.mod`` beside this file:
``tool sigs.k8s.io/kustomize/kustomize/v5``) by ``tools/gobuild.py``, cached in
``$KATIB_GITOPS_CACHE/kustomize/``; nothing of kustomize is kept in this repository.

    python -m tools.kustomize.build        # build (or reuse) and print the binary's path
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from tools import gobuild

HERE = Path(__file__).resolve().parent
PACKAGE = "sigs.k8s.io/kustomize/kustomize/v5"
ESTIMATE = "about 1.5 min from an empty Go build cache"


class KustomizeBuildError(RuntimeError):
    """Go is missing, or `go build` of kustomize failed."""


def version() -> str:
    """The kustomize release go.mod pins, e.g. v5.8.2."""
    text = (HERE / "go.mod").read_text()
    m = re.search(rf"^\s*{re.escape(PACKAGE)}\s+(v\S+)", text, re.M)
    if not m:
        raise KustomizeBuildError(f"{PACKAGE} is not required in {HERE / 'go.mod'}")
    return m.group(1)


def build_key(go: str) -> str:
    return gobuild.build_key(HERE, go, PACKAGE)


def kustomize_binary(log: bool = True) -> Path:
    """The path of a kustomize binary built from go.mod's version (built at most once)."""
    try:
        return gobuild.build(HERE, "kustomize", _log if log else _quiet, ESTIMATE, PACKAGE)
    except gobuild.GoBuildError as exc:
        raise KustomizeBuildError(str(exc)) from None


def _log(msg: str) -> None:
    print(f"[kustomize] {msg}", file=sys.stderr, flush=True)


def _quiet(msg: str) -> None:
    return None


def main() -> int:
    try:
        print(kustomize_binary())
    except KustomizeBuildError as exc:
        print(f"kustomize build: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
