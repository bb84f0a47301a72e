"""Rule files: loaded and validated; a broken one names its file and line."""

from __future__ import annotations

import re
import shutil

import pytest
from typer.testing import CliRunner

from checker.cli import app
from checker.errors import RuleError
from checker.rules import load_rules
from tests.conftest import ROOT


@pytest.fixture
def rules_copy(tmp_path):
    d = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", d)
    return d


def test_project_rules_load(rules):
    assert rules.lookup("subject", "infantrymen") == "troop"
    assert rules.lookup("subject", "soldiers") == "troop"
    assert rules.lookup("alias", "dprk") == "north korean"
    assert rules.lookup("place", "kiev") == "kyiv"
    assert rules.lookup("currency", "€") == "EUR"


def test_yaml_syntax_error_names_file_and_line(rules_copy):
    p = rules_copy / "subjects.yaml"
    lines = p.read_text(encoding="utf-8").splitlines()
    lines[5] = "  troop: [troops, soldiers"  # unclosed
    p.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(RuleError) as exc:
        load_rules(rules_copy)
    msg = str(exc.value)
    assert "subjects.yaml" in msg and "line" in msg and msg.startswith("[E101]")


def test_wrong_type_names_the_line_of_the_value(rules_copy):
    p = rules_copy / "compare.yaml"
    original = p.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^rate_tolerance: .*$", "rate_tolerance: [not, a, number]", original)
    assert text != original
    p.write_text(text, encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), start=1) if t.startswith("rate_tolerance"))
    with pytest.raises(RuleError) as exc:
        load_rules(rules_copy)
    assert f"compare.yaml line {line}:" in str(exc.value)


def test_unknown_key_and_bad_regex_are_errors(rules_copy):
    p = rules_copy / "boilerplate.yaml"
    p.write_text("patterns:\n  - name: x\n    pattern: '(unclosed'\n", encoding="utf-8")
    with pytest.raises(RuleError) as exc:
        load_rules(rules_copy)
    assert "boilerplate.yaml line 2" in str(exc.value) or "boilerplate.yaml line 3" in str(exc.value)
    p.write_text("patterns: []\nsurprise: 1\n", encoding="utf-8")
    with pytest.raises(RuleError) as exc:
        load_rules(rules_copy)
    assert "line 2" in str(exc.value)


def test_broken_rules_stop_the_cli_with_one_line(rules_copy, tmp_path):
    (rules_copy / "titles.yaml").write_text("synonyms: {a: [b\n", encoding="utf-8")
    res = CliRunner().invoke(
        app, ["run", str(ROOT / "examples" / "seeds"), "--rules", str(rules_copy), "--out", str(tmp_path / "o")]
    )
    assert res.exit_code == 3
    assert "titles.yaml" in res.output and "Traceback" not in res.output
    assert len([ln for ln in res.output.splitlines() if ln.strip()]) == 1


def test_event_rules_load_and_bad_ones_name_the_line(rules, rules_copy):
    assert rules.lookup("event", "succumb") == "die"
    assert rules.lookup("event_particle", "pass away") == "die"
    assert "funeral" in rules.events.noun_set and "die" in rules.events.once_set
    p = rules_copy / "events.yaml"
    original = p.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^  resign: \[step down\]$", "  resign: [step down now]", original)
    assert text != original
    p.write_text(text, encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), start=1) if "step down now" in t)
    with pytest.raises(RuleError) as exc:
        load_rules(rules_copy)
    assert f"events.yaml line {line}:" in str(exc.value) and "two words" in str(exc.value)
    p.write_text("classes:\n  die: [death]\n  bury: [funeral, death]\n", encoding="utf-8")
    with pytest.raises(RuleError) as exc:
        load_rules(rules_copy)
    assert "events.yaml line 2:" in str(exc.value) and "'death' is listed under both" in str(exc.value)


def test_a_team_folder_with_one_file_keeps_the_other_rules(tmp_path):
    d = tmp_path / "team"
    d.mkdir()
    (d / "titles.yaml").write_text("synonyms:\n  editor in chief: [editor-in-chief, chief editor]\n", encoding="utf-8")
    rules = load_rules(d)
    assert rules.lookup("title", "chief editor") == "editor in chief"
    assert rules.lookup("subject", "infantrymen") == "troop"  # from the project's subjects.yaml
    assert rules.version != load_rules(ROOT / "rules").version
