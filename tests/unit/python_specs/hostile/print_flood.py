"""Prints 100 MB, then declares an experiment."""

from compiler.dsl import experiment, job, maximize

print("x" * 100_000_000)
experiment(
    name="chatty",
    objective=maximize("accuracy"),
    algorithm="random",
    trial=job(image="docker.io/example/x"),
)
