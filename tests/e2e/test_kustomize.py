"""generated/ as Argo CD and Flux build it: `kustomize build` (the real kustomize) gives exactly
the objects `katib-gitops apply` server-side-applies (`read_desired(...).experiments[*].manifest`,
ownership metadata included), for the whole folder and for each team's; and those objects,
applied server-side as the tools apply them through Katib's real webhooks, are what the cluster
stores: `katib-gitops plan` then says `unchanged` for every one (no drift, reference §10.1)."""

from __future__ import annotations

import json
import re
import subprocess
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from compiler.cli import main
from compiler.cluster.client import connect
from compiler.cluster.kinds import EXPERIMENT
from compiler.desired import Desired, read_desired
from compiler.render.manifests import (
    EXPERIMENT_LABEL,
    MANAGED_LABEL,
    REVISION_ANNOTATION,
    SPEC_ANNOTATION,
)
from tests.e2e.gitops import TOOLS, Api, Tool, build, sync_all
from tests.reconcile.conftest import wait_for
from tools.devcluster.harness import INJECTION_LABEL

ROOT = Path(__file__).resolve().parents[2]
POLICY = """\
rules:  # the examples' own waivers are not copied: these rules are not what is tested here
  pss-privilege-escalation: off
  pss-capabilities: off
  pss-run-as-non-root: off
  pss-seccomp: off
  resources-requests: off
  resources-limits: off
  runtime-deadline: off
parameters:
  tenancy:
    teams:
      {webhooks}: [{webhooks}]
      research: [{webhooks}]
      platform: [platform]
"""
SHARED_NAMESPACE = """\
name: shared-{tag}
namespace: {webhooks}
objective: {{minimize: loss, also: [accuracy]}}
algorithm: {{name: tpe, settings: {{n_EI_candidates: 12}}}}
trials: {{max: 4, parallel: 2, failures: 1}}
parameters:
  lr: {{min: 0.001, max: 0.1, log: true}}
  layers: {{min: 1, max: 4}}
  act: [relu, tanh]
trial:
  image: python:3.11
  command: [python3, train.py, "--lr=${{lr}}", "--layers=${{layers}}", "--act=${{act}}"]
"""
SAME_NAME = """\
name: fixed-{tag}
revisionSuffix: false
objective: {{maximize: accuracy}}
algorithm: random
trials: {{max: 2, parallel: 1}}
parameters:
  lr: {{min: 0.01, max: 0.1}}
trial:
  image: python:3.11
  command: [python3, train.py, "--lr=${{lr}}"]
"""


def canonical(obj: Any) -> str:
    """Type-strict: 1, 1.0, "1" and True differ (dict == would not tell 1 from True)."""
    return json.dumps(obj, sort_keys=True)


def by_ref(objects: Sequence[Mapping[str, Any]]) -> dict[tuple[str, str], str]:
    refs = [(o["metadata"]["namespace"], o["metadata"]["name"]) for o in objects]
    assert len(set(refs)) == len(refs), f"duplicate objects: {refs}"
    return {r: canonical(o) for r, o in zip(refs, objects, strict=True)}


def desired_of(generated: Path) -> tuple[Desired, ...]:
    files = {p.relative_to(generated).as_posix(): p for p in generated.rglob("*") if p.is_file()}
    return read_desired({k: p.read_bytes() for k, p in files.items()}).experiments


def teams(generated: Path) -> list[str]:
    return sorted(p.parent.name for p in generated.glob("*/kustomization.yaml"))


def assert_builds_into_what_apply_sends(kustomize: Path, generated: Path) -> int:
    desired = desired_of(generated)
    assert desired, f"{generated} wants nothing"
    built = build(kustomize, generated)
    assert by_ref(built) == by_ref([d.manifest for d in desired])
    for d, obj in zip(desired, sorted(built, key=_key_of(desired)), strict=True):
        meta = obj["metadata"]  # the ownership metadata, spelled out (ARCHITECTURE.md)
        assert meta["labels"][MANAGED_LABEL] == "true"
        assert meta["labels"][EXPERIMENT_LABEL] == d.experiment
        assert meta["annotations"][SPEC_ANNOTATION] == d.source
        assert meta["annotations"][REVISION_ANNOTATION] == d.revision
        assert "app.kubernetes.io/instance" not in meta["labels"]
        # never pruned or deleted by the tools: in each tool's own words
        assert meta["annotations"]["argocd.argoproj.io/sync-options"] == "Prune=false,Delete=false"
        assert meta["annotations"]["kustomize.toolkit.fluxcd.io/prune"] == "disabled"
    for team in teams(generated):
        subset = [d.manifest for d in desired if d.path.startswith(f"{team}/")]
        assert subset, f"team {team} wants nothing"
        assert by_ref(build(kustomize, generated / team)) == by_ref(subset), team
    return len(desired)


def _key_of(desired: tuple[Desired, ...]) -> Any:
    order = {(d.namespace, d.name): i for i, d in enumerate(desired)}
    return lambda o: order[(o["metadata"]["namespace"], o["metadata"]["name"])]


def test_the_repositorys_generated_builds_into_what_apply_sends(kustomize: Path) -> None:
    assert len(teams(ROOT / "generated")) >= 2
    assert assert_builds_into_what_apply_sends(kustomize, ROOT / "generated") >= 5


def several_teams(root: Path, webhooks: str, tag: str) -> None:
    """A repository of three teams: one holding a copy of every spec of this repository (YAML
    and Python, renamed with `tag`) in the webhooks' namespace, one more team in that same
    namespace (a spec that names it), and one with a same-name spec in a namespace of its own.
    """
    team = root / "specs" / webhooks
    team.mkdir(parents=True)
    for spec in sorted((ROOT / "specs").glob("*/*")):
        if spec.suffix == ".yaml":
            text = re.sub(r"^name: (\S+)", rf"name: \1-{tag}", spec.read_text(), flags=re.M)
        elif spec.suffix == ".py":
            text = re.sub(r'\bname=(f?)"([^"]+)"', rf'name=\1"\2-{tag}"', spec.read_text())
        else:
            continue
        assert text != spec.read_text(), f"{spec}: no name to rename"
        (team / spec.name).write_text(text)
    (root / "specs" / "research").mkdir()
    (root / "specs" / "research" / "shared.yaml").write_text(
        SHARED_NAMESPACE.format(tag=tag, webhooks=webhooks)
    )
    (root / "specs" / "platform").mkdir()
    (root / "specs" / "platform" / "fixed.yaml").write_text(SAME_NAME.format(tag=tag))
    (root / "policies").mkdir()
    (root / "policies" / "config.yaml").write_text(POLICY.format(webhooks=webhooks))
    assert main(["compile", "--root", str(root)]) == 0
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "specs"]):
        subprocess.run(
            ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", *args],
            cwd=root,
            check=True,
            capture_output=True,
        )


def test_a_repository_of_several_teams_builds_into_what_apply_sends(
    kustomize: Path, tmp_path: Path
) -> None:
    several_teams(tmp_path, "katib-admission", "t1")
    assert teams(tmp_path / "generated") == ["katib-admission", "platform", "research"]
    assert assert_builds_into_what_apply_sends(kustomize, tmp_path / "generated") >= 10


@pytest.fixture
def tagged(apiserver: Any, katib_webhooks: Any, tmp_path: Path) -> Iterator[Path]:
    """The repository of several teams, its names tagged for this test, its experiments in
    Katib's webhook namespace and in `platform`; they are deleted after the test."""
    apiserver.rest().create(
        "/api/v1/namespaces",
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": "platform", "labels": {INJECTION_LABEL: "enabled"}},
        },
        exist_ok=True,
    )
    several_teams(tmp_path, katib_webhooks.namespace, uuid.uuid4().hex[:4])
    desired = desired_of(tmp_path / "generated")
    assert {d.namespace for d in desired} == {katib_webhooks.namespace, "platform"}
    try:
        yield tmp_path
    finally:
        kube = connect(str(apiserver.kubeconfig))
        for d in desired:
            kube.delete(EXPERIMENT, d.namespace, d.name)
        for d in desired:
            gone = lambda d=d: kube.get(EXPERIMENT, d.namespace, d.name) is None  # noqa: E731
            wait_for(f"{d.name} to go", gone)


@pytest.mark.apiserver
@pytest.mark.parametrize("tool", TOOLS, ids=[t.name for t in TOOLS])
def test_applied_as_the_tools_apply_it_the_cluster_has_no_drift(
    tool: Tool, tagged: Path, kustomize: Path, apiserver: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tagged
    desired = {(d.namespace, d.name): d for d in desired_of(root / "generated")}
    api = Api(apiserver)
    applied = sync_all(api, kustomize, root, tool)
    assert [(a.name, a.status, a.message) for a in applied if not a.ok] == []
    assert sorted((a.namespace, a.name) for a in applied) == sorted(desired)
    kube = connect(str(apiserver.kubeconfig))
    generations = {}
    for (ns, name), d in desired.items():
        live = kube.get(EXPERIMENT, ns, name)
        assert live is not None
        # What Katib stored (through its mutating webhook, in the webhooks' namespace) is the
        # spec generated/ holds, to the type: nothing defaulted, dropped or re-typed (§10.1).
        assert canonical(live["spec"]) == canonical(d.manifest["spec"]), name
        meta = d.manifest["metadata"]
        for key in ("labels", "annotations"):
            assert meta[key].items() <= live["metadata"][key].items(), name
        # applied by the tool alone (the simulator's writes are Updates, not Applies)
        applies = [m for m in live["metadata"]["managedFields"] if m["operation"] == "Apply"]
        assert {m["manager"] for m in applies} == {tool.manager}, name
        generations[(ns, name)] = live["metadata"]["generation"]
    # The next sync (Argo CD's self-heal, Flux's interval) changes no spec: no conflict with
    # what Katib's controller writes, nothing for the webhook to default again.
    again = sync_all(api, kustomize, root, tool)
    assert [(a.name, a.status, a.message) for a in again if not a.ok] == []
    assert {r: (kube.get(EXPERIMENT, *r) or {})["metadata"]["generation"] for r in desired} == (
        generations
    )
    capsys.readouterr()
    kubeconfig = str(apiserver.kubeconfig)
    assert main(["plan", "--root", str(root), "--kubeconfig", kubeconfig, "-o", "json"]) == 0
    actions = json.loads(capsys.readouterr().out)["actions"]
    names = {name for _, name in desired}
    mine = [(a["namespace"], a["name"], a["action"]) for a in actions if a["name"] in names]
    assert sorted(mine) == sorted((ns, n, "unchanged") for ns, n in desired)


def test_the_copy_of_the_repositorys_specs_is_whole(tmp_path: Path) -> None:
    """several_teams() copies every spec: the drift test covers every form this repository
    ships (NAS, hyperband, grid, TFJob, Python specs)."""
    several_teams(tmp_path, "katib-admission", "t2")
    own = {d.experiment for d in desired_of(ROOT / "generated")}
    copied = {d.experiment.removesuffix("-t2") for d in desired_of(tmp_path / "generated")}
    assert own <= copied
