"""The one katib-config a command runs with, and where it came from.

Inside a repository the cluster profile is the single source of the cluster's katib-config,
for admission (compile, check, validate, admit, import, diff, run, render-trial and the cluster
commands' revision check) as well as for the policies. In order of precedence:

    --katib-config FILE                      the file (a ConfigMap or its katib-config.yaml)
    policies/cluster.yaml's katibConfig      or policies/clusters/<name>.yaml's, picked by
                                             --cluster NAME or $KATIB_GITOPS_CLUSTER
    Katib's default                          outside a repository (no policies/), or when the
                                             profile has no katibConfig

The choice carries a digest of what admission reads from it, so that caches of verdicts can
key on it (`KatibConfigChoice.digest`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from compiler.admission.katibconfig import KatibConfig, default_config
from compiler.commands.common import input_diagnostic, load_katib_config
from compiler.errors import InputError
from compiler.model.diagnostics import Diagnostic
from compiler.policy.cluster import katib_from_profile
from compiler.policy.profiles import ProfileFile, choose_profile, read_profile

ENV = "KATIB_GITOPS_CLUSTER"
POLICIES = "policies"
DEFAULT = "katib default"


@dataclass(frozen=True)
class KatibConfigChoice:
    """The katib-config, its source as a person would name it, and the digest of what decides
    admission in it. `problems`: a profile that cannot be read (located errors); the config
    is then Katib's default, and a command must not write anything."""

    config: KatibConfig
    source: str
    digest: str
    cluster: str = ""  # the profile's `name`, when a profile was read
    problems: tuple[Diagnostic, ...] = ()

    def as_json(self) -> dict[str, str]:
        out = {"source": self.source, "digest": f"sha256:{self.digest}"}
        return {**out, "cluster": self.cluster} if self.cluster else out


def cluster_name(given: str | None = None) -> str | None:
    """--cluster NAME, else $KATIB_GITOPS_CLUSTER, else none."""
    return given or os.environ.get(ENV) or None


def resolve_katib_config(
    root: Path | None, katib_config: str | None = None, cluster: str | None = None
) -> KatibConfigChoice:
    """The katib-config of a command run at `root` (None: outside any repository).
    `katib_config` is read relative to `root`; `cluster` names the profile (default:
    $KATIB_GITOPS_CLUSTER). UsageError for a cluster name that names no profile, or several
    profiles and no name; InputError for an unreadable --katib-config file."""
    if katib_config is not None:
        path = root / katib_config if root is not None else Path(katib_config)
        return _choice(load_katib_config(str(path)), f"--katib-config {katib_config}")
    name = cluster_name(cluster)
    folder = root / POLICIES if root is not None else None
    if folder is None or not folder.is_dir():
        if cluster:  # asked for on the command line (the environment may be for elsewhere)
            choose_profile(folder or Path(POLICIES), cluster)  # says there is no such profile
        return _choice(default_config(), DEFAULT)
    profile = choose_profile(folder, name, POLICIES)
    return _default(None) if profile is None else from_profile(profile)


def from_profile(profile: ProfileFile) -> KatibConfigChoice:
    try:
        doc = read_profile(profile)
    except InputError as exc:
        return _invalid(profile, (input_diagnostic(exc),))
    if doc is None:
        return _default(profile)
    config, problems = katib_from_profile(doc)
    if problems:
        return _invalid(profile, tuple(problems))
    name = doc.data.get("name") if isinstance(doc.data, dict) else None
    shown = name if isinstance(name, str) else profile.cluster
    if config is None:
        return dataclasses.replace(_default(profile), cluster=shown)
    return _choice(config, profile.shown, shown)


def _default(profile: ProfileFile | None) -> KatibConfigChoice:
    if profile is None:
        return _choice(default_config(), DEFAULT)
    return _choice(default_config(), f"{DEFAULT} ({profile.shown} has no katibConfig)")


def _invalid(profile: ProfileFile, problems: tuple[Diagnostic, ...]) -> KatibConfigChoice:
    text = "\n".join(d.render() for d in problems)
    digest = hashlib.sha256(f"invalid\n{text}".encode()).hexdigest()
    config = dataclasses.replace(default_config(), source=profile.shown)
    return KatibConfigChoice(config, profile.shown, digest, profile.cluster, problems)


def _choice(config: KatibConfig, source: str, cluster: str = "") -> KatibConfigChoice:
    return KatibConfigChoice(
        dataclasses.replace(config, source=source), source, config.digest(), cluster
    )


__all__ = ["DEFAULT", "ENV", "KatibConfigChoice", "cluster_name", "resolve_katib_config"]
