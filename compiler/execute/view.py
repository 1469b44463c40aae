"""What a run shows while it runs: a live rich view on a terminal (a progress bar, the running
trials, the best so far), or plain lines when the output is not a terminal (CI logs, pipes).
"""

from __future__ import annotations

import sys
from typing import IO, Any

from compiler.execute import rules
from compiler.execute.state import RunState

_BEST_WIDTH = 60


def summary(state: RunState, objective: Any, max_trials: int | None) -> str:
    trials = state.ordered()
    counts = rules.count(trials)
    best = rules.best_trial(trials, objective)
    total = f"/{max_trials}" if max_trials is not None else ""
    head = (
        f"{counts.completed}{total} done, {counts.running} running, "
        f"{counts.succeeded} succeeded, {counts.failed_for_budget} failed"
    )
    if counts.early_stopped:
        head += f", {counts.early_stopped} early-stopped"
    if best is not None:
        value = rules.trial_objective(best, objective)
        head += f"; best {objective.objective_metric_name}={value} ({best.name})"
    return head


class PlainView:
    """One line per event, flushed: readable in CI logs and through pipes."""

    def __init__(self, objective: Any, max_trials: int | None, out: IO[str] | None = None) -> None:
        self.objective, self.max_trials = objective, max_trials
        self.out = out or sys.stdout
        self._last = ""

    def event(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def update(self, state: RunState, running: int) -> None:
        line = summary(state, self.objective, self.max_trials)
        if line != self._last:
            print(line, file=self.out, flush=True)
            self._last = line

    def close(self) -> None:
        return None


class LiveView:
    """A rich Live panel, redrawn on every change."""

    def __init__(self, objective: Any, max_trials: int | None, title: str) -> None:
        from rich.console import Console
        from rich.live import Live
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        self.objective, self.max_trials, self.title = objective, max_trials, title
        self.console = Console()
        self.progress = Progress(
            "[bold]{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
        )
        self.task = self.progress.add_task(title, total=max_trials)
        self.live = Live(self._render(None), console=self.console, refresh_per_second=4)
        self.live.start()

    def event(self, text: str) -> None:
        if not text.startswith("started "):
            # a warning (a trial that cannot work here) stands out from the notes above the bar
            style = "yellow" if text.startswith("warning:") else None
            self.live.console.print(text, markup=False, highlight=False, style=style)

    def update(self, state: RunState, running: int) -> None:
        counts = rules.count(state.ordered())
        self.progress.update(self.task, completed=counts.completed, total=self.max_trials)
        self.live.update(self._render(state))

    def _render(self, state: RunState | None) -> Any:
        from rich.console import Group
        from rich.table import Table

        table = Table(title="running trials", expand=False, show_edge=False)
        table.add_column("trial")
        table.add_column("parameters")
        if state is not None:
            for t in state.ordered():
                if t.state == rules.RUNNING:
                    table.add_row(t.name, " ".join(f"{k}={v}" for k, v in t.assignments.items()))
        line = summary(state, self.objective, self.max_trials) if state else "starting"
        return Group(self.progress, table, line[: _BEST_WIDTH * 3])

    def close(self) -> None:
        self.live.stop()
