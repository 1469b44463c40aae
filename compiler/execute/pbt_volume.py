"""Katib's PBT checkpoint volume and a trial's lineage, locally (reference §6.8, §2.2).

In a cluster, resumePolicy FromVolume gives the suggestion a PVC (`<exp>-pbt`); the pbt service
keeps a folder per trial on it, `<exp>/<trial>`, made when the trial is queued: empty in the
first generation, a copy of its parent trial's folder after that (pbt/service.py,
`PbtJobQueue.append`). The pod webhook mounts that folder (subPath `<exp>/<trial>`) at
`suggestion_trial_dir` in the primary container (inject_webhook.go, mutateSuggestionVolume).

Here the volume is `<state>/checkpoints/`, a folder per trial, made just before the trial first
starts (its parent has finished by then, so the copy is the same). The setting's path in the
trial's command, args and env is rewritten to the trial's own folder, which is what the mount
makes the trial see, as the collector's emptyDir is rewritten (collector.py).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compiler.execute.space import algorithm_settings
from compiler.model.katib import Experiment
from compiler.model.results import PBT_GENERATION, PBT_PARENT, Lineage

FOLDER = "checkpoints"
ENV = "KATIB_GITOPS_CHECKPOINT_DIR"


@dataclass(frozen=True)
class Volume:
    mount_path: str  # suggestion_trial_dir, as the trial's container sees it
    root: Path  # the volume's `<exp>/` folder, absolute

    def folder(self, trial: str) -> Path:
        return self.root / trial

    def relocate(
        self, argv: list[str], env: dict[str, str], trial: str
    ) -> tuple[list[str], dict[str, str]]:
        """The mount path, wherever it appears as a path, becomes the trial's folder."""
        env = {**env, ENV: str(self.folder(trial))}
        pattern = self._pattern()
        if pattern is None:
            return argv, env  # a mountPath is absolute; nothing would be mounted
        new = str(self.folder(trial))

        def sub(text: str) -> str:
            return pattern.sub(lambda _: new, text)

        return [sub(a) for a in argv], {k: sub(v) for k, v in env.items()}

    def _pattern(self) -> re.Pattern[str] | None:
        """The mount path as a path, not as the prefix of a longer name."""
        target = self.mount_path.rstrip("/")
        return re.compile(re.escape(target) + r"(?![\w.-])") if target.startswith("/") else None

    def unmentioned(self, argv: list[str], env: Mapping[str, str]) -> str | None:
        """A note when the trial is not told the path: in a pod the folder is mounted there
        anyway, and a script may write to it by name; here it has only the env var."""
        pattern = self._pattern()
        if pattern is None or any(pattern.search(t) for t in (*argv, *env.values())):
            return None
        return (
            f"pbt: the trial's command and env do not name suggestion_trial_dir "
            f"({self.mount_path}), where Katib mounts its checkpoint folder; locally that "
            f"folder is only in ${ENV}"
        )

    def prepare(self, trial: str, labels: Mapping[str, str]) -> str | None:
        """Make the trial's folder once (a restarted trial keeps what it has, as a pod restart
        keeps the PVC); a note when the parent's folder is gone and the trial starts empty."""
        dest = self.folder(trial)
        if dest.is_dir():
            return None
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".{trial}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        parent = labels.get(PBT_PARENT)
        source = self.folder(parent) if parent else None
        note = None
        if source is not None and source.is_dir():
            shutil.copytree(source, tmp, symlinks=True)  # links stay links: nothing outside is read
        else:
            tmp.mkdir()
            if source is not None:
                note = (
                    f"{trial}: its parent's checkpoint folder ({parent}) is gone; it starts empty"
                )
        tmp.replace(dest)  # whole or not at all: a crash mid-copy leaves only the tmp folder
        return note


def volume_of(exp: Experiment, state_abs: Path) -> Volume | None:
    """pbt's volume, when the experiment has one (admission has checked the settings, R24)."""
    algo = exp.spec.algorithm.algorithm_name if exp.spec.algorithm else ""
    path = algorithm_settings(exp).get("suggestion_trial_dir", "")
    if algo != "pbt" or not path:
        return None
    return Volume(path, state_abs / FOLDER)


def lineage_of(
    labels: Mapping[str, str], memo: Mapping[str, Any], checkpoint: str
) -> Lineage | None:
    """A trial's lineage from Katib's labels and what the suggestion recorded of it."""
    generation = labels.get(PBT_GENERATION)
    if generation is None or not generation.lstrip("-").isdigit():
        return None
    made = memo.get("pbt")
    if not isinstance(made, dict):
        made = {}
    return Lineage(
        generation=int(generation),
        parent=labels.get(PBT_PARENT, ""),
        origin=str(made.get("origin", "")),
        values_from=str(made.get("valuesFrom", "")),
        checkpoint=checkpoint,
    )
