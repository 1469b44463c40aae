"""Run health.lua files in Argo CD's own Lua engine (the Go program in this folder).

The program is built from the argo-cd Go module (util/lua: the `VM`, `ExecuteHealthLua` and
`ResourceHealthOverrides.GetResourceHealth` Argo CD itself runs) and cached by
``gobuild.build``. Command line, from the repository root::

    python -m tools.luaharness.harness build
    python -m tools.luaharness.harness tests deploy/argocd/resource_customizations
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tools import gobuild

HERE = Path(__file__).resolve().parent
ESTIMATE = "about 6 CPU-minutes (5 min on 2 cores) from an empty Go build cache"


def _log(msg: str) -> None:
    print(f"[luaharness] {msg}", file=sys.stderr, flush=True)


def build(log: gobuild.Log = _log) -> Path:
    return gobuild.build(HERE, "luaharness", log, ESTIMATE)


def _run(args: Sequence[str], stdin: str | None = None) -> Any:
    res = subprocess.run(  # noqa: PLW1510 - the exit code is checked below
        [str(build()), *args], input=stdin, capture_output=True, text=True, timeout=120
    )
    if res.returncode != 0:
        raise gobuild.HarnessError(f"luaharness {' '.join(args)}: {res.stderr.strip()}")
    return json.loads(res.stdout)


def run_tests(customizations: Path) -> list[dict[str, Any]]:
    """Every health_test.yaml under `customizations`: expected and actual health, each test
    run twice, as argocd-cm runs it (no standard libraries) and as built-ins run (open)."""
    return list(_run(["tests", str(customizations)]))


def evaluate(script: Path, objects: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """`script` on each object, as a health check installed through argocd-cm runs."""
    return list(_run(["eval", str(script)], json.dumps(list(objects))))


def through_configmap(
    configmap: Path, objects: Sequence[dict[str, Any]]
) -> tuple[str, list[dict[str, str]]]:
    """Argo CD's settings manager reads `configmap` (an argocd-cm): its tracking method, and
    each object's health from the check it installs for the object's kind."""
    out = _run(["configmap", str(configmap)], json.dumps(list(objects)))
    return out["trackingMethod"], list(out["results"])


def main(argv: Sequence[str]) -> int:
    if list(argv) == ["build"]:
        print(build())
        return 0
    if len(argv) == 2 and argv[0] == "tests":
        print(json.dumps(run_tests(Path(argv[1])), indent=1))
        return 0
    print("usage: python -m tools.luaharness.harness build | tests DIR", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
