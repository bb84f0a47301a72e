"""Errors with codes, so nightly logs can be searched (``[E103] ...``).

Codes: E1xx rule files, E2xx input files, E3xx model and environment,
E4xx store and runs. User errors are CheckerError subclasses; the CLI prints
their one-line message and exits with the code documented in ``--help``.
"""

from __future__ import annotations


class CheckerError(Exception):
    """A user-facing error: printed as one line, never as a traceback."""

    exit_code = 2

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"[{code}] {detail}")
        self.code = code
        self.detail = detail


class RuleError(CheckerError):
    """A rule file is missing, malformed or invalid: the run cannot start."""

    exit_code = 3


class ModelError(CheckerError):
    """The spaCy model (or another runtime resource) cannot be loaded."""

    exit_code = 4


class StoreError(CheckerError):
    """The SQLite store is locked by another run or unusable."""

    exit_code = 5
