"""Policies: what an experiment may do on a shared cluster, checked before anything is applied.

The room, from the inputs down:

    load.py        the only reader of policies/ (config, cluster profile, waivers, YAML and
                   Python rules, policy test cases); cache.py the only user of .state/
    engine.py      pure: every enabled rule over one frozen `Subject`, findings located in the spec
    builtin/       the built-in pack, one module per rule family
    schema_rules.py  YAML rules: a cerberus schema over one targeted part of the experiment
    api.py         the decorator API shared by built-in and repository Python rules
    subject.py     the frozen, read-only inputs every rule gets (frozen.py makes them read-only)
    waivers.py, config.py, cluster.py   the three policy files, as data
    report.py      findings as data for the output formats in outputs/
    verify.py      policy test cases: expected findings against actual ones

A rule author needs only `compiler.policy.api`.
"""
