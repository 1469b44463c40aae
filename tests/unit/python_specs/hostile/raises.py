"""Raises from a function of its own."""


def check(value):
    if value > 1:
        raise ValueError(f"value {value} is too big")


check(2)
