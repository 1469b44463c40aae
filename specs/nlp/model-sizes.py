"""One grid search per model size: a loop declares three experiments."""

from compiler.dsl import choice, experiment, floats, job, minimize

HARDENED = {  # Pod Security Standards "restricted", as policies/config.yaml requires
    "allowPrivilegeEscalation": False,
    "runAsNonRoot": True,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}

for size, memory in (("small", "8Gi"), ("base", "16Gi"), ("large", "32Gi")):
    experiment(
        name=f"bert-{size}-grid",
        labels={"model-size": size},
        objective=minimize("eval-loss", also=["eval-accuracy"], strategies={"eval-accuracy": "max"}),
        algorithm="grid",
        trials=dict(max=12, parallel=2, failures=2),
        parameters={
            "lr": floats(1e-5, 5e-5, step=1e-5),
            "warmup": choice("0.0", "0.06", "0.1"),
        },
        trial=job(
            image=f"ghcr.io/example/bert-finetune:2.0.1-{size}",
            command=["python3", "finetune.py", "--lr=${lr}", "--warmup=${warmup}"],
            resources={"cpu": 4, "memory": memory, "gpu": 1},
            deadline=3 * 3600,
            container={"securityContext": HARDENED},
        ),
    )
