"""Argo CD's own Lua engine (argo-cd util/lua), for testing our health.lua files."""
