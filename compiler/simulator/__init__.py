"""A Katib simulator for `make cluster` and the tests: plays Katib's controllers against a real
API server (Trials with Katib's names, labels and ownerReferences; status by Katib's rules) and
runs each trial through the local backend. Test and dev support, not part of a deployment.

    __main__.py    `python -m compiler.simulator --kubeconfig K [--repo R] ...`
    controller.py  informers (list+watch) → work queues → a few workers per controller
    experiments.py the experiment controller: carries out `decide` (finalizer, status, trials)
    decide.py      one experiment reconcile as Katib's controller decides it, pure (§5.7, §7.1)
    status.py      trial states, summary, best trial, termination, restart, pure (§5.6, §5.7)
    conditions.py  Katib's setCondition and Mark* over JSON, pure (§7.1, §7.2)
    trials.py      the Trial Katib builds (§2.2, §4.3, §4.4), checked against the Go types
    names.py       names, labels, finalizers, owner references (§2.2, §4.4)
    search.py      the suggestion service: `compiler.execute.samplers`, or seeded random
    trialrun.py    the trial controller: Created/Running, the outcome, finalizer, orphans
    outcome.py     a trial's end and the Trial status written for it (§5.6, §7.2)
    executor.py    where trials run: synthetic ones on a timer heap, real ones on threads
    synthetic.py   deterministic metrics, a smooth function of the parameters
    local.py       real trials: the spec's `local:` command through `compiler.execute`
    cache.py       what the informers and our own writes say, indexed by experiment
    context.py     options and what both controllers share
    workqueue.py   controller-runtime's work queue: dedup, one worker per key, delays

What differs from Katib, on purpose: no Suggestion objects and no trial jobs are created (the
simulator plays the suggestion service and the job); Trials get Created and Running in one
status write; names are seeded, so a rerun repeats them; trials are taken in creation order.
"""
