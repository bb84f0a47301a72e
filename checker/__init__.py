"""checker: a cross-source discrepancy checker for news."""

__version__ = "0.1.0"
