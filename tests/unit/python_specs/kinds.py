"""Every trial kind and the rest of the format, through the DSL's helpers: the same experiments
as kinds.yaml, in the same order."""

# ruff: noqa: C408 - dict(max=...) is how the design spells a budget

from compiler.dsl import (
    algorithm,
    budget,
    choice,
    configmap,
    early_stopping,
    experiment,
    floats,
    ints,
    job,
    local,
    maximize,
    metrics,
    minimize,
    mpijob,
    nas,
    pytorchjob,
    raw,
    tfjob,
    trainjob,
    xgboostjob,
)

experiment(
    name="tf",
    namespace="team-a",
    labels={"team": "a"},
    annotations={"owner": "someone"},
    objective=minimize("loss", goal=0.1, also=["accuracy"], strategies={"accuracy": "max"}),
    algorithm=algorithm("random", random_state=7),
    early_stopping=early_stopping("medianstop", min_trials_required=2),
    trials=budget(max=6, parallel=2),
    resume="LongRunning",
    parameters={
        "lr": floats(0.001, 0.1, log=True),
        "units": ints(16, 64, step=16),
        "dropout": [0.1, 0.2],
    },
    trial=tfjob(
        "docker.io/example/tf",
        ["python", "train.py", "--lr=${lr}", "--units=${units}", "--dropout=${dropout}"],
        workers=2,
        env={"SEED": 1},
        resources={"cpu": 1, "memory": "2Gi"},
        deadline=600,
    ),
    metrics=metrics("File", path="/var/log/metrics.log", filter=[r"([\w-]+)=([+-]?\d+\.?\d*)"]),
    local=local(command=["python", "train.py"], workdir=".", env={"MODE": "local"}),
)

small = budget(max=3)

experiment(
    name="torch",
    objective=maximize("accuracy"),
    algorithm="grid",
    trials=dict(max=4),
    parameters={"lr": floats(0.01, 0.04, step=0.01)},
    trial=pytorchjob(
        image="docker.io/example/torch",
        args=["--lr=${lr}"],
        replicas={"Master": 1, "Worker": 3},
        pod={"nodeSelector": {"gpu": "yes"}},
        retain=True,
    ),
)
experiment(
    name="mpi",
    objective=maximize("accuracy"),
    algorithm="random",
    trials=small,
    parameters={"lr": floats(0.01, 0.1)},
    trial=mpijob(
        "docker.io/example/mpi", ["mpirun", "python", "train.py", "--lr=${lr}"], workers=2
    ),
)
experiment(
    name="xgb",
    objective=maximize("accuracy"),
    algorithm="random",
    trials=small,
    parameters={"depth": ints(2, 8)},
    trial=xgboostjob("docker.io/example/xgb", args=["--max-depth=${depth}"], workers=1),
)
experiment(
    name="train",
    objective=minimize("loss"),
    algorithm="random",
    trials=small,
    parameters={"lr": floats(0.01, 0.1)},
    trial=trainjob(
        "docker.io/example/trainer",
        ["torchrun", "train.py", "--lr=${lr}"],
        workers=2,
        runtime="torch-distributed",
    ),
)
experiment(
    name="raw",
    objective=minimize("loss"),
    algorithm="random",
    trials=small,
    parameters={"lr": floats(0.01, 0.1)},
    trial=raw(
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "spec": {
                "template": {
                    "spec": {
                        "restartPolicy": "Never",
                        "containers": [
                            {
                                "name": "training",
                                "image": "docker.io/example/raw",
                                "command": [
                                    "python",
                                    "train.py",
                                    "--lr=${trialParameters.learningRate}",
                                ],
                            }
                        ],
                    }
                }
            },
        },
        parameters={"learningRate": "lr"},
    ),
)
experiment(
    name="shared-template",
    objective=minimize("loss"),
    algorithm="random",
    trials=small,
    parameters={"lr": floats(0.01, 0.1)},
    trial=configmap(
        "trial-templates",
        "kubeflow",
        "job.yaml",
        primary_container="training",
        success_condition='status.conditions.#(type=="Complete")#|#(status=="True")#',
        failure_condition='status.conditions.#(type=="Failed")#|#(status=="True")#',
    ),
)
experiment(
    name="enas",
    objective=maximize("Validation-Accuracy"),
    algorithm=algorithm("enas", controller_hidden_size=64),
    trials=small,
    nas=nas(
        layers=8,
        inputs=[32, 32, 3],
        outputs=[10],
        operations={
            "convolution": {"filter_size": choice("3", "5"), "num_filter": choice("32", "48")},
            "reduction": {"reduction_type": choice("max_pooling")},
        },
    ),
    trial=job(
        image="docker.io/kubeflowkatib/enas-cnn-cifar10-cpu",
        command=[
            "python3",
            "RunTrial.py",
            "--architecture=${architecture}",
            "--nn_config=${nn_config}",
        ],
    ),
)
