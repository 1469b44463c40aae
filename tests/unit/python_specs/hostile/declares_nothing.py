"""Declares no experiment."""

x = 1
