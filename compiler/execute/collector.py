"""The experiment's metrics collector, run locally (reference §5.1-§5.5, defaults §2.1).

StdOut reads the trial's log (stdout and stderr, §5.2); File reads the file at
`source.fileSystemPath.path` in TEXT or JSON; TensorFlowEvent reads the event directory; Push
reads what the trial reported (`KATIB_GITOPS_PUSH_FILE`). Custom and PrometheusMetric
collectors have nothing to run locally, so such experiments stop before the first trial.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path

from compiler.execute import metrics
from compiler.execute.errors import LocalUnsupported
from compiler.execute.metrics import Log
from compiler.model.katib import Experiment

PUSH_ENV = "KATIB_GITOPS_PUSH_FILE"
DEFAULT_FILE = "/var/log/katib/metrics.log"
DEFAULT_TF_DIR = "/var/log/katib/tfevent/"


@dataclass(frozen=True)
class Collector:
    kind: str
    objective: str
    names: tuple[str, ...]  # what the collector looks for: objective first, then additional
    observed: tuple[str, ...]  # one observation metric per strategy name (§5.6)
    path: str = ""
    directory: bool = False
    format: str = "TEXT"
    filters: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def mount(self) -> str:
        """The folder Katib mounts as the emptyDir (§5.1): dir(path) for a File, the path for
        a Directory; empty when nothing is mounted."""
        if self.kind not in ("File", "TensorFlowEvent") or not self.path:
            return ""
        return self.path.rstrip("/") if self.directory else posixpath.dirname(self.path)

    def local_path(self, mount: Path) -> Path | None:
        """Where the trial's metrics are, once the mount is the trial's folder."""
        if self.kind == "Push":
            return mount / "push.jsonl"
        if self.kind not in ("File", "TensorFlowEvent"):
            return None
        if not posixpath.isabs(self.path):
            return None  # relative: read from the trial's working directory
        if self.directory:
            return mount
        return mount / posixpath.basename(self.path)

    def relocate(
        self, argv: list[str], env: dict[str, str], mount: Path
    ) -> tuple[list[str], dict[str, str]]:
        """Point the trial at its own metrics folder, as the emptyDir mount does in a pod."""
        env = dict(env)
        if self.kind == "Push":
            env[PUSH_ENV] = str(mount / "push.jsonl")
        target = self.mount
        if not target or not posixpath.isabs(target) or target == "/":
            return argv, env
        new = str(mount)
        argv = [a.replace(target, new) for a in argv]
        return argv, {k: (v.replace(target, new) if k != PUSH_ENV else v) for k, v in env.items()}

    def collect(
        self, log: Path, mount: Path, cwd: Path, fallback: str
    ) -> tuple[list[Log], list[str]]:
        """Every report, as the collector would send it; raises CollectionError when the
        collector itself would fail."""
        problems: list[str] = []
        if self.kind == "StdOut":
            logs = metrics.parse_text(_lines(log), self.names, self.filters)
        elif self.kind == "Push":
            logs, problems = metrics.parse_push(_lines(mount / "push.jsonl"), fallback)
        elif self.kind == "TensorFlowEvent":
            from compiler.execute.tfevent import read_events

            logs = read_events(self._where(mount, cwd), self.names)
        elif self.format == "JSON":
            logs = metrics.parse_json(_lines(self._where(mount, cwd)), self.names)
        else:
            logs = metrics.parse_text(_lines(self._where(mount, cwd)), self.names, self.filters)
        if self.kind != "Push":
            logs = metrics.objective_or_nothing(logs, self.objective)
        return logs, problems

    def _where(self, mount: Path, cwd: Path) -> Path:
        return self.local_path(mount) or (cwd / self.path)


def _lines(path: Path) -> list[str]:
    """Go splits on "\\n" only; undecodable bytes become U+FFFD rather than stopping us."""
    if not path.is_file():
        return []
    return path.read_bytes().decode("utf-8", "replace").split("\n")


def collector_of(exp: Experiment) -> Collector:
    obj = exp.spec.objective
    if obj is None:
        raise LocalUnsupported("the experiment has no objective")
    mc = exp.spec.metrics_collector_spec
    kind = (mc.collector.kind if mc and mc.collector else "") or "StdOut"
    if kind in ("Custom", "PrometheusMetric"):
        raise LocalUnsupported(
            f"the {kind} metrics collector has nothing to run locally",
            "use StdOut, File, TensorFlowEvent or Push for local runs",
        )
    names = (obj.objective_metric_name, *obj.additional_metric_names)
    observed = _observed(names, tuple(s.name for s in obj.metric_strategies))
    fsp = mc.source.file_system_path if mc and mc.source else None
    flt = mc.source.filter if mc and mc.source else None
    notes: list[str] = []
    if kind == "TensorFlowEvent":
        from compiler.execute.tfevent import require

        require()
        if exp.spec.early_stopping is not None:
            raise LocalUnsupported(
                "TensorFlowEvent with earlyStopping: Katib's TF-event collector does not take "
                "early-stopping rules and would fail (§5.4)",
                "drop earlyStopping, or collect with StdOut or File",
            )
    if kind == "Push" and exp.spec.early_stopping is not None:
        notes.append("Push: no collector enforces early-stopping rules, here as in Katib")
    return Collector(
        kind,
        obj.objective_metric_name,
        names,
        observed,
        fsp.path
        if fsp and fsp.path
        else (DEFAULT_TF_DIR if kind == "TensorFlowEvent" else DEFAULT_FILE),
        (fsp.kind == "Directory") if fsp else kind == "TensorFlowEvent",
        (fsp.format or "TEXT") if fsp else "TEXT",
        tuple(flt.metrics_format) if flt else (),
        tuple(notes),
    )


def _observed(names: tuple[str, ...], strategies: tuple[str, ...]) -> tuple[str, ...]:
    ordered = [n for n in names if n in strategies] + [s for s in strategies if s not in names]
    return tuple(dict.fromkeys(ordered))
