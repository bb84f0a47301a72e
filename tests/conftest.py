"""Shared fixtures: the rules, one spaCy pipeline per session, corpus paths."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "seeds"
SEEDS_EXPECTED = ROOT / "examples" / "seeds-expected.jsonl"
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def rules():
    from checker.rules import load_rules

    return load_rules(ROOT / "rules")


@pytest.fixture(scope="session")
def nlp(rules):
    from checker.nlp import load_pipeline

    return load_pipeline(rules)


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not (CORPUS / "ecbplus-dev").is_dir():
        pytest.skip(
            f"shared corpus not found at {CORPUS} (tests that read ../shared/corpus need it beside the project)"
        )
    return CORPUS


def golden_score(
    cases: list[dict], claims_of: Callable[[dict], list[Any]], match: Callable[[Any, dict], bool]
) -> tuple[int, int, list[tuple[str, dict]]]:
    """(expected claims found, expected claims, forbidden claims found) over golden cases.

    Each case has ``expect`` (claims that must be found) and ``not`` (claims
    that must not be); ``claims_of(case)`` extracts, ``match`` compares.
    """
    found = total = 0
    wrong: list[tuple[str, dict]] = []
    for case in cases:
        claims = claims_of(case)
        for e in case["expect"]:
            total += 1
            found += any(match(c, e) for c in claims)
        wrong += [(case["id"], e) for e in case["not"] if any(match(c, e) for c in claims)]
    return found, total, wrong
