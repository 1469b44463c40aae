"""The book's Example 10-4: neural architecture search with DARTS on one GPU, in Python."""

from compiler.dsl import algorithm, experiment, job, maximize, metrics, nas

# Each DARTS operation here takes a single filter size, so a loop writes them out.
operations = {
    "separable_convolution": ["3"],
    "dilated_convolution": ["3", "5"],
    "avg_pooling": ["3"],
    "max_pooling": ["3"],
    "skip_connection": ["3"],  # DARTS rejects operations without parameters
}

experiment(
    name="darts-example-gpu",
    objective=maximize("Best-Genotype"),
    metrics=metrics(filter=[r"([\w-]+)=(Genotype.*)"]),
    algorithm=algorithm("darts", num_epochs=3),
    trials=dict(max=1, failures=1),
    nas=nas(layers=3, operations={op: {"filter_size": sizes} for op, sizes in operations.items()}),
    trial=job(
        image="docker.io/kubeflowkatib/darts-cnn-cifar10:v0.19.0",
        resources={"gpu": 1},
        command=[
            "python3",
            "run_trial.py",
            '--algorithm-settings="${algorithm-settings}"',
            '--search-space="${search-space}"',
            '--num-layers="${num-layers}"',
        ],
    ),
)
