"""The retry policy of every cluster call: capped exponential backoff with full jitter, a budget
of attempts and seconds, and the server's Retry-After honoured (pure: the clocks, the sleep and
the random numbers are injected, so tests never sleep).

Full jitter (`uniform(0, min(cap, base * 2**n))`) is the AWS architecture blog's recipe, and what
client-go's wait.Backoff with Jitter approximates; many clients hitting a recovering API server
then spread out instead of arriving in waves.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from compiler.cluster.errors import ClusterError, Unreachable

T = TypeVar("T")

UNREACHABLE_HINT = "is the cluster running? check --kubeconfig and --context"


@dataclass(frozen=True)
class Retry:
    attempts: int = 8  # requests in all, the first one included
    base: float = 0.1  # seconds: the first backoff's ceiling
    cap: float = 8.0  # seconds: no single wait is longer, Retry-After included
    deadline: float = 60.0  # seconds from the first attempt: no retry starts after it
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    clock: Callable[[], float] = time.monotonic  # for the deadline
    wallclock: Callable[[], float] = time.time  # for Retry-After given as an HTTP date

    def backoff(self, failures: int, retry_after: float | None = None) -> float:
        """Seconds to wait after `failures` failed attempts (1 for the first failure): full
        jitter, but never less than the server's Retry-After (both capped at `cap`)."""
        delay = self.rng.uniform(0.0, min(self.cap, self.base * 2 ** max(failures - 1, 0)))
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.cap))
        return delay

    def run(self, attempt: Callable[[int], T], retryable: Callable[[ClusterError], bool]) -> T:
        """Call `attempt(n)` (n = 0, 1, ...) until it returns, a `ClusterError` it raises is not
        `retryable`, or the budget is spent. A spent budget raises the last error, or
        `Unreachable` when the last attempt got no answer at all."""
        start = self.clock()
        failures = 0
        while True:
            try:
                return attempt(failures)
            except ClusterError as err:
                failures += 1
                if not retryable(err):
                    raise
                delay = self.backoff(failures, err.retry_after)
                if failures >= self.attempts or self.clock() + delay - start > self.deadline:
                    raise give_up(err, failures) from None
                self.sleep(delay)


def give_up(err: ClusterError, attempts: int) -> ClusterError:
    """The error to raise once the budget is spent: `Unreachable` when nothing answered."""
    if err.status is not None:
        return err
    return Unreachable(
        f"no answer after {attempts} attempt{'s' if attempts != 1 else ''}: {err.message}",
        reason=err.reason,
        object=err.object,
        hint=UNREACHABLE_HINT,
    )


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP date; None when absent or
    unreadable. `now` is the wall clock, in seconds since the epoch."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # an HTTP date is always GMT
        return None
    return max(0.0, when.timestamp() - now)
