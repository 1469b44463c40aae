"""Writes a file, hides the refusal, and declares an experiment anyway."""

from compiler.dsl import experiment, job, maximize

try:
    with open("/tmp/katib-gitops-pwned.txt", "w") as handle:
        handle.write("owned")
except OSError:
    pass
experiment(
    name="sneaky",
    objective=maximize("accuracy"),
    algorithm="random",
    trial=job(image="docker.io/example/x"),
)
