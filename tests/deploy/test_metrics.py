"""compiler.cluster.metrics: the registry, and its text read back by Prometheus' own parser
(prometheus_client.parser, a dev-only dependency)."""

from __future__ import annotations

import math
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families

from compiler.cluster.metrics import Registry, reconciler_metrics


def _families(text: str) -> dict[str, object]:
    return {f.name: f for f in text_string_to_metric_families(text)}


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for f in text_string_to_metric_families(text)
        for s in f.samples
    }


def test_the_reconcilers_metrics_render_and_parse() -> None:
    registry = Registry()
    m = reconciler_metrics(registry)
    m.passes.inc(result="ok")
    m.passes.inc(result="ok")
    m.passes.inc(result="error")
    m.errors.inc(kind="Forbidden")
    m.api_requests.inc(verb="PATCH", code=200)
    m.commits.inc()
    m.pushes.inc(result="rejected")
    m.pass_seconds.set(1.25)
    m.last_pass.set(1_767_225_600.5)
    m.experiments.replace({"Succeeded": 3, "Running": 1})
    text = registry.render()
    families = _families(text)
    assert set(families) == {
        "katib_gitops_passes",  # the parser drops a counter's _total
        "katib_gitops_errors",
        "katib_gitops_api_requests",
        "katib_gitops_commits",
        "katib_gitops_pushes",
        "katib_gitops_pass_seconds",
        "katib_gitops_last_pass_timestamp_seconds",
        "katib_gitops_experiments",
    }
    assert families["katib_gitops_passes"].type == "counter"  # type: ignore[attr-defined]
    assert families["katib_gitops_experiments"].type == "gauge"  # type: ignore[attr-defined]
    samples = _samples(text)
    assert samples[("katib_gitops_passes_total", (("result", "ok"),))] == 2
    assert samples[("katib_gitops_passes_total", (("result", "error"),))] == 1
    assert samples[("katib_gitops_api_requests_total", (("code", "200"), ("verb", "PATCH")))] == 1
    assert samples[("katib_gitops_commits_total", ())] == 1
    assert samples[("katib_gitops_pass_seconds", ())] == 1.25
    assert samples[("katib_gitops_last_pass_timestamp_seconds", ())] == 1_767_225_600.5
    assert samples[("katib_gitops_experiments", (("outcome", "Running"),))] == 1
    m.experiments.replace({"Succeeded": 4})  # Running is gone, not left at its old value
    assert [k for k in _samples(registry.render()) if k[0] == "katib_gitops_experiments"] == [
        ("katib_gitops_experiments", (("outcome", "Succeeded"),))
    ]


def test_an_unlabelled_counter_is_zero_before_its_first_increment() -> None:
    registry = Registry()
    registry.counter("things_total", "Things.")
    registry.counter("labelled_total", "Labelled.", ("kind",))
    assert registry.render() == (
        "# HELP things_total Things.\n"
        "# TYPE things_total counter\n"
        "things_total 0.0\n"
        "# HELP labelled_total Labelled.\n"
        "# TYPE labelled_total counter\n"
    )
    assert _samples(registry.render()) == {("things_total", ()): 0.0}
    assert Registry().render() == ""


def test_special_values_render_as_prometheus_spells_them() -> None:
    registry = Registry()
    g = registry.gauge("g", "A gauge.", ("k",))
    g.set(math.inf, k="a")
    g.set(-math.inf, k="b")
    g.set(math.nan, k="c")
    text = registry.render()
    assert 'g{k="a"} +Inf' in text and 'g{k="b"} -Inf' in text and 'g{k="c"} NaN' in text
    values = _samples(text)
    assert values[("g", (("k", "a"),))] == math.inf
    assert math.isnan(values[("g", (("k", "c"),))])


@pytest.mark.parametrize(
    ("declare", "message"),
    [
        (lambda r: r.counter("bad-name", "x"), "not a Prometheus metric name"),
        (lambda r: r.counter("1st", "x"), "not a Prometheus metric name"),
        (lambda r: r.gauge("g", "x", ("bad-label",)), "not a Prometheus label name"),
        (lambda r: r.gauge("g", "x", ("__reserved",)), "not a Prometheus label name"),
        (lambda r: r.gauge("g", "x", ("a", "a")), "repeats a label"),
    ],
)
def test_bad_declarations_are_refused(declare, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        declare(Registry())


def test_bad_updates_are_refused_and_change_nothing() -> None:
    registry = Registry()
    c = registry.counter("c_total", "C.", ("result",))
    g = registry.gauge("g", "G.", ("a", "b"))
    c.inc(result="ok")
    before = registry.render()
    with pytest.raises(ValueError, match="takes result; got none"):
        c.inc()
    with pytest.raises(ValueError, match="takes result; got kind"):
        c.inc(kind="x")
    with pytest.raises(ValueError, match="cannot go down"):
        c.inc(-1, result="ok")
    with pytest.raises(ValueError, match="cannot go down"):
        c.inc(math.nan, result="ok")
    with pytest.raises(ValueError, match="takes 2 label values"):
        g.replace({"only-one": 1})
    with pytest.raises(ValueError, match="already declared"):
        registry.gauge("c_total", "again")
    assert registry.render() == before
    assert c.value(result="ok") == 1


@settings(derandomize=True, max_examples=200)
@given(
    value=st.text(max_size=30),
    help_text=st.text(max_size=40).filter(lambda s: s == s.strip()),
    number=st.floats(allow_nan=False),
)
def test_any_label_value_and_help_text_survive_the_parser(
    value: str, help_text: str, number: float
) -> None:
    registry = Registry()
    registry.gauge("g", help_text, ("v",)).set(number, v=value)
    (family,) = text_string_to_metric_families(registry.render())
    assert family.documentation == help_text
    (sample,) = family.samples
    assert sample.labels == {"v": value}
    assert sample.value == number


def test_updates_from_many_threads_are_all_counted() -> None:
    registry = Registry()
    c = registry.counter("c_total", "C.", ("t",))

    def work(n: int) -> None:
        for _ in range(1000):
            c.inc(t=n % 2)
            registry.render()  # the HTTP thread reads while the loop writes

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert c.value(t=0) + c.value(t=1) == 4000
