"""Prints its environment: the parent's secrets must not be in it."""

import os

from compiler.dsl import experiment, job, maximize

print("ENVIRON", sorted(os.environ.items()))
experiment(
    name="environ",
    objective=maximize("accuracy"),
    algorithm="random",
    trial=job(image="docker.io/example/x"),
)
