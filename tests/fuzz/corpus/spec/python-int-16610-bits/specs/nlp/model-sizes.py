"""An integer Python holds but JSON cannot write (str() of it fails past 4,300 digits)."""

from compiler.dsl import choice, experiment, job, minimize

experiment(
    name="huge-int",
    objective=minimize("loss"),
    algorithm="random",
    trials={"max": 10**5000, "parallel": 2, "failures": 2},
    parameters={"warmup": choice("0.0", "0.1")},
    trial=job(image="ghcr.io/example/train:1.0", command=["python3", "train.py", "--w=${warmup}"]),
)
