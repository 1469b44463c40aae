"""The collector's watch of running trials with early-stopping rules (reference §5.8): follow
the metrics source (the log for StdOut, the file for File) line by line and feed each report
of a rule's metric to its `StopWatch`. Only complete lines are read, so a line being written
is read once it is whole.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from compiler.execute.collector import Collector
from compiler.execute.medianstop import StopWatch
from compiler.execute.metrics import number, parse_text
from compiler.execute.plan import Launch
from compiler.model.katib import EarlyStoppingRule, ObjectiveSpec


@dataclass
class _Followed:
    path: Path
    watch: StopWatch
    offset: int = 0
    names: tuple[str, ...] = field(default=())


class Watcher:
    def __init__(self, collector: Collector, objective: ObjectiveSpec) -> None:
        self.collector = collector
        self.objective = objective
        self._followed: dict[str, _Followed] = {}
        self._stopped: set[str] = set()

    @property
    def active(self) -> bool:
        return bool(self._followed)

    def add(self, name: str, launch: Launch, rules: list[EarlyStoppingRule]) -> None:
        path = (
            launch.log
            if self.collector.kind == "StdOut"
            else self.collector.local_path(launch.mount)
        )
        if path is None:
            path = launch.cwd / self.collector.path
        watch = StopWatch(
            rules, self.objective.objective_metric_name, self.objective.type == "maximize"
        )
        self._followed[name] = _Followed(path, watch, 0, tuple(r.name for r in rules))

    def stopped(self, name: str) -> bool:
        """Whether we stopped it early; forgets the trial."""
        self._followed.pop(name, None)
        was = name in self._stopped
        self._stopped.discard(name)
        return was

    def poll(self) -> list[str]:
        """Trials to stop now."""
        out = []
        for name, f in list(self._followed.items()):
            if name not in self._stopped and self._read(f):
                self._stopped.add(name)
                out.append(name)
        return out

    def _read(self, f: _Followed) -> bool:
        try:
            with f.path.open("rb") as fh:
                fh.seek(f.offset)
                data = fh.read()
        except OSError:
            return False
        end = data.rfind(b"\n")
        if end < 0:
            return False
        f.offset += end + 1
        for line in data[: end + 1].decode("utf-8", "replace").split("\n"):
            for metric, value in self._reports(line, f.names):
                if f.watch.feed(metric, value):
                    return True
        return False

    def _reports(self, line: str, names: tuple[str, ...]) -> list[tuple[str, float]]:
        if self.collector.format == "JSON" and self.collector.kind == "File":
            try:
                obj = json.loads(line) if line.strip() else {}
            except ValueError:
                return []
            pairs = [
                (n, obj[n]) for n in names if isinstance(obj, dict) and isinstance(obj.get(n), str)
            ]
        else:
            pairs = [(g.name, g.value) for g in parse_text([line], names, self.collector.filters)]
        out = []
        for metric, text in pairs:
            value = number(text.strip())
            if value is not None:
                out.append((metric, value))
        return out
