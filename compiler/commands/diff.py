"""`diff`: the plan of a pull request, Git against Git. generated/ at the base commit against
generated/ at the head (a commit, or the work tree), classified as `plan` classifies it; the
check at both revisions, for the findings the pull request adds or fixes; and whether head's
generated/ is what head's specs compile to.

The base's specs and policies are exported to a temporary folder (`git_repo.export_tree`) and
checked there; so is a head commit. Nothing is written to the repository but the check's cache
in `.state/`, as `check` writes it.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from compiler import git_repo
from compiler.desired import read_desired
from compiler.errors import InputError
from compiler.model.diagnostics import Severity
from compiler.model.source import Location
from compiler.policy.report import Report
from compiler.prdiff import WORKTREE, PullRequestDiff, Staleness, build

GENERATED = "generated"
INPUTS = ("specs", "policies", "templates")  # what compile and check read of a revision


@dataclass(frozen=True)
class DiffOptions:
    katib_config: str | None = None  # read from the work tree, for both revisions
    configmaps: Sequence[str] = field(default=())
    default_deadline: int | None = None  # seconds, for trials without a time limit
    today: dt.date | None = None  # for waiver expiry, the same at both revisions
    cluster: str | None = None  # the cluster profile, each revision's own (--cluster NAME)


def diff(
    root: Path, base: str, head: str | None = None, options: DiffOptions | None = None
) -> PullRequestDiff:
    opts = options or DiffOptions()
    opts = DiffOptions(
        _absolute(root, opts.katib_config),
        [str(_absolute(root, c)) for c in opts.configmaps],
        opts.default_deadline,
        opts.today or dt.date.today(),
        opts.cluster,
    )
    prefix = _prefix(root)
    base_sha = git_repo.revision(root, base)
    head_sha = git_repo.revision(root, head) if head else WORKTREE
    with tempfile.TemporaryDirectory(prefix="katib-gitops-diff-") as tmp:
        with _at("base", base_sha):
            base_root = _export(root, base_sha, prefix, Path(tmp) / "base", INPUTS)
            before = read_desired(git_repo.read_tree(root, base_sha, prefix + GENERATED))
            base_report = _check(base_root, opts, use_cache=False)
        with _at("head", head_sha):
            if head_sha == WORKTREE:
                head_root = root
            else:
                head_root = _export(
                    root, head_sha, prefix, Path(tmp) / "head", (*INPUTS, GENERATED)
                )
            files = read_folder(head_root / GENERATED)
            after = read_desired(files)
            head_report = _check(head_root, opts, use_cache=head_sha == WORKTREE)
            staleness = stale(head_root, files, opts)
    return build(
        base_sha,
        head_sha,
        before,
        after,
        base_report=base_report,
        head_report=head_report,
        staleness=staleness,
        default_deadline=opts.default_deadline,
    )


@contextmanager
def _at(side: str, sha: str) -> Iterator[None]:
    """Say which revision unreadable input is at: the same file may be fine at the other."""
    try:
        yield
    except InputError as exc:
        where = "the work tree" if sha == WORKTREE else sha[:12]
        raise InputError(
            f"{exc.message} (at {side}, {where})", exc.where, exc.hint, exc.code
        ) from None


def _absolute(root: Path, path: str | None) -> str | None:
    return None if path is None else str((root / path).resolve())


def _prefix(root: Path) -> str:
    """root relative to the top of its repository ("" at the top, else "sub/"), since git
    names paths from the top. Not a repository: "" (git_repo says so with its own error)."""
    here = root.resolve()
    for top in (here, *here.parents):
        if (top / ".git").exists():
            rel = here.relative_to(top).as_posix()
            return "" if rel == "." else f"{rel}/"
    return ""


def _export(root: Path, sha: str, prefix: str, dest: Path, paths: Sequence[str]) -> Path:
    """The revision's `paths` under `dest`; the folder that stands for root there."""
    git_repo.export_tree(root, sha, [prefix + p for p in paths], dest)
    out = dest / prefix if prefix else dest
    (out / "specs").mkdir(parents=True, exist_ok=True)  # a revision before the first spec
    return out


def read_folder(folder: Path) -> dict[str, bytes]:
    """Every regular file under `folder`, by POSIX path relative to it. Symbolic links are
    skipped, as `export_tree` skips them: a pull request's generated/ must not reach out."""
    if folder.is_symlink() or not folder.is_dir():
        return {}
    out: dict[str, bytes] = {}
    for top, _, names in os.walk(folder):  # does not enter linked folders
        for name in names:
            path = Path(top) / name
            if path.is_symlink() or not path.is_file():
                continue
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise InputError(f"cannot read: {exc.strerror}", Location(str(path))) from None
            out[path.relative_to(folder).as_posix()] = data
    return dict(sorted(out.items()))


def _check(root: Path, opts: DiffOptions, *, use_cache: bool) -> Report:
    """`katib-gitops check` at one revision; an empty report where there are no specs."""
    from compiler.commands.check import check

    if not any((root / "specs").rglob("*")):
        return Report()
    report, _ = check(
        root,
        katib_config=opts.katib_config,
        cluster=opts.cluster,
        configmaps=opts.configmaps,
        today=opts.today,
        use_cache=use_cache,
    )
    return report


def stale(root: Path, generated: dict[str, bytes], opts: DiffOptions) -> Staleness:
    """Whether generated/ is what root's specs compile to (`compile --check`, policies aside:
    their findings are the check's)."""
    from compiler.commands.compile import compile_specs
    from compiler.render.manifests import manifest_set

    compiled = []
    if (root / "specs").is_dir():  # no specs/ compiles to an empty generated/
        run = compile_specs(
            root,
            katib_config=opts.katib_config,
            configmaps=opts.configmaps,
            policies=False,
            cluster=opts.cluster,
        )
        if run.has_errors:
            errors = [d for d in run.diagnostics if d.severity == Severity.ERROR]
            return Staleness(
                True,
                f"the specs do not compile ({len(errors)} error{'s' if len(errors) != 1 else ''})",
                tuple(d.render().splitlines()[0] for d in errors),
            )
        compiled = run.compiled
    wanted = {f.path: f.text.encode() for f in manifest_set(compiled).files}
    differ = sorted(p for p in set(wanted) | set(generated) if wanted.get(p) != generated.get(p))
    if not differ:
        return Staleness()
    return Staleness(
        True,
        f"{len(differ)} file{'s' if len(differ) != 1 else ''} of generated/ differ from what "
        "the specs compile to",
        tuple(f"generated/{p}" for p in differ),
    )


__all__ = ["DiffOptions", "diff", "read_folder", "stale"]
