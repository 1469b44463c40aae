"""The design's example: the same experiment as random_example.yaml."""

# ruff: noqa: C408 - dict(max=...) is how the design spells a budget

from compiler.dsl import choice, experiment, floats, ints, job, maximize

experiment(
    name="random-example",
    objective=maximize("Validation-accuracy", goal=0.99, also=["Train-accuracy"]),
    algorithm="random",
    trials=dict(max=12, parallel=3, failures=3),
    parameters={
        "lr": floats(0.01, 0.03),
        "num-layers": ints(2, 5),
        "optimizer": choice("sgd", "adam", "ftrl"),
    },
    trial=job(
        image="docker.io/kubeflowkatib/mxnet-mnist",
        command=[
            "python3",
            "/opt/mxnet-mnist/mnist.py",
            "--batch-size=64",
            "--lr=${lr}",
            "--num-layers=${num-layers}",
            "--optimizer=${optimizer}",
        ],
    ),
)
