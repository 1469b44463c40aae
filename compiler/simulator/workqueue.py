"""A work queue as controller-runtime's: a key waits at most once however often it is added,
a key being worked on is not handed to a second worker (it is queued again for after), and a
key can be added after a delay (requeue with backoff)."""

from __future__ import annotations

import heapq
import threading
import time
from collections import deque
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class WorkQueue(Generic[K]):
    def __init__(self) -> None:
        self._cv = threading.Condition()
        self._queue: deque[K] = deque()
        self._dirty: set[K] = set()
        self._processing: set[K] = set()
        self._later: list[tuple[float, int, K]] = []
        self._n = 0
        self._closed = False

    def add(self, key: K) -> None:
        with self._cv:
            if key in self._dirty:
                return
            self._dirty.add(key)
            if key not in self._processing:
                self._queue.append(key)
                self._cv.notify()

    def add_after(self, key: K, seconds: float) -> None:
        with self._cv:
            self._n += 1
            heapq.heappush(self._later, (time.monotonic() + seconds, self._n, key))
            self._cv.notify_all()

    def get(self) -> K | None:
        """The next key (None once closed); call `done(key)` when finished with it."""
        with self._cv:
            while True:
                self._promote()
                if self._closed:
                    return None
                if self._queue:
                    key = self._queue.popleft()
                    self._dirty.discard(key)
                    self._processing.add(key)
                    return key
                wait = self._later[0][0] - time.monotonic() if self._later else None
                self._cv.wait(wait)

    def done(self, key: K) -> None:
        with self._cv:
            self._processing.discard(key)
            if key in self._dirty:
                self._queue.append(key)
                self._cv.notify()

    def close(self) -> None:
        with self._cv:
            self._closed = True
            self._cv.notify_all()

    def __len__(self) -> int:
        with self._cv:
            return len(self._queue) + len(self._later)

    def _promote(self) -> None:
        now = time.monotonic()
        while self._later and self._later[0][0] <= now:
            _, _, key = heapq.heappop(self._later)
            if key not in self._dirty:
                self._dirty.add(key)
                if key not in self._processing:
                    self._queue.append(key)
