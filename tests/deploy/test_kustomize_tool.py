"""tools/kustomize/build.py: kustomize built from its Go module once, cached by a key of
go.mod, go.sum and the Go version; a clear error when Go is missing or the build fails."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import require_go
from tools.kustomize import build


def test_the_binary_is_the_pinned_release_and_is_reused(kustomize: Path) -> None:
    out = subprocess.run([str(kustomize), "version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == build.version() == "v5.8.2"
    stamp = kustomize.parent / "BUILD-OK.json"
    before = stamp.stat().st_mtime_ns
    assert build.kustomize_binary(log=False) == kustomize  # no second build
    assert stamp.stat().st_mtime_ns == before
    assert json.loads(stamp.read_text())["target"] == "sigs.k8s.io/kustomize/kustomize/v5"
    assert not kustomize.is_relative_to(Path(build.__file__).resolve().parents[2])  # outside


def _module_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    module = tmp_path / "module"
    module.mkdir()
    for name in ("go.mod", "go.sum"):
        shutil.copy(build.HERE / name, module / name)
    monkeypatch.setattr(build, "HERE", module)
    monkeypatch.setenv("KATIB_GITOPS_CACHE", str(tmp_path / "cache"))
    return module


def test_the_key_follows_go_mod_and_go_sum(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    go = require_go()
    module = _module_copy(tmp_path, monkeypatch)
    key = build.build_key(go)
    assert build.build_key(go) == key
    (module / "go.sum").write_text((module / "go.sum").read_text() + "\n")
    assert build.build_key(go) != key


def test_a_failed_build_says_why_and_leaves_no_binary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_go()
    module = _module_copy(tmp_path, monkeypatch)
    (module / "go.sum").write_text("")  # every checksum missing: go refuses to build
    with pytest.raises(build.KustomizeBuildError, match=r"go build sigs\.k8s\.io/kustomize") as e:
        build.kustomize_binary(log=False)
    assert "go.sum" in str(e.value)  # go's own reason is in the message
    cache = tmp_path / "cache" / "kustomize"
    assert not list(cache.glob("kustomize-*"))  # neither a binary nor a temporary folder


def test_without_go_the_error_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(build.KustomizeBuildError, match="`go` command is not on PATH"):
        build.kustomize_binary(log=False)
