"""The command group: help for every command, version, exit codes, docs coverage."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from checker import __version__
from checker.cli import app
from tests.conftest import ROOT

runner = CliRunner()


def _commands() -> list[str]:
    import typer.main

    group = typer.main.get_command(app)
    names = []
    for name, cmd in group.commands.items():
        subs = getattr(cmd, "commands", None)
        if subs:
            names += [f"{name} {s}" for s in subs]
        else:
            names.append(name)
    return sorted(names)


def test_version():
    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0 and __version__ in res.output


def test_top_help_lists_exit_codes():
    res = runner.invoke(app, ["--help"])
    assert res.exit_code == 0
    assert "Exit codes" in res.output and "3 a rule file is broken" in res.output


@pytest.mark.parametrize("command", _commands())
def test_every_command_has_help_with_an_example(command):
    res = runner.invoke(app, [*command.split(), "--help"])
    assert res.exit_code == 0, res.output
    assert "Example" in res.output


@pytest.mark.parametrize("command", _commands())
def test_readme_documents_every_command(command):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"checker {command}" in readme


def test_readme_documents_every_rule_file_and_key():
    from checker.rules import FILES

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, model in FILES.items():
        assert f"rules/{name}.yaml" in readme, name
        for key in model.model_fields:
            assert re.search(rf"`{key}`", readme), f"rules/{name}.yaml key {key} is not in README.md"


def test_missing_input_is_one_line_and_exit_2(tmp_path):
    res = runner.invoke(app, ["run", str(tmp_path / "nope"), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "[E201]" in res.output and "Traceback" not in res.output


def test_evaluate_extraction_peer_folder_without_sets_is_a_usage_error(tmp_path):
    res = runner.invoke(app, ["evaluate-extraction", "tests/golden/quantities.jsonl", "--peer", str(tmp_path)])
    assert res.exit_code == 2
    assert "[E603]" in res.output and "no peer test set" in res.output
