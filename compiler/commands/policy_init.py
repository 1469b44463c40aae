"""`policy init`: a starting policies/ that changes nothing until it is edited.

    policies/config.yaml     every built-in rule at its default, parameters as examples
    policies/cluster.yaml    Katib's default katib-config, written out (or clusters/<name>.yaml)
    policies/waivers.yaml    no waivers

With these files, `check` finds what it found with the built-in pack's defaults, admission
reads the same katib-config as before, and `compile` starts enforcing the policies. Existing
files are left alone (nothing is written) unless `force`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from compiler.admission.katibconfig import KatibConfig, default_config
from compiler.errors import UsageError
from compiler.policy.builtin import RULES

POLICIES = "policies"

CONFIG_HEAD = """\
# Policy configuration: which rules run, how severe their findings are, and their parameters.
# Written by `katib-gitops policy init`: the built-in pack, every rule at its default. Each
# rule's rationale and fix: `katib-gitops policy rules`. Set a rule to "off", "on", error,
# warning or info, or to {enabled: ..., severity: ...} ("on" and "off" quoted, so that every
# YAML parser reads them as words). Python rules (*.py) and YAML rules (*.yaml) beside this
# file join the pack; their test cases go in tests/<case>/.
"""
PARAMETERS = """\
parameters: {}
# Examples (uncomment under `parameters:`, and drop the `{}`):
#   images:
#     registries: [ghcr.io/kubeflow, docker.io/kubeflowkatib]   # allowed image prefixes
#   resources:
#     maxGpusPerTrial: 4
#     requests: [cpu, memory]
#     limits: [cpu, memory]
#   budget:
#     maxTrialCount: 100
#     maxParallelTrialCount: 10
#     experiment: {cpuHours: 500, gpuHours: 64}
#     namespace: {cpuHours: 2000, gpuHours: 256}
#   tenancy:
#     teams:                  # specs/<team>/ may only target these namespaces
"""
CLUSTER_HEAD = """\
# The cluster these experiments are applied to, as its platform team describes it.
# Its katibConfig is the repository's katib-config: admission in every command (compile,
# check, validate, import, admit, run, diff, and the revision check of plan, apply and
# reconcile) reads it, and so do the policies; --katib-config overrides it.
# Written by `katib-gitops policy init` with Katib's default katib-config (a standalone
# install). Replace it with your cluster's, e.g.
#   kubectl -n kubeflow get configmap katib-config -o jsonpath='{.data.katib-config\\.yaml}'
"""
WAIVERS = """\
# Reviewed exceptions. Every field is required; an expired waiver fails the check. Waived
# findings still appear in every report, marked as waived. For example:
#   - rule: resources-limits
#     target: specs/team-a/*           # a spec path (glob) or <namespace>/<experiment>
#     reason: why this exception is acceptable
#     owner: someone@example.com
#     expires: 2030-12-31
waivers: []
"""


@dataclass(frozen=True)
class InitResult:
    written: tuple[str, ...]  # paths relative to the root


def policy_init(root: Path, *, force: bool = False, cluster: str | None = None) -> InitResult:
    """Write the starting files; UsageError naming the existing ones unless `force`."""
    teams = _team_folders(root)
    profile = f"clusters/{_file_name(cluster)}.yaml" if cluster else "cluster.yaml"
    files = {
        "config.yaml": config_text(teams),
        profile: cluster_text(cluster or "my-cluster", default_config(), teams),
        "waivers.yaml": WAIVERS,
    }
    existing = [f"{POLICIES}/{n}" for n in files if (root / POLICIES / n).exists()]
    if existing and not force:
        raise UsageError(
            f"{', '.join(existing)} already exist{'s' if len(existing) == 1 else ''}: nothing "
            "written (pass --force to overwrite)"
        )
    for name, text in files.items():
        _write(root / POLICIES / name, text)
    return InitResult(tuple(f"{POLICIES}/{n}" for n in files))


def config_text(teams: list[str]) -> str:
    width = max(len(r.id) for r in RULES) + 2
    lines = [CONFIG_HEAD, "rules:"]
    for r in RULES:
        # quoted: YAML 1.1 parsers (PyYAML, go-yaml v2) read a bare on/off as a boolean,
        # YAML 1.2 ones (go-yaml v3, yaml-language-server) as a string; both mean the same here
        setting = '"on"' if r.enabled else '"off"'
        lines.append(f"  {r.id + ':':<{width}}{setting:<6}# {r.severity.value}: {r.title}")
    out = "\n".join(lines) + "\n" + PARAMETERS
    out += "".join(f"#       {t}: [{t}]\n" for t in teams) or "#       team-a: [team-a]\n"
    return out


def cluster_text(name: str, config: KatibConfig, teams: list[str]) -> str:
    lines = [
        CLUSTER_HEAD + f"name: {json.dumps(name)}",
        "katibConfig:",
        "  init:",
        "    controller:",
    ]
    lines.append(f"      injectSecurityContext: {str(config.inject_security_context).lower()}")
    lines.append("      trialResources:")
    lines += [f"        - {json.dumps(r)}" for r in config.trial_resources]
    lines.append("  runtime:")
    lines += _entries("suggestions", "algorithmName", config.suggestions)
    lines += _entries("earlyStoppings", "algorithmName", config.early_stopping)
    lines += _entries("metricsCollectors", "kind", config.metrics_collectors)
    lines.append(
        "# namespaces:    # list them, and the cluster-namespace rule checks that each "
        "experiment's exists and is enabled for Katib"
    )
    for team in teams or ["team-a"]:
        lines += [
            f"#   {team}:",
            "#     labels:",
            "#       katib.kubeflow.org/metrics-collector-injection: enabled",
            "#       pod-security.kubernetes.io/enforce: restricted",
        ]
    return "\n".join(lines) + "\n"


def _entries(key: str, name_key: str, table: Mapping[str, str]) -> list[str]:
    """Block style, names and images quoted: every YAML parser reads them the same way."""
    out = [f"    {key}:"]
    for name, image in table.items():
        out += [f"      - {name_key}: {json.dumps(name)}", f"        image: {json.dumps(image)}"]
    return out


def _team_folders(root: Path) -> list[str]:
    """The namespace folders of specs/, for the examples (names that are plain YAML keys)."""
    specs = root / "specs"
    if not specs.is_dir():
        return []
    return sorted(
        p.name for p in specs.iterdir() if p.is_dir() and _plain(p.name) and not p.is_symlink()
    )


def _plain(name: str) -> bool:
    return bool(name) and all(c.isalnum() or c in "-_." for c in name) and name[0].isalnum()


def _file_name(cluster: str) -> str:
    if not _plain(cluster) or ".." in cluster:
        raise UsageError(f"--cluster {cluster!r}: a cluster's name is a file name")
    return cluster


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8", newline="\n")
    tmp.replace(path)
