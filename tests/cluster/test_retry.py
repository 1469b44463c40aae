"""`Retry`, on a fake clock and a seeded RNG: no real sleeping, no timing assertions."""

from __future__ import annotations

import email.utils
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.cluster.errors import (
    ClusterError,
    Conflict,
    Invalid,
    Transient,
    Unreachable,
)
from compiler.cluster.retry import UNREACHABLE_HINT, Retry, give_up, parse_retry_after


class Clock:
    """A monotonic clock that moves only when the retry sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def retry(clock: Clock, **kw: object) -> Retry:
    return Retry(sleep=clock.sleep, clock=clock, rng=random.Random(7), **kw)  # type: ignore[arg-type]


def failing(errors: list[ClusterError], result: str = "ok"):
    calls: list[int] = []

    def attempt(n: int) -> str:
        calls.append(n)
        if errors:
            raise errors.pop(0)
        return result

    return attempt, calls


def no_answer() -> Transient:
    return Transient("connection refused", reason="ConnectionRefused", object="Experiment/ns/a")


def test_full_jitter_bounds_and_cap():
    r = Retry(base=0.1, cap=8.0, rng=random.Random(1))
    for failures in range(1, 15):
        ceiling = min(8.0, 0.1 * 2 ** (failures - 1))
        for _ in range(50):
            assert 0.0 <= r.backoff(failures) <= ceiling


def test_seeded_rng_gives_the_same_waits():
    a = [Retry(rng=random.Random(3)).backoff(n) for n in range(1, 9)]
    b = [Retry(rng=random.Random(3)).backoff(n) for n in range(1, 9)]
    assert a == b


def test_retry_after_is_a_floor_capped_at_cap():
    r = Retry(base=0.1, cap=5.0, rng=random.Random(1))
    assert r.backoff(1, retry_after=3.0) >= 3.0
    assert r.backoff(1, retry_after=60.0) == 5.0
    assert r.backoff(1, retry_after=0.0) <= 0.1


def test_returns_after_transient_errors():
    clock = Clock()
    attempt, calls = failing([Transient("503", status=503), Conflict("409", status=409)])
    assert retry(clock).run(attempt, lambda e: e.retryable) == "ok"
    assert calls == [0, 1, 2]
    assert len(clock.sleeps) == 2


def test_not_retryable_raises_at_once():
    clock = Clock()
    attempt, calls = failing([Invalid("bad", status=400)])
    with pytest.raises(Invalid):
        retry(clock).run(attempt, lambda e: e.retryable)
    assert calls == [0]
    assert clock.sleeps == []


def test_attempts_budget_then_last_error():
    clock = Clock()
    errors: list[ClusterError] = [Transient(f"503 #{i}", status=503) for i in range(10)]
    attempt, calls = failing(errors)
    with pytest.raises(Transient, match="503 #3"):
        retry(clock, attempts=4).run(attempt, lambda e: e.retryable)
    assert calls == [0, 1, 2, 3]
    assert len(clock.sleeps) == 3  # no wait after the last attempt


def test_no_answer_after_the_budget_is_unreachable():
    clock = Clock()
    attempt, calls = failing([no_answer() for _ in range(5)])
    with pytest.raises(Unreachable) as err:
        retry(clock, attempts=5).run(attempt, lambda e: e.retryable)
    assert len(calls) == 5
    assert "no answer after 5 attempts" in str(err.value)
    assert err.value.object == "Experiment/ns/a"
    assert err.value.hint == UNREACHABLE_HINT
    assert err.value.exit_code == 3


def test_deadline_stops_retrying_before_the_attempts_run_out():
    clock = Clock()
    attempt, calls = failing([Transient("503", status=503, retry_after=4.0) for _ in range(50)])
    with pytest.raises(Transient):
        retry(clock, attempts=50, cap=4.0, deadline=10.0).run(attempt, lambda e: e.retryable)
    assert clock.sleeps == [4.0, 4.0]  # a third wait would end past the deadline
    assert len(calls) == 3


def test_sleeps_honour_retry_after():
    clock = Clock()
    errors: list[ClusterError] = [
        Transient("429", status=429, retry_after=2.0),
        Transient("503", status=503, retry_after=1.0),
    ]
    attempt, _ = failing(errors)
    retry(clock).run(attempt, lambda e: e.retryable)
    assert clock.sleeps[0] >= 2.0
    assert clock.sleeps[1] >= 1.0


def test_give_up_keeps_an_answered_error():
    err = Transient("500", status=500)
    assert give_up(err, 3) is err


@pytest.mark.parametrize(
    ("value", "expected"),
    [("3", 3.0), (" 10 ", 10.0), ("0", 0.0), (None, None), ("", None), ("soon", None)],
)
def test_parse_retry_after_seconds(value, expected):
    assert parse_retry_after(value, now=0.0) == expected


def test_parse_retry_after_http_date():
    now = 1_800_000_000.0
    header = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after(header, now) == pytest.approx(30.0)
    past = email.utils.formatdate(now - 30, usegmt=True)
    assert parse_retry_after(past, now) == 0.0
    assert parse_retry_after("Mon, 99 Foo 2026 00:00:00", now) is None


@settings(derandomize=True, max_examples=200)
@given(
    failures=st.integers(min_value=1, max_value=60),
    retry_after=st.one_of(st.none(), st.floats(min_value=0, max_value=1e6)),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_backoff_is_always_within_zero_and_cap(failures, retry_after, seed):
    r = Retry(base=0.1, cap=8.0, rng=random.Random(seed))
    delay = r.backoff(failures, retry_after)
    assert 0.0 <= delay <= 8.0
    if retry_after is not None:
        assert delay >= min(retry_after, 8.0)
