"""tools/dbmanager/build.py: Katib's own katib-db-manager, built once per key and reused."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import require_go
from tools.dbmanager import build


def test_the_binary_is_katib_s_db_manager_and_reused(dbmanager_binary: Path) -> None:
    assert build.dbmanager_binary(log=False) == dbmanager_binary  # the cached build, not a new one
    assert dbmanager_binary.parent.name == f"katib-db-manager-{build.build_key(build.find_go())}"
    stamp = json.loads((dbmanager_binary.parent / "BUILD-OK.json").read_text())
    assert stamp["target"] == "github.com/kubeflow/katib/cmd/db-manager/v1beta1"
    assert build.katib_version() == "v0.19.0"
    assert build.cache_root() in dbmanager_binary.parents  # outside the repository
    res = subprocess.run(
        [str(dbmanager_binary), "-h"], capture_output=True, text=True, timeout=30, check=False
    )
    assert "-listen-address" in res.stderr and "-connect-timeout" in res.stderr  # main.go's flags


def test_the_katib_module_holds_the_api_proto() -> None:
    require_go()
    proto = build.katib_module_dir() / build.API_PROTO
    assert "service DBManager" in proto.read_text()
    assert "package api.v1.beta1;" in proto.read_text()
