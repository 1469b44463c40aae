"""The plan of a pull request (`katib-gitops diff`), pure: the two revisions' generated/ and
check reports in (`build`), the plan as data (`model`), Markdown for a sticky comment
(`markdown`) and JSON for the workflow artifact (`jsonfmt`) out. Reads no files."""

from compiler.prdiff.build import Staleness, build
from compiler.prdiff.model import WORKTREE, PullRequestDiff

__all__ = ["WORKTREE", "PullRequestDiff", "Staleness", "build"]
