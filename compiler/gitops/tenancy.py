"""Teams for the GitOps tools: each folder of generated/ (a team's, as `specs/<team>/` is) with
the namespaces the tenancy map (`parameters.tenancy.teams` of policies/config.yaml) gives it,
and the Git source both tools read. Pure: data in, checked values out; a problem is an
`InputError` (at the folder, file or config line) or a `UsageError` (a bad option).

The tenancy map is what the `tenancy-namespace` policy enforces on specs; here it becomes what
the GitOps tool may touch: an AppProject's destinations (Argo CD) or a ServiceAccount's Roles
(Flux), so that a team's folder can reach only its own namespaces even if a spec slipped past
the policy.
"""

from __future__ import annotations

import re
import shlex
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from compiler.errors import InputError, UsageError
from compiler.model.source import Location

PREFIX = "katib-"  # object names: katib-<team>
CONFIG = "policies/config.yaml"
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")  # RFC 1123 label (namespaces, names)
_DURATION = re.compile(r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$")  # Flux's CRD pattern for intervals
_PATH = re.compile(r"^[A-Za-z0-9._/-]+$")
_SCP = re.compile(r"^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^/\s][^\s]*$")  # git@host:org/repo


@dataclass(frozen=True)
class Tenancy:
    """The tenancy map as read from policies/config.yaml, with where each team is written."""

    teams: Mapping[str, tuple[str, ...]]
    file: str = CONFIG
    where: Mapping[str, Location] = field(default_factory=dict)

    def location(self, team: str = "") -> Location:
        """Where `team` is written in the file (or the file)."""
        return self.where.get(team, Location(self.file))


@dataclass(frozen=True)
class Team:
    name: str  # the folder under specs/ and generated/
    namespaces: tuple[str, ...]  # the first is the team's default namespace
    path: str  # the folder in the repository, e.g. generated/kubeflow

    @property
    def object_name(self) -> str:
        return PREFIX + self.name


@dataclass(frozen=True)
class Source:
    """The Git repository the tools read, the revision they follow and generated/'s path."""

    url: str
    revision: str
    path: str


@dataclass(frozen=True)
class OutputFile:
    path: str  # relative to the output folder
    text: str


def teams(
    tenancy: Tenancy, folders: Mapping[str, Sequence[tuple[str, str]]], source: Source
) -> tuple[Team, ...]:
    """One Team per folder of generated/, sorted. `folders` maps a folder to its experiments'
    (file, namespace); every namespace must be the team's, or the tool would refuse the sync
    (Argo CD) or be forbidden it (Flux) half-way through."""
    if not tenancy.teams:
        raise InputError(
            "no tenancy map (parameters.tenancy.teams): the GitOps objects give each team "
            "only its own namespaces",
            tenancy.location(),
            "add `parameters: {tenancy: {teams: {<team>: [<namespace>, ...]}}}`, one entry per "
            "folder of specs/",
        )
    out = []
    for folder in sorted(folders):
        team = _team(tenancy, folder, source)
        for file, namespace in folders[folder]:
            if namespace not in team.namespaces:
                raise InputError(
                    f"targets namespace {namespace!r}, which is not team {folder!r}'s "
                    f"(allowed: {', '.join(team.namespaces)})",
                    Location(f"{source.path}/{file}"),
                    f"map the namespace to the team in parameters.tenancy.teams of "
                    f"{tenancy.file}, or move the spec (the tenancy-namespace policy)",
                )
        out.append(team)
    return tuple(out)


def _team(tenancy: Tenancy, folder: str, source: Source) -> Team:
    where = Location(f"{source.path}/{folder}")
    if folder not in tenancy.teams:
        known = ", ".join(sorted(tenancy.teams))
        raise InputError(
            f"folder {folder!r} is not a team of the tenancy map (known teams: {known})",
            where,
            f"add `{folder}: [<namespace>, ...]` under parameters.tenancy.teams in {tenancy.file}",
        )
    if not _LABEL.match(folder) or len(PREFIX + folder) > 63:
        raise InputError(
            f"team {folder!r} cannot name Kubernetes objects ({PREFIX}{folder}): use lower-case "
            f"letters, digits and '-', at most {63 - len(PREFIX)} characters",
            where,
            "rename the folder under specs/ and compile again",
        )
    namespaces = tuple(dict.fromkeys(tenancy.teams[folder]))
    if not namespaces:
        raise InputError(
            f"team {folder!r} has no namespaces in parameters.tenancy.teams",
            tenancy.location(folder),
            "list the namespaces the team's experiments may target",
        )
    for ns in namespaces:
        if not _LABEL.match(ns) or len(ns) > 63:
            raise InputError(
                f"team {folder!r}: {ns!r} is not a namespace name", tenancy.location(folder)
            )
    return Team(folder, namespaces, f"{source.path}/{folder}")


def unused(tenancy: Tenancy, found: Sequence[Team]) -> list[str]:
    """Teams of the map without a folder in generated/ (no experiments yet): no objects."""
    return sorted(set(tenancy.teams) - {t.name for t in found})


# --- options ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArgoOptions:
    """`gitops argocd`'s options; the defaults are the command line's."""

    repo_url: str
    revision: str = "main"
    path: str = "generated"
    namespace: str = "argocd"
    server: str = "https://kubernetes.default.svc"


@dataclass(frozen=True)
class FluxOptions:
    """`gitops flux`'s options; the defaults are the command line's."""

    repo_url: str
    branch: str = "main"
    path: str = "generated"
    interval: str = "1m"
    timeout: str = "2m"
    namespace: str = "flux-system"
    secret_ref: str | None = None
    wait: bool = False


def repo_url(url: str, *, scp: bool) -> str:
    """An http(s) or ssh Git URL (`scp`: also git@host:path, which Argo CD accepts and Flux does
    not). No credentials: these files are committed and shown in logs."""
    bad = f"--repo-url {_redacted(url)!r} is not a Git repository URL"
    forms = "https://host/org/repo.git or ssh://git@host/org/repo.git"
    if scp:
        forms += " or git@host:org/repo.git"
    if not url or url != url.strip() or any(c.isspace() or ord(c) < 32 for c in url):
        raise UsageError(f"{bad} (it has white space)")
    if scp and _SCP.match(url):
        return url
    parts = _split(url)
    if parts is None or parts.scheme not in ("https", "http", "ssh") or not parts.path:
        raise UsageError(f"{bad}: use {forms}")
    if parts.password is not None or (parts.username and parts.scheme != "ssh"):
        raise UsageError(
            f"--repo-url must not carry credentials ({parts.scheme}://{parts.hostname}...)",
        )
    return url


def _split(url: str) -> urllib.parse.SplitResult | None:
    """The URL's parts, or None when it has no host (or a malformed one)."""
    try:
        parts = urllib.parse.urlsplit(url)
        return parts if parts.hostname else None
    except ValueError:  # e.g. an unclosed [IPv6] host
        return None


def _redacted(url: str) -> str:
    """The URL without what comes before an `@` (a user:token part: never echo it)."""
    head, at, tail = url.partition("@")
    if not at:
        return url
    scheme, sep, _ = head.partition("//")
    return f"{scheme}//***@{tail}" if sep else f"***@{tail}"


def ref(value: str, option: str) -> str:
    """A branch, tag or commit as Git spells one (git check-ref-format, roughly)."""
    bad = any(c.isspace() or ord(c) < 32 or c in "~^:?*[\\" for c in value)
    if not value or bad or ".." in value or value.startswith(("-", "/")) or value.endswith("/"):
        raise UsageError(f"{option} {value!r} is not a Git branch, tag or commit")
    return value


def repo_path(value: str) -> str:
    """generated/'s path in the repository: relative, POSIX, without `..`."""
    parts = value.strip("/").split("/")
    odd = not _PATH.match(value) or any(p in ("", ".", "..") for p in parts)
    if value.startswith("/") or odd:
        raise UsageError(f"--path {value!r} must be a relative folder of the repository")
    return "/".join(parts)


def name(value: str, option: str) -> str:
    if not _LABEL.match(value) or len(value) > 63:
        raise UsageError(f"{option} {value!r} is not a Kubernetes name (RFC 1123 label)")
    return value


def duration(value: str, option: str) -> str:
    if not _DURATION.match(value):
        raise UsageError(f"{option} {value!r} is not a duration such as 30s, 1m or 1h30m")
    return value


def server(value: str) -> str:
    parts = _split(value)
    spaced = any(c.isspace() or ord(c) < 32 for c in value)
    if parts is None or spaced or parts.scheme not in ("https", "http") or parts.username:
        raise UsageError(f"--server {value!r} is not a Kubernetes API server URL")
    return value


def command_line(words: Sequence[str]) -> str:
    return " ".join(shlex.quote(w) for w in words)
