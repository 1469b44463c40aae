"""Several experiments from one loop, sharing a trial built by a function of the spec's own."""

# ruff: noqa: C408 - dict(max=...) is how the design spells a budget

from compiler.dsl import choice, experiment, floats, job, minimize


def trial(image):
    return job(image=image, command=["python", "train.py", "--lr=${lr}", "--opt=${optimizer}"])


for optimizers, scale in [(("sgd",), 1), (("adam", "ftrl"), 10)]:
    experiment(
        name=f"sweep-x{scale}",
        objective=minimize("loss"),
        algorithm="random",
        trials=dict(max=3 * scale),
        parameters={
            "lr": floats(0.001 * scale, 0.01 * scale),
            "optimizer": choice(*optimizers),
        },
        trial=trial("docker.io/example/sweep"),
    )
