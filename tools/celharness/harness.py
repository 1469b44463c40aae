"""Evaluate Flux health-check expressions with Flux's own evaluator (the Go program here).

The program is built from fluxcd/pkg/runtime v0.117.0 (its `cel` package, wired as
kustomize-controller wires `spec.healthCheckExprs`) and cached by
``tools.gobuild.build``. Command line, from the repository root::

    python -m tools.celharness.harness build
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tools import gobuild

HERE = Path(__file__).resolve().parent
ESTIMATE = "about 3 CPU-minutes (2 min on 2 cores) from an empty Go build cache"


class InvalidExpressions(ValueError):
    """Flux refuses the expressions (kustomize-controller's InvalidCELExpression)."""


def _log(msg: str) -> None:
    print(f"[celharness] {msg}", file=sys.stderr, flush=True)


def build(log: gobuild.Log = _log) -> Path:
    return gobuild.build(HERE, "celharness", log, ESTIMATE)


def evaluate(
    health_check_exprs: Sequence[Mapping[str, str]], objects: Sequence[Mapping[str, Any]]
) -> list[dict[str, str]]:
    """Each object's kstatus result ({status, message?, error?}) under the expressions."""
    payload = {"healthCheckExprs": [dict(h) for h in health_check_exprs], "objects": objects}
    res = subprocess.run(  # noqa: PLW1510 - the exit code is checked below
        [str(build())], input=json.dumps(payload), capture_output=True, text=True, timeout=120
    )
    if res.returncode == 3:
        raise InvalidExpressions(res.stderr.strip())
    if res.returncode != 0:
        raise gobuild.HarnessError(f"celharness: {res.stderr.strip()}")
    return list(json.loads(res.stdout))


def main(argv: Sequence[str]) -> int:
    if list(argv) == ["build"]:
        print(build())
        return 0
    print("usage: python -m tools.celharness.harness build", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
