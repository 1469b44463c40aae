"""Which cluster profile a command runs with, read from policies/ (with load.py, the only
reader of that folder; this one stays light, without cerberus or the rules, because every
command inside a repository reads the profile for its katib-config).

    policies/cluster.yaml            the cluster, when the repository targets one
    policies/clusters/<name>.yaml    one per cluster, when it targets several

`--cluster NAME` (or $KATIB_GITOPS_CLUSTER) picks `clusters/NAME.yaml`. Without a name:
`cluster.yaml` if it exists, else the only file of `clusters/`; several and no name is a usage
error that lists them (a silent pick would check against the wrong cluster).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from compiler.errors import UsageError
from compiler.load.files import load_file
from compiler.model.source import Document

SINGLE = "cluster.yaml"
SEVERAL = "clusters"
# a cluster's name is a file name in clusters/: no separators, no "..", no hidden files
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}\Z")


@dataclass(frozen=True)
class ProfileFile:
    path: Path
    shown: str  # how locations name it: policies/cluster.yaml, policies/clusters/<name>.yaml
    cluster: str  # the name it was chosen by ("" for cluster.yaml chosen by default)


def cluster_names(folder: Path) -> list[str]:
    """The clusters of `policies/clusters/`, sorted."""
    several = folder / SEVERAL
    if not several.is_dir():
        return []
    return sorted(p.stem for p in several.glob("*.yaml") if p.is_file() and _NAME.match(p.stem))


def choose_profile(
    folder: Path, cluster: str | None, shown: str = "policies"
) -> ProfileFile | None:
    """The profile file that applies, or None (the repository describes no cluster)."""
    names = cluster_names(folder)
    if cluster:
        if not _NAME.match(cluster) or ".." in cluster:
            raise UsageError(
                f"--cluster {cluster!r}: a cluster's name is a file name in {shown}/clusters/"
            )
        if cluster not in names:
            raise UsageError(_unknown(cluster, names, shown))
        return ProfileFile(
            folder / SEVERAL / f"{cluster}.yaml", f"{shown}/{SEVERAL}/{cluster}.yaml", cluster
        )
    if (folder / SINGLE).is_file():
        return ProfileFile(folder / SINGLE, f"{shown}/{SINGLE}", "")
    if len(names) == 1:
        return ProfileFile(
            folder / SEVERAL / f"{names[0]}.yaml", f"{shown}/{SEVERAL}/{names[0]}.yaml", names[0]
        )
    if names:
        raise UsageError(
            f"this repository targets several clusters ({', '.join(names)}): pick one with "
            "--cluster NAME (or KATIB_GITOPS_CLUSTER=NAME)"
        )
    return None


def _unknown(cluster: str, names: list[str], shown: str) -> str:
    head = f"--cluster {cluster}: there is no {shown}/{SEVERAL}/{cluster}.yaml"
    if not names:
        return f"{head} (and no other profile in {shown}/{SEVERAL}/)"
    close = difflib.get_close_matches(cluster, names, n=1)
    also = f"; did you mean {close[0]}?" if close else ""
    return f"{head} (the clusters: {', '.join(names)}){also}"


def read_profile(profile: ProfileFile) -> Document | None:
    """The profile's first document (None for an empty file); InputError (located) for
    unreadable YAML."""
    docs = load_file(profile.path, name=profile.shown)
    return docs[0] if docs else None


__all__ = ["SEVERAL", "SINGLE", "ProfileFile", "choose_profile", "cluster_names", "read_profile"]
