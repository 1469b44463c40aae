"""The local backend: an experiment run on this machine as Katib would run it in a cluster.

    plan.py        Experiment + the spec's `local:` block → how each trial runs (§4, §5.1)
    space.py       the search space as the suggestion services parse it (§6.2)
    samplers.py    algorithm + settings → a suggestion source; the only importer of optuna (§6)
    hyperband.py, medianstop.py, darts.py, skopt_bo.py   Katib's own algorithms, rewritten
    pbt.py, pbt_volume.py   pbt's job queue (§6.8); its checkpoint folders and the lineage
    metrics.py     the collectors' parsers and min/max/latest (§5.2-§5.6), pure
    tfevent.py     TensorFlow event files through tensorboard (optional extra)
    process.py     one trial as a subprocess: process group, deadline, log
    journal.py     the append-only journal; state.py folds it into the run's state
    rules.py       Katib's scheduling, outcome and termination rules (§5.7, §10.4), pure
    runner.py      the study loop; view.py the terminal view; results.py state → Results

Only this package starts trial subprocesses.
"""
