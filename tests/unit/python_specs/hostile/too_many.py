"""Declares 1,001 experiments."""

from compiler.dsl import experiment, job, maximize

for i in range(1001):
    experiment(
        name=f"e{i}",
        objective=maximize("accuracy"),
        algorithm="random",
        trial=job(image="docker.io/example/x"),
    )
