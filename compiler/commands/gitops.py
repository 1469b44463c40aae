"""`gitops argocd` and `gitops flux`: the tenancy map of policies/config.yaml and the team
folders of generated/ → the Argo CD or Flux objects that sync them, as files in a folder (stale
files of ours removed, hand-written ones kept) or as one YAML stream.

Everything is read and checked before anything is written, so a bad input writes nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from compiler.desired import read_desired
from compiler.errors import InputError, UsageError
from compiler.gitops import argocd, flux, tenancy
from compiler.gitops.flux_health import HEALTH_CHECK_EXPRS
from compiler.gitops.tenancy import ArgoOptions, FluxOptions, OutputFile, Source, Team, Tenancy
from compiler.model.source import Location

LISTING = "kustomization.yaml"  # in the output folder; not part of the stream


@dataclass
class Written:
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0


@dataclass
class GitopsRun:
    tool: str
    files: tuple[OutputFile, ...]
    teams: tuple[Team, ...]
    unused: list[str]  # teams of the tenancy map without a folder in generated/
    notes: tuple[str, ...]
    written: Written | None = None

    def stream(self) -> str:
        """Every object, as one YAML stream for `kubectl apply -f -` (no kustomization.yaml)."""
        return "---\n".join(f.text for f in self.files if f.path != LISTING)


def argocd_objects(root: Path, opts: ArgoOptions) -> GitopsRun:
    source = Source(
        tenancy.repo_url(opts.repo_url, scp=True),
        tenancy.ref(opts.revision, "--revision"),
        tenancy.repo_path(opts.path),
    )
    namespace = tenancy.name(opts.namespace, "--namespace")
    server = tenancy.server(opts.server)
    teams, unused = _teams(root, source)
    files = argocd.argocd_files(
        teams,
        source,
        namespace=namespace,
        server=server,
        header=_header(argocd.TOOL, opts, source) + argocd.COMMENT,
    )
    return GitopsRun(argocd.TOOL, files, teams, unused, argocd.NOTES)


def flux_objects(root: Path, opts: FluxOptions) -> GitopsRun:
    source = Source(
        tenancy.repo_url(opts.repo_url, scp=False),
        tenancy.ref(opts.branch, "--branch"),
        tenancy.repo_path(opts.path),
    )
    namespace = tenancy.name(opts.namespace, "--namespace")
    interval = tenancy.duration(opts.interval, "--interval")
    timeout = tenancy.duration(opts.timeout, "--timeout")
    secret = tenancy.name(opts.secret_ref, "--secret-ref") if opts.secret_ref else None
    teams, unused = _teams(root, source)
    files = flux.flux_files(
        teams,
        source,
        namespace=namespace,
        interval=interval,
        timeout=timeout,
        secret=secret,
        wait=opts.wait,
        health=HEALTH_CHECK_EXPRS,
        header=_header(flux.TOOL, opts, source) + flux.COMMENT,
    )
    notes = (*flux.NOTES, flux.WAIT_NOTE) if opts.wait else flux.NOTES
    return GitopsRun(flux.TOOL, files, teams, unused, notes)


def _teams(root: Path, source: Source) -> tuple[tuple[Team, ...], list[str]]:
    found = read_tenancy(root)
    teams = tenancy.teams(found, team_folders(root, source.path), source)
    return teams, tenancy.unused(found, teams)


def read_tenancy(root: Path) -> Tenancy:
    """parameters.tenancy.teams, read by the policy room (the only reader of policies/)."""
    from compiler.policy.load import load_policies

    policies = load_policies(root / "policies")
    cfg, doc = policies.config, policies.config.document
    # config.yaml could not be read (YAML) or checked (its schema): say why, not "no map"
    written = isinstance(doc.data, Mapping) and bool(doc.data.get("parameters")) if doc else True
    if not cfg.params and written:
        for p in policies.problems:
            if p.where is not None and p.where.file == tenancy.CONFIG:
                raise InputError(p.message, p.where, p.hint, code=p.code)
    teams: Mapping[str, Sequence[str]] = (cfg.params.get("tenancy") or {}).get("teams") or {}
    where = {
        str(t): doc.where(("parameters", "tenancy", "teams", t), key=True) for t in teams if doc
    }
    return Tenancy(
        {str(t): tuple(str(ns) for ns in v or ()) for t, v in teams.items()},
        tenancy.CONFIG,
        where,
    )


def team_folders(root: Path, path: str) -> dict[str, list[tuple[str, str]]]:
    """generated/'s folders → their experiments' (file under generated/, namespace)."""
    folder = root / path
    if not folder.is_dir():
        raise InputError(f"{path}/ is missing", Location(path), "run `katib-gitops compile`")
    files = {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
    desired = read_desired(files, path)
    if not desired.experiments:
        raise InputError(f"{path}/ holds no experiments", Location(path), "compile specs/ first")
    out: dict[str, list[tuple[str, str]]] = {}
    for d in desired.experiments:
        team, sep, _ = d.path.partition("/")
        if not sep:
            raise InputError(
                "is outside a team folder",
                Location(f"{path}/{d.path}"),
                "write specs in specs/<team>/ and compile again",
            )
        out.setdefault(team, []).append((d.path, d.namespace))
    return out


def _header(tool: str, opts: ArgoOptions | FluxOptions, source: Source) -> str:
    """Names the command that regenerates the file, with the options that are not defaults
    (never -o or --root: no local paths in committed files)."""
    words = ["katib-gitops", "gitops", tool]
    for f in dataclasses.fields(opts):
        value, flag = getattr(opts, f.name), f"--{f.name.replace('_', '-')}"
        if isinstance(value, bool):
            words += [flag] if value else []
        elif f.name == "repo_url" or value != f.default:
            words += [flag, str(value)]
    return (
        f"# Generated by katib-gitops from {tenancy.CONFIG} and {source.path}/. Do not edit.\n"
        f"# Regenerate with: {tenancy.command_line(words)}\n"
    )


def _ours(text: str, tool: str) -> bool:
    lines = text.split("\n", 2)
    return len(lines) > 1 and lines[1].startswith(f"# Regenerate with: katib-gitops gitops {tool}")


def write(out: Path, run: GitopsRun) -> Written:
    """Write the files into `out`; remove the files of ours that are no longer wanted."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"-o {out}: exists and is not a folder")
    for f in run.files:
        target = out / f.path
        if target.is_dir():
            raise UsageError(f"-o {out}: {f.path} is a folder")
        if target.is_file() and not _ours(_text(target), run.tool):
            raise UsageError(
                f"-o {out}: {f.path} exists and was not written by katib-gitops gitops "
                f"{run.tool}; move it, or write to another folder"
            )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"-o {out}: cannot create the folder ({exc.strerror})") from None
    result = Written()
    wanted = {f.path for f in run.files}
    for old in sorted(out.glob("*.yaml")):
        if old.name not in wanted and old.is_file() and _ours(_text(old), run.tool):
            old.unlink()
            result.removed.append(old.name)
    for f in run.files:
        target = out / f.path
        data = f.text.encode("utf-8")
        if target.is_file() and target.read_bytes() == data:
            result.unchanged += 1
            continue
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(target)  # atomic: a reader never sees half a file
        result.written.append(f.path)
    run.written = result
    return result


def _text(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
