"""Shared fixtures: the rules, one spaCy pipeline per session, corpus paths."""

from __future__ import annotations

from pathlib import Path

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
        pytest.skip(f"shared corpus not found at {CORPUS} (tests that read ../shared/corpus need it beside the project)")
    return CORPUS
