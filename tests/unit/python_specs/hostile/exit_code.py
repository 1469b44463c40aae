"""Exits with status 3."""

exit(3)  # noqa: PLR1722 - the builtin, as a user would write it
