"""A value no spec can hold."""

from compiler.dsl import experiment, floats, job, maximize

experiment(
    name="odd",
    objective=maximize("accuracy"),
    algorithm="random",
    parameters={"lr": floats(0.01, object())},
    trial=job(image="docker.io/example/x", command=["--lr=${lr}"]),
)
