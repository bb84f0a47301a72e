"""Hostile rule files: each stops the run with one coded line naming file and line (exit 3), fast.

Nothing here may hang: loads run under ``signal.alarm`` (a hang fails the test
instead of the suite) and the CLI cases in a subprocess with a timeout.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from checker import ingest
from checker import rules as rules_mod
from checker.cli import app
from checker.errors import RuleError
from checker.ingest import boilerplate_spans
from checker.rules import BoilerplatePattern, BoilerplateRules, PlaceRules, load_rule_file, load_rules
from tests.conftest import ROOT, SEEDS

# Nine levels of nine aliases each: 9**9 (387 million) strings if expanded.
ALIAS_BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)
)


@pytest.fixture
def rules_copy(tmp_path):
    d = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", d)
    return d


@pytest.fixture(autouse=True)
def no_hang():
    """Fail (not hang) when a load takes more than 60 s."""

    def boom(*_):
        raise TimeoutError("rule loading hung")

    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def _fails(d, code: str) -> str:
    with pytest.raises(RuleError) as exc:
        load_rules(d)
    msg = str(exc.value)
    assert msg.startswith(f"[{code}] "), msg
    assert exc.value.exit_code == 3
    assert "\n" not in msg
    return msg


def _line_of(text: str, needle: str) -> int:
    return next(i for i, t in enumerate(text.splitlines(), start=1) if needle in t)


# --- the YAML itself ------------------------------------------------------------


def test_alias_bomb_is_refused_at_its_first_alias(rules_copy):
    (rules_copy / "subjects.yaml").write_text(ALIAS_BOMB, encoding="utf-8")
    msg = _fails(rules_copy, "E105")
    assert "subjects.yaml line 2:" in msg and "aliases" in msg


def test_alias_bomb_through_the_cli_is_exit_3_and_one_line(rules_copy, tmp_path):
    (rules_copy / "names.yaml").write_text(ALIAS_BOMB, encoding="utf-8")
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "checker",
            "run",
            str(SEEDS),
            "--rules",
            str(rules_copy),
            "--no-store",
            "--out",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )
    assert res.returncode == 3, res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("[E105]") and "names.yaml line 2" in lines[0]
    assert not (tmp_path / "out" / "conflicts.json").exists()


@pytest.mark.parametrize(
    "text",
    [
        "synonyms: " + "[" * 5000 + "]" * 5000 + "\n",  # flow nesting
        "synonyms:\n" + "".join("  " * i + "- \n" for i in range(2000)),  # block nesting
        "synonyms: " + "{a: " * 3000 + "b" + "}" * 3000 + "\n",
    ],
)
def test_deep_nesting_is_refused_not_a_recursion_error(rules_copy, text):
    (rules_copy / "subjects.yaml").write_text(text, encoding="utf-8")
    msg = _fails(rules_copy, "E105")
    assert "subjects.yaml line" in msg and "nested more than" in msg


def _fails_file(path, model, code: str) -> str:
    with pytest.raises(RuleError) as exc:
        load_rule_file(path, model)
    assert str(exc.value).startswith(f"[{code}] ") and exc.value.exit_code == 3
    return str(exc.value)


def test_oversized_rule_file_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(rules_mod, "MAX_RULE_BYTES", 1000)
    p = tmp_path / "places.yaml"
    p.write_text("site_words: [" + ", ".join(["hall"] * 400) + "]\n", encoding="utf-8")
    msg = _fails_file(p, PlaceRules, "E105")
    assert "places.yaml line 1" in msg and "bytes" in msg


def test_too_many_values_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(rules_mod, "MAX_NODES", 50)
    p = tmp_path / "places.yaml"
    p.write_text("site_words:\n" + "".join(f"  - w{i}\n" for i in range(100)), encoding="utf-8")
    msg = _fails_file(p, PlaceRules, "E105")
    assert "places.yaml line 49:" in msg  # the 51st value: w47 and "more than 50 values" in msg


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_a_folder_or_a_dangling_link_as_a_rule_file_is_refused_without_blocking(rules_copy):
    (rules_copy / "titles.yaml").unlink()
    os.mkfifo(rules_copy / "titles.yaml")  # reading would block for ever
    assert "not a regular file" in _fails(rules_copy, "E100")
    (rules_copy / "titles.yaml").unlink()
    (rules_copy / "titles.yaml").mkdir()
    assert "titles.yaml" in _fails(rules_copy, "E100")
    (rules_copy / "titles.yaml").rmdir()
    (rules_copy / "titles.yaml").symlink_to(rules_copy / "gone.yaml")  # dangling: not the project's file instead
    assert "cannot read" in _fails(rules_copy, "E100")


def test_a_value_yaml_cannot_construct_names_its_line(rules_copy):
    p = rules_copy / "compare.yaml"
    text = p.read_text(encoding="utf-8").replace("date: 2000-07-01}", "date: 2000-13-45}", 1)
    p.write_text(text, encoding="utf-8")
    msg = _fails(rules_copy, "E102")
    assert f"compare.yaml line {_line_of(text, '2000-13-45')}:" in msg


def test_a_lone_surrogate_names_its_line(rules_copy):
    (rules_copy / "subjects.yaml").write_text('synonyms:\n  troop: ["\\ud800"]\n', encoding="utf-8")
    with pytest.raises(RuleError) as exc:
        load_rules(rules_copy)
    msg = str(exc.value)
    # libyaml refuses the escape itself (E101); the pure-Python parser reads it and checker refuses the value (E102).
    assert exc.value.code in ("E101", "E102") and "subjects.yaml line 2:" in msg
    assert "surrogate" in msg or "invalid Unicode" in msg


def test_a_value_yaml_cannot_build_names_its_line(rules_copy):
    (rules_copy / "subjects.yaml").write_text("synonyms:\n  troop: !!binary 'not base64!!'\n", encoding="utf-8")
    msg = _fails(rules_copy, "E102")
    assert "subjects.yaml line 2:" in msg and "cannot be read" in msg


# --- empty and missing files ---------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n\n", "# nothing but a comment\n"])
def test_an_empty_rule_file_is_an_error(rules_copy, text):
    (rules_copy / "subjects.yaml").write_text(text, encoding="utf-8")
    msg = _fails(rules_copy, "E106")
    assert "subjects.yaml line 1" in msg and "{}" in msg


def test_an_explicitly_empty_rule_file_means_no_rules_of_that_kind(rules_copy):
    (rules_copy / "boilerplate.yaml").write_text("{}\n", encoding="utf-8")
    (rules_copy / "entities.yaml").write_text("patterns: []\n", encoding="utf-8")
    got = load_rules(rules_copy)
    assert got.boilerplate.patterns == [] and got.entities.patterns == []


def test_a_rule_file_missing_everywhere_is_an_error(tmp_path, monkeypatch):
    project = tmp_path / "project"
    shutil.copytree(ROOT / "rules", project)
    (project / "units.yaml").unlink()
    monkeypatch.setattr(rules_mod, "DEFAULT_RULES_DIR", project)
    team = tmp_path / "team"
    team.mkdir()
    (team / "titles.yaml").write_text("{}\n", encoding="utf-8")
    msg = _fails(team, "E107")
    assert "units.yaml" in msg


def test_a_folder_without_rule_files_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    assert "no rule files" in _fails(tmp_path, "E104")


def test_a_misspelt_rule_file_gets_a_warning(rules_copy, caplog):
    (rules_copy / "subject.yaml").write_text("synonyms: {}\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="checker"):
        load_rules(rules_copy)
    assert any("[E108]" in r.getMessage() and "subject.yaml" in r.getMessage() for r in caplog.records)


# --- values ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "file, old, new, why",
    [
        ("compare.yaml", '"*": {relative: 0.0', '"*": {relative: .nan', "finite"),
        (
            "compare.yaml",
            '"*": {relative: 0.0, absolute: 0.0}',
            '"*": {relative: 0.0, absolute: -1}',
            "greater than or equal to 0",
        ),
        ("compare.yaml", '"*": {relative: 0.0', '"*": {relative: -.inf', "finite"),
        ("compare.yaml", "{per_usd: 1.085,", "{per_usd: 0,", "greater than 0"),
        ("compare.yaml", "{per_usd: 1.085,", "{per_usd: -1.085,", "greater than 0"),
        ("compare.yaml", "{per_usd: 1.085,", "{per_usd: .inf,", "finite"),
        ("compare.yaml", "rate_tolerance: 0.1", "rate_tolerance: 1.5", "less than 1"),
        ("compare.yaml", "rate_tolerance: 0.1", "rate_tolerance: .nan", "finite"),
    ],
)
def test_bad_values_name_their_line(rules_copy, file, old, new, why):
    p = rules_copy / file
    text = p.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    p.write_text(text, encoding="utf-8")
    msg = _fails(rules_copy, "E103")
    assert f"{file} line {_line_of(text, new)}:" in msg and why in msg


def test_nan_similarity_threshold_is_refused(rules_copy):
    p = rules_copy / "names.yaml"
    text = re.sub(r"(?m)^similarity_threshold: .*$", "similarity_threshold: .nan", p.read_text(encoding="utf-8"))
    p.write_text(text, encoding="utf-8")
    msg = _fails(rules_copy, "E103")
    assert f"names.yaml line {_line_of(text, '.nan')}:" in msg


# --- patterns ----------------------------------------------------------------------


def _boilerplate(d, pattern: str) -> str:
    text = f"patterns:\n  - name: fine\n    pattern: 'read more'\n  - name: bad\n    pattern: '{pattern}'\n"
    (d / "boilerplate.yaml").write_text(text, encoding="utf-8")
    return text


@pytest.mark.parametrize(
    "pattern, why",
    [
        # The case: ^(a+)+$ hung Python's re on a 41-character line.
        (r"^(a+)+$", "repeats a repetition"),
        (r"(\w+\s?)+$", "repeats a repetition"),
        (r"^(.*a){12}$", "repeats a repetition"),
        (r"^(a|aa)+$", "backtracks catastrophically"),
        (r"^(\d|\d\d)+$", "backtracks catastrophically"),
    ],
)
def test_catastrophic_boilerplate_patterns_are_refused_at_load(rules_copy, pattern, why):
    _boilerplate(rules_copy, pattern)
    msg = _fails(rules_copy, "E103")
    assert "boilerplate.yaml line 5:" in msg and why in msg


@pytest.mark.parametrize("pattern", [r"^(a++)+$", r"^(?>a+)+$", r"^(a|aa)++$", r"^\s*by(\s+[A-Z]\w+){0,3}\s*$"])
def test_the_safe_forms_load_and_run_at_once(rules_copy, pattern):
    _boilerplate(rules_copy, pattern)
    got = load_rules(rules_copy)
    text = "Headline\n" + "a" * 41 + "!\n" + "a" * 20000 + "b\n" + "Read more\n"
    spans = boilerplate_spans(text, got.boilerplate)  # under the alarm: no hang
    assert [text[s:e] for s, e in spans] == ["Read more\n"]


def test_a_pattern_that_runs_out_of_time_is_switched_off_with_a_warning(monkeypatch, caplog):
    monkeypatch.setattr(ingest, "_SWITCHED_OFF", set())
    monkeypatch.setattr(rules_mod, "PATTERN_TIMEOUT", 0.05)
    monkeypatch.setattr(ingest, "PATTERN_TIMEOUT", 0.05)
    # Validation bypassed: a pattern the load-time probes missed.
    bad = BoilerplatePattern.model_construct(name="slow", pattern=r"^(a|aa)+$", extent="rest")
    bad._where = "rules/boilerplate.yaml line 9"
    rules = BoilerplateRules(patterns=[bad, BoilerplatePattern(name="byline", pattern=r"^\s*by\s+\w+\s*$")])
    text = ("a" * 60 + "!\n") * 200 + "By Ana\nThe story.\n"
    with caplog.at_level(logging.WARNING, logger="checker"):
        spans = boilerplate_spans(text, rules)
        spans_again = boilerplate_spans(text, rules)
    assert [text[s:e] for s, e in spans] == ["By Ana\n"] == [text[s:e] for s, e in spans_again]
    warned = [r.getMessage() for r in caplog.records if "[E109]" in r.getMessage()]
    assert len(warned) == 1 and "rules/boilerplate.yaml line 9" in warned[0] and "'slow'" in warned[0]


def test_invalid_boilerplate_regex_names_its_line(rules_copy):
    _boilerplate(rules_copy, "(unclosed")
    assert "boilerplate.yaml line 5:" in _fails(rules_copy, "E103")


ENTITY_HEAD = "patterns:\n  - {label: GPE, pattern: Kyiv}\n  - label: GPE\n"


@pytest.mark.parametrize(
    "pattern, why",
    [
        ("[{FOO: bar}]", "FOO"),
        ("[{TEXT: {REGEX: '(unclosed'}}]", "invalid regular expression"),
        ("[{TEXT: {REGEX: '^(a+)+$'}}]", "repeats a repetition"),
        ("[{TEXT: {REGEX: '\\p{L}+'}}]", "invalid regular expression"),  # regex syntax; spaCy runs re
        ("[{TEXT: {REGEX: '^(a|aa)+$'}}]", "backtracks catastrophically"),
        ("[]", "zero tokens"),
        ("[{OP: '!!'}]", "OP"),
        ("[{LOWER: x, OP: '{2,1}'}]", "Unknown operator"),
        ("[{TEXT: {IN: 5}}]", "valid list"),
        ("[{_: {x: 1}}]", "custom attributes"),
        ("''", "empty phrase"),
    ],
)
def test_bad_entity_patterns_name_their_line(rules_copy, pattern, why):
    (rules_copy / "entities.yaml").write_text(ENTITY_HEAD + f"    pattern: {pattern}\n", encoding="utf-8")
    msg = _fails(rules_copy, "E103")
    assert "entities.yaml line 4:" in msg and why in msg


def test_a_bad_entity_pattern_stops_the_cli_with_exit_3(rules_copy, tmp_path):
    (rules_copy / "entities.yaml").write_text(ENTITY_HEAD + "    pattern: [{FOO: bar}]\n", encoding="utf-8")
    res = CliRunner().invoke(
        app, ["run", str(SEEDS), "--rules", str(rules_copy), "--no-store", "--out", str(tmp_path / "o")]
    )
    assert res.exit_code == 3, res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("[E103]") and "entities.yaml line 4" in lines[0]


@pytest.mark.parametrize(
    "text, code, why",
    [
        (ALIAS_BOMB, "E105", "line 2: YAML aliases"),
        ("synonyms: " + "[" * 5000 + "]" * 5000 + "\n", "E105", "nested more than"),
        ('synonyms:\n  troop: ["\\ud800"]\n', "E102", "line 2: '\\ud800' holds a lone surrogate"),
    ],
)
def test_the_same_bounds_without_libyaml(rules_copy, monkeypatch, text, code, why):
    import yaml

    monkeypatch.setattr(rules_mod, "_YAML_LOADER", yaml.SafeLoader)
    (rules_copy / "subjects.yaml").write_text(text, encoding="utf-8")
    assert why in _fails(rules_copy, code)
