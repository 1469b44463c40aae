"""The git room, the only importer of GitPython: what the commands and the reconciler need from
a repository.

    files        files at a revision (read_tree, tree_ids, export_tree), commit exactly some paths
    sync         recover from a killed pass, fetch, fast-forward or replay our report commits
    push         push them, racing other writers; regenerate the reports on a conflict
    recover      lock files, interrupted rebases and resets left by a killed pass
    remote       the upstream branch; clone, fetch and push, their errors classified
    credentials  git credentials from a mounted Secret, as environment (use_credentials: for
                 every later git call of this room)
    session      one opened repository, the environment of every git call, our identity,
                 state_dir (.git/katib-gitops, for caches)
"""

from compiler.git_repo.credentials import credentials_env, use_credentials
from compiler.git_repo.errors import GitError, redact
from compiler.git_repo.files import (
    commit_paths,
    export_tree,
    file_revision,
    read_tree,
    revision,
    tree_ids,
)
from compiler.git_repo.push import PushResult, push
from compiler.git_repo.remote import clone
from compiler.git_repo.session import IDENTITY, Identity, state_dir
from compiler.git_repo.sync import Sync, sync, unpushed

__all__ = [
    "IDENTITY",
    "GitError",
    "Identity",
    "PushResult",
    "Sync",
    "clone",
    "commit_paths",
    "credentials_env",
    "export_tree",
    "file_revision",
    "push",
    "read_tree",
    "redact",
    "revision",
    "state_dir",
    "sync",
    "tree_ids",
    "unpushed",
    "use_credentials",
]
