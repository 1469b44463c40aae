"""Mistakes, each to be reported at its own line (the tests name the lines)."""

# ruff: noqa: C408 - dict(max=...) is how the design spells a budget

from compiler.dsl import experiment, floats, ints, job, maximize

experiment(
    name="wrong-types",
    objective=maximize("accuracy"),
    algorithm="random",
    trials=dict(max=3, paralel=2),
    parameters={
        "lr": floats(0.01, 0.1, log="sometimes"),
        "layers": ints(2, 5, distribution="gaussian"),
    },
    trial=job(image="docker.io/example/x", command=["train", "--lr=${lr}", "--n=${layers}"]),
)
experiment(
    name="wrong-values",
    objective=maximize("accuracy"),
    algorithm="random",
    trials=dict(max=3),
    parameters={
        "lr": floats(0.01, 0.1),
        "layers": ints(5, 2),
    },
    trial=job(
        image="docker.io/example/x",
        command=[
            "train",
            "--lr=${lr}",
            "--layers=${layers}",
            "--units=${unit}",
        ],
    ),
)
