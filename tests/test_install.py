"""The installed set works: every reader imports and reads, and the declared dependencies resolve.

Run first in CI (``pytest tests/test_install.py``) so a broken upstream release is named at
once instead of surfacing as one odd failure deep in the suite (lxml 6.1 moved
``lxml.html.clean`` out of lxml and HTML input broke on fresh installs).
"""

from __future__ import annotations

import importlib
import re
from importlib import metadata
from pathlib import Path

import pytest
import tomllib
from packaging.requirements import Requirement

from checker.ingest import read_inputs

ROOT = Path(__file__).resolve().parents[1]

PAGE = """<!doctype html><html><head><title>Quake hits city</title>
<meta name="date" content="2024-11-05"></head><body><article><h1>Quake hits city</h1>
<p>A magnitude 6.1 earthquake struck the city on Tuesday, killing at least 12 people,
officials said. Rescue teams from three provinces were sent to the area overnight.</p>
<p>The quake was felt 200 kilometres away, the national seismology office said.</p>
</article></body></html>"""


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    reqs += [Requirement(r) for r in project["optional-dependencies"]["dev"]]
    return reqs


@pytest.mark.parametrize("req", _declared(), ids=str)
def test_declared_dependency_is_installed_within_its_bounds(req: Requirement) -> None:
    version = metadata.version(req.name)
    assert req.specifier.contains(version, prereleases=True), f"{req.name} {version} is outside {req.specifier}"


def test_constraints_pin_every_declared_dependency() -> None:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    for req in _declared():
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        assert name in pins, f"{req.name} is declared in pyproject.toml but not pinned in constraints.txt"
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"constraints.txt pins {name} outside {req.specifier}"
        )


@pytest.mark.parametrize(
    "module", ["trafilatura", "lxml.html.clean", "htmldate", "quantulum3", "spacy", "pandas", "jinja2"]
)
def test_reader_and_core_modules_import(module: str) -> None:
    importlib.import_module(module)


def test_every_reader_reads(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Quake hits city\nThe quake killed 12 people.\n")
    (tmp_path / "b.md").write_text("# Quake\n\nThe quake killed 14 people.\n")
    (tmp_path / "c.html").write_text(PAGE)
    (tmp_path / "d.jsonl").write_text('{"id": "d1", "text": "The quake killed 15 people."}\n')
    got = read_inputs([tmp_path])
    assert not got.skipped, got.skipped
    by_id = {a.id: a for a in got.articles}
    assert set(by_id) == {"a.txt", "b.md", "c.html", "d1"}
    assert "killing at least 12 people" in by_id["c.html"].text
