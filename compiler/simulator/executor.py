"""Where trials run: synthetic ones on one timer thread (a heap of due times, so thousands of
trials cost no threads), real ones each on a thread of its own (a local process). When a trial
ends its outcome is kept and `on_done(key)` is called; the trial controller then writes it.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Callable
from typing import Any

from compiler.simulator.names import Key
from compiler.simulator.outcome import Outcome

Job = Callable[[threading.Event], Outcome | None]


class Executor:
    def __init__(self, on_done: Callable[[Key], None], log: Callable[[str], None]) -> None:
        self.on_done, self.log = on_done, log
        self._lock = threading.Condition()
        self._heap: list[tuple[float, int, Key]] = []
        self._synthetic: dict[Key, Callable[[], Outcome]] = {}
        self._threads: dict[Key, tuple[threading.Thread, threading.Event]] = {}
        self._outcomes: dict[Key, Outcome] = {}
        self._counter = 0
        self._closed = False
        self._timer = threading.Thread(target=self._run_timer, name="trial-timer", daemon=True)
        self._timer.start()

    # --- what the controller asks -------------------------------------------------------------

    def active(self, key: Key) -> bool:
        with self._lock:
            return key in self._synthetic or key in self._threads or key in self._outcomes

    def outcome(self, key: Key) -> Outcome | None:
        with self._lock:
            return self._outcomes.get(key)

    def forget(self, key: Key) -> None:
        with self._lock:
            self._outcomes.pop(key, None)

    def after(self, key: Key, seconds: float, compute: Callable[[], Outcome]) -> None:
        """A synthetic trial: its outcome is computed when it is due."""
        with self._lock:
            self._counter += 1
            self._synthetic[key] = compute
            heapq.heappush(self._heap, (time.monotonic() + seconds, self._counter, key))
            self._lock.notify()

    def thread(self, key: Key, job: Job) -> None:
        """A real trial, on a thread of its own."""
        stop = threading.Event()
        t = threading.Thread(target=self._run_job, args=(key, job, stop), daemon=True)
        with self._lock:
            self._threads[key] = (t, stop)
        t.start()

    def stop(self, key: Key) -> None:
        """The trial is going away: drop it, and kill its process if it has one."""
        with self._lock:
            self._synthetic.pop(key, None)
            self._outcomes.pop(key, None)
            entry = self._threads.pop(key, None)
        if entry is not None:
            entry[1].set()

    def shutdown(self, timeout: float = 40.0) -> None:
        """Stop every trial; real ones get their processes stopped (SIGTERM, then SIGKILL after
        the pod's grace period, as the local backend does)."""
        with self._lock:
            self._closed = True
            threads = list(self._threads.values())
            self._synthetic.clear()
            self._lock.notify()
        for _, stop in threads:
            stop.set()
        deadline = time.monotonic() + timeout
        for t, _ in threads:
            t.join(max(0.0, deadline - time.monotonic()))
        self._timer.join(1.0)

    # --- the threads -----------------------------------------------------------------------------

    def _run_timer(self) -> None:
        while True:
            with self._lock:
                while not self._closed and (not self._heap or self._heap[0][0] > time.monotonic()):
                    wait = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._lock.wait(wait)
                if self._closed:
                    return
                _, _, key = heapq.heappop(self._heap)
                compute = self._synthetic.pop(key, None)
            if compute is not None:
                self._finish(key, self._safely(key, compute))

    def _run_job(self, key: Key, job: Job, stop: threading.Event) -> None:
        result = self._safely(key, lambda: job(stop))
        with self._lock:
            mine = self._threads.get(key, (None, None))[1] is stop
            if mine:
                self._threads.pop(key, None)
        if mine and not stop.is_set():
            self._finish(key, result)

    def _safely(self, key: Key, fn: Callable[[], Any]) -> Outcome | None:
        try:
            out: Outcome | None = fn()
            return out
        except Exception as exc:  # a broken trial must not take the simulator down
            self.log(f"Trial/{key[0]}/{key[1]}: could not run: {type(exc).__name__}: {exc}")
            return Outcome("Failed", "TrialFailed", "Trial has failed", detail=str(exc))

    def _finish(self, key: Key, outcome: Outcome | None) -> None:
        if outcome is None:
            return
        with self._lock:
            self._outcomes[key] = outcome
        self.on_done(key)
