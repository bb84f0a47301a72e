"""`python -m checker`: the same entry point as the `checker` command."""

from checker.cli import entry

entry()
