"""YAML read by every parser our users' tools use: libyaml, PyYAML, go-yaml v2 and v3, npm yaml."""
