"""Load and validate the declarative rule files in ``rules/``.

Fact-checkers edit these files without touching code, so a mistake must stop
the run with a message naming the file and the line (``[E101] rules/titles.yaml
line 8: ...``), never a traceback. YAML is parsed to nodes first so each value
keeps its line, then validated against pydantic models.

Tables are shaped canonical key -> surface forms (as in quantulum3's
``units.json``); lookups are built once into reverse dictionaries.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from checker.errors import RuleError

DEFAULT_RULES_DIR = Path(__file__).resolve().parent.parent / "rules"

# Bounds on what a rule file may ask of the loader. Rule files are a few
# hundred lines written by hand; these are far above that and far below what
# could exhaust memory or the stack.
MAX_RULE_BYTES = 5_000_000
MAX_DEPTH = 40
MAX_NODES = 200_000
# A boilerplate pattern gets this long on one line of an article before it is
# given up (regex's timeout); a hand-written pattern takes microseconds.
PATTERN_TIMEOUT = 0.25
# At load, each pattern is tried on strings built to make catastrophic
# backtracking show; one that needs longer than this on them is refused.
PROBE_TIMEOUT = 0.1
PROBE_LENGTH = 200

NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


Table = dict[str, list[str]]


class CumulativeForms(_Strict):
    """rules/subjects.yaml ``cumulative``: the words that make a figure a running
    total over many occasions ("so far", "during the five operations"), which a
    single occasion's figure never contradicts."""

    running: list[str] = []
    periods: list[str] = []
    occasions: list[str] = []


class SubjectRules(_Strict):
    """rules/subjects.yaml: what is counted, and whose it is."""

    synonyms: Table = {}
    aliases: Table = {}
    statuses: Table = {}
    stop_heads: list[str] = []
    needs_status: list[str] = []
    partial_modifiers: list[str] = []
    person_nouns: list[str] = []
    cumulative: CumulativeForms = CumulativeForms()


class TitleRules(_Strict):
    """rules/titles.yaml: offices and the words that name them.

    ``synonyms`` maps a canonical office to its surface forms. A title's head
    word decides what kind of title it is: an office (one holder at a time,
    so two different offices for one person conflict), a rank (military or
    police), or a role (actress, lawyer: many can hold at once, never a
    conflict). ``modifiers`` make a different office ("deputy" prime
    minister); ``descriptors`` are dropped ("famous", "founding"); ``former``
    words put a title in the past, where it is not compared.
    ``relational_nouns`` are roles held for someone ("his lawyer", "my
    agent"): with a possessor and no name, they still make a title claim,
    held by an unnamed person.
    """

    synonyms: Table = {}
    abbreviations: dict[str, str] = {}
    compatible: list[list[str]] = []
    office_heads: list[str] = []
    ranks: Table = {}
    role_heads: list[str] = []
    modifiers: list[str] = []
    descriptors: list[str] = []
    former: list[str] = []
    honorifics: list[str] = []
    change_verbs: list[str] = []
    leave_verbs: list[str] = []
    relational_nouns: list[str] = []

    @field_validator("compatible")
    @classmethod
    def _pairs(cls, v: list[list[str]]) -> list[list[str]]:
        for group in v:
            if len(group) < 2:
                raise ValueError("each compatible group needs at least two offices")
        return v


class NameRules(_Strict):
    """rules/names.yaml: nicknames and transliterations that are not misspellings.

    ``similarity_threshold`` (surnames) and ``given_similarity_threshold``
    (given names) are the rapidfuzz ratios (0-1) at or above which two
    spellings of a name part are taken for one name spelled two ways.
    ``organizations`` normalizes the bodies named in titles ("FBI" and "the
    Federal Bureau of Investigation"), so titles in one body can be compared.
    """

    nicknames: Table = {}
    transliterations: list[list[str]] = []
    similarity_threshold: float = 0.8
    given_similarity_threshold: float = 0.72
    suffixes: list[str] = []
    particles: list[str] = []
    organizations: Table = {}
    variant_endings: list[list[str]] = []

    @field_validator("similarity_threshold", "given_similarity_threshold")
    @classmethod
    def _unit_interval(cls, v: float) -> float:
        if not 0.0 < v <= 1.0:
            raise ValueError("a similarity threshold must be in (0, 1]")
        return v


class PlaceRules(_Strict):
    """rules/places.yaml: place aliases, containment, and place words.

    ``bearings`` maps a compass direction to its surface forms, so "150
    nautical miles west of Aden" and "east of Aden" can be told apart;
    ``site_words`` are nouns that name a site inside a place (hotel,
    building, room), used when no named place is given.
    """

    aliases: Table = {}
    contains: Table = {}
    bearings: Table = {}
    site_words: list[str] = []


def _particle_verb(v: str) -> str:
    if len(v.split()) != 2:
        raise ValueError(f"{v!r}: a particle verb is two words, the verb and its particle (pass away)")
    return v


ParticleVerb = Annotated[str, AfterValidator(_particle_verb)]


class PeriodLength(_Strict):
    """How long one period of a contest lasts, in the sport an article names (rules/events.yaml)."""

    unit: str = Field(min_length=1)
    seconds: int = Field(gt=0)
    sport: list[str] = Field(min_length=1)


class EventRules(_Strict):
    """rules/events.yaml: the event vocabulary dates and places attach to.

    ``classes`` maps an event class to the predicates (verb and noun lemmas)
    that name it ("die": succumb, death); ``once`` are events that happen
    once to a participant (two dates for them conflict), ``once_with_object``
    the same when the object matches too ("suffered a heart attack");
    ``light_verbs`` take their event from their subject noun ("the shootings
    happened"); ``nouns`` are event nouns; ``particles`` map "verb particle"
    to a class ("pass away": die); ``not_events`` are nouns a date may hang
    off without dating them ("at his home on Thursday"). ``once_per_contest``
    are events that end a contest (the referee stops the fight): one per
    contest whoever the text names, so their game clocks meet within a story;
    ``period_lengths`` say how long a period lasts in the sport an article
    names, so "two seconds remaining" and "at 2:58" of one round meet.
    ``speech_verbs`` are verbs of saying or judging ("condemned", "described"):
    their subject is the speaker, never a participant of the event they report.
    ``incidents`` join classes that time one incident for a shared named
    participant: one victim is shot and killed once, whichever verb an
    article uses, so "shot on Saturday" and "killed on Sunday" meet.
    """

    classes: Table = {}
    once: list[str] = []
    once_with_object: list[str] = []
    once_per_contest: list[str] = []
    period_lengths: list[PeriodLength] = []
    light_verbs: list[str] = []
    nouns: list[str] = []
    particles: dict[str, list[ParticleVerb]] = {}
    not_events: list[str] = []
    speech_verbs: list[str] = []
    # incident -> event classes that, for one named participant, time one
    # incident ("shot on Saturday", "killed on Sunday"): their dates meet.
    incidents: dict[str, list[str]] = {}

    @field_validator("classes", "particles")
    @classmethod
    def _one_class_each(cls, v: Table) -> Table:
        seen: dict[str, str] = {}
        for canon, surfaces in v.items():
            for s in [canon, *surfaces]:
                other = seen.setdefault(s.lower(), canon)
                if other != canon:
                    raise ValueError(f"{s!r} is listed under both {other!r} and {canon!r}")
        return v

    @cached_property
    def incident_of(self) -> dict[str, str]:
        """Event class -> the incident it is one way of naming (itself when listed under none)."""
        return {c.lower(): name.lower() for name, classes in self.incidents.items() for c in [name, *classes]}

    # Sets of the lists, lowercased like the lemmas they are matched against.
    @cached_property
    def once_set(self) -> frozenset[str]:
        return frozenset(w.lower() for w in self.once)

    @cached_property
    def once_with_object_set(self) -> frozenset[str]:
        return frozenset(w.lower() for w in self.once_with_object)

    @cached_property
    def once_per_contest_set(self) -> frozenset[str]:
        return frozenset(w.lower() for w in self.once_per_contest)

    @cached_property
    def light_verb_set(self) -> frozenset[str]:
        return frozenset(w.lower() for w in self.light_verbs)

    @cached_property
    def noun_set(self) -> frozenset[str]:
        return frozenset(w.lower() for w in self.nouns)

    @cached_property
    def not_event_set(self) -> frozenset[str]:
        return frozenset(w.lower() for w in self.not_events)

    @cached_property
    def speech_verb_set(self) -> frozenset[str]:
        return frozenset(w.lower() for w in self.speech_verbs)


class EntityPattern(_Strict):
    """One entity-ruler pattern: a phrase, or a spaCy token pattern checked as spaCy's Matcher would."""

    label: str = Field(min_length=1)
    pattern: str | list[dict[str, Any]]
    id: str | None = None

    @field_validator("pattern")
    @classmethod
    def _valid(cls, v: str | list[dict[str, Any]]) -> str | list[dict[str, Any]]:
        if isinstance(v, str):
            if not v.strip():
                raise ValueError("an empty phrase matches nothing")
            return v
        problem = token_pattern_problem(v)
        if problem:
            raise ValueError(problem)
        return v


class EntityRules(_Strict):
    """rules/entities.yaml: an entity ruler that fixes systematic model errors."""

    patterns: list[EntityPattern] = []


class BoilerplatePattern(_Strict):
    name: str
    pattern: str
    # "line": only the matching line; "rest": from the match to the end of
    # the article; "block": the matching line and the list lines after it.
    extent: str = "line"
    # "rules/boilerplate.yaml line 12", set by the loader: a pattern that
    # times out on an article is named in the warning (not in the rules hash).
    _where: str = PrivateAttr(default="")

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, v: str) -> str:
        problem = pattern_problem(v, flags=regex_module().IGNORECASE)
        if problem:
            raise ValueError(problem)
        return v

    @field_validator("extent")
    @classmethod
    def _extent(cls, v: str) -> str:
        if v not in ("line", "rest", "block"):
            raise ValueError("extent must be one of line, rest, block")
        return v


class BoilerplateRules(_Strict):
    """rules/boilerplate.yaml: text that is not the story and is never checked."""

    patterns: list[BoilerplatePattern] = []


class CurrencyRate(_Strict):
    per_usd: float = Field(gt=0, allow_inf_nan=False)
    date: date


class Tolerance(_Strict):
    relative: NonNegative = 0.0
    absolute: NonNegative = 0.0


class CompareRules(_Strict):
    """rules/compare.yaml: tolerances, currency rates, growing counts."""

    rounding: bool = True
    tolerances: dict[str, Tolerance] = {}
    currencies: dict[str, list[CurrencyRate]] = {}
    growing_statuses: list[str] = []
    # A fraction of a rate: the rate's interval is rate * (1 -+ rate_tolerance), so below 1.
    rate_tolerance: float = Field(default=0.1, ge=0, lt=1, allow_inf_nan=False)
    event_units: list[str] = []
    volatile: list[str] = []


class UnitRules(_Strict):
    """rules/units.yaml: surface forms of units and currencies."""

    currencies: Table = {}
    units: Table = {}


FILES: dict[str, type[_Strict]] = {
    "subjects": SubjectRules,
    "titles": TitleRules,
    "names": NameRules,
    "places": PlaceRules,
    "events": EventRules,
    "entities": EntityRules,
    "boilerplate": BoilerplateRules,
    "compare": CompareRules,
    "units": UnitRules,
}


def reverse(table: Table) -> dict[str, str]:
    """lowercased surface -> canonical (kept as written: "USD"); the canonical maps to itself."""
    out: dict[str, str] = {}
    for canon, surfaces in table.items():
        out[canon.lower()] = canon
        for s in surfaces:
            out[s.lower()] = canon
    return out


@dataclass
class Rules:
    """All rule tables, validated, with reverse lookups built once."""

    subjects: SubjectRules
    titles: TitleRules
    names: NameRules
    places: PlaceRules
    events: EventRules
    entities: EntityRules
    boilerplate: BoilerplateRules
    compare: CompareRules
    units: UnitRules
    version: str = ""
    lookups: dict[str, dict[str, str]] = field(default_factory=dict)
    # The fitted alignment model (checker/resolve/align.py): the folder's
    # alignment.json, else the packaged one; its content joins ``version``.
    alignment: Any = None

    def __post_init__(self) -> None:
        self.lookups = {
            "subject": reverse(self.subjects.synonyms),
            "alias": reverse(self.subjects.aliases),
            "status": reverse(self.subjects.statuses),
            "title": reverse(self.titles.synonyms),
            "nickname": reverse(self.names.nicknames),
            "place": reverse(self.places.aliases),
            "event": reverse(self.events.classes),
            # "verb particle" -> class ("pass away" -> die).
            "event_particle": {
                " ".join(s.lower().split()): canon for canon, forms in self.events.particles.items() for s in forms
            },
            "currency": reverse(self.units.currencies),
            "unit": reverse(self.units.units),
        }

    def lookup(self, table: str, key: str) -> str | None:
        """Canonical form of ``key`` in a reverse table, or None."""
        return self.lookups[table].get(key.lower())


# --- patterns: checked at load, time-limited when run ----------------------


def regex_module() -> Any:
    """The ``regex`` package (a dateparser dependency): like ``re``, plus a ``timeout`` on each search."""
    import regex

    return regex


def _probes(pattern: str) -> list[str]:
    """Lines built to make catastrophic backtracking show: runs of the characters
    the pattern names (and of pairs of them), each ending in a character no
    pattern expects, so that a match fails only after every way has been tried."""
    chars: list[str] = []
    for ch in pattern + "a 1":
        if (ch.isalnum() or ch in " -_.,:;'\"!?@#/&") and ch not in chars:
            chars.append(ch)
    chars = chars[:16]
    n = PROBE_LENGTH
    probes = [c * n + "\x00" for c in chars]
    probes += [(a + b) * (n // 2) + "\x00" for a, b in zip(chars, chars[1:])]
    return probes


def pattern_problem(pattern: str, flags: int = 0) -> str | None:
    """Why ``pattern`` cannot be a rule's regular expression, or None.

    It must compile, and must not backtrack catastrophically: a repetition of
    a repetition (``(a+)+``, ``(\\w+\\s?)*``) is refused, and the pattern is tried
    (with a time limit) on lines built to show backtracking, which catches
    overlapping alternatives (``(a|aa)+$``). Refused at load, rather than
    hanging a night's run on one line.
    """
    rx_mod = regex_module()
    try:
        rx = rx_mod.compile(pattern, flags)
    except (rx_mod.error, ValueError, OverflowError, RecursionError) as exc:
        return f"invalid regular expression: {exc}"
    if nested_repeat(pattern):
        return (
            "the pattern repeats a repetition (as (a+)+ does), which can take minutes on one long line; "
            "make the inner one possessive (a++) or atomic (?>...), or bound the outer one ({0,3})"
        )
    for probe in _probes(pattern):
        try:
            rx.search(probe, timeout=PROBE_TIMEOUT)
        except TimeoutError:
            return (
                f"the pattern backtracks catastrophically (over {PROBE_TIMEOUT} s on a {len(probe) - 1}-character "
                f"line {probe[:4]!r}...): alternatives that can match the same text, repeated, such as (a|aa)+; "
                "make them exclusive, or the repetition possessive ((a|aa)++) or atomic (?>...)"
            )
    return None


def _sre_parse() -> Any:
    try:
        import re._parser as sre_parse  # Python 3.11+
    except ImportError:  # pragma: no cover - Python 3.10
        import sre_parse  # type: ignore[no-redef]
    return sre_parse


def nested_repeat(pattern: str) -> bool:
    """True when ``pattern`` repeats (more than 10 times) something that itself repeats: (a+)+, (\\w+\\s?)*.

    Python's ``re`` (which spaCy's matcher uses) has no time limit, and this
    shape is the usual cause of exponential backtracking. Possessive and
    atomic groups are not counted: they cannot backtrack.
    """
    try:
        parsed = _sre_parse().parse(pattern)
    except Exception:  # noqa: BLE001 - re.compile reports the error itself
        return False

    def walk(items: Any, inside: bool) -> bool:
        for op, av in items:
            name = str(op)
            if name in ("MAX_REPEAT", "MIN_REPEAT"):
                _, hi, sub = av
                many = hi > 10
                if (many and inside) or walk(sub, inside or many):
                    return True
            elif name == "POSSESSIVE_REPEAT":
                if walk(av[2], False):
                    return True
            elif name == "ATOMIC_GROUP":
                if walk(av, False):
                    return True
            elif name == "SUBPATTERN":
                if walk(av[-1], inside):
                    return True
            elif name == "BRANCH":
                if any(walk(b, inside) for b in av[1]):
                    return True
            elif name in ("ASSERT", "ASSERT_NOT"):
                if walk(av[1], inside):
                    return True
            elif name == "GROUPREF_EXISTS":
                if any(walk(b, inside) for b in av[1:] if b is not None):
                    return True
        return False

    return walk(parsed, False)


@functools.lru_cache(maxsize=1)
def _matcher() -> Any:
    """A spaCy Matcher that validates patterns (no model needed)."""
    from spacy.matcher import Matcher
    from spacy.vocab import Vocab

    return Matcher(Vocab(), validate=True)


def token_pattern_problem(pattern: list[dict[str, Any]]) -> str | None:
    """Why ``pattern`` is not a usable spaCy token pattern, or None.

    spaCy's own validation (attributes, operators, value types), plus what it
    lets through and fails on later: custom ``_`` attributes (checker
    registers none) and REGEX values that do not compile or could hang
    (spaCy runs them on ``re``, with no time limit).
    """
    for i, tok in enumerate(pattern, start=1):
        if "_" in tok:
            return f"token {i}: custom attributes (_) cannot be used in rule files"
        for attr, want in tok.items():
            if not isinstance(want, dict):
                continue
            for op, arg in want.items():
                if op != "REGEX" or not isinstance(arg, str):
                    continue
                try:
                    re.compile(arg)  # spaCy's matcher runs REGEX values on re, not regex
                except (re.error, ValueError, OverflowError, RecursionError) as exc:
                    return f"token {i}: {attr} REGEX {arg!r}: invalid regular expression: {exc}"
                problem = pattern_problem(arg)
                if problem:
                    return f"token {i}: {attr} REGEX {arg!r}: {problem}"
    matcher = _matcher()
    try:
        matcher.add("rule-check", [pattern])
    except Exception as exc:  # noqa: BLE001 - spaCy raises ValueError, MatchPatternError, TypeError, KeyError
        lines = [ln[2:] for ln in str(exc).splitlines() if ln.startswith("- ")] or [str(exc).splitlines()[0]]
        text = "; ".join(
            re.sub(r"\[pattern -> (\d+) -> ", lambda m: f"[token {int(m.group(1)) + 1}: ", ln) for ln in lines
        )
        return f"not a valid spaCy token pattern: {text[:300]}"
    finally:
        if "rule-check" in matcher:
            matcher.remove("rule-check")
    return None


# --- YAML with line numbers ------------------------------------------------


# libyaml (C) when PyYAML has it: the pure-Python parser takes ~17 s on 100,000 values.
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _compose_bounded(text: str) -> yaml.Node | None:
    """The document's node tree, after a pass over the parser's events that
    refuses what a hostile file could ask of the loader.

    Aliases (``*name``) are refused: they are how a few lines expand into
    billions of values (the "billion laughs"), and a hand-edited rule table
    never needs one. Nesting deeper than MAX_DEPTH (the stack) and more than
    MAX_NODES values (memory and time) are refused too, each naming the
    line. Events are a flat stream, so this pass expands nothing and
    recurses nowhere; only a file that passes it is composed into nodes.
    """
    depth = nodes = 0
    for event in yaml.parse(text, Loader=_YAML_LOADER):
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            raise RuleError(
                "E105",
                f"line {line}: YAML aliases (*{event.anchor}) are not allowed in rule files; write the values out",
            )
        if isinstance(event, (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            nodes += 1
            if nodes > MAX_NODES:
                raise RuleError("E105", f"line {line}: more than {MAX_NODES:,} values; rule files are not that big")
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise RuleError("E105", f"line {line}: nested more than {MAX_DEPTH} levels deep")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return yaml.compose(text, Loader=_YAML_LOADER)


def _construct(node: yaml.Node, path: tuple, lines: dict[tuple, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for k, v in node.value:
            key = _construct(k, path + ("<key>",), lines)
            if not isinstance(key, (str, int, float, bool)) or key is None:
                raise RuleError("E102", f"line {k.start_mark.line + 1}: keys must be plain text")
            out[key] = _construct(v, path + (key,), lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(v, path + (i,), lines) for i, v in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.ScalarNode) -> Any:
    constructor = yaml.constructor.SafeConstructor()  # no reader or parser: a scalar is already parsed
    line = node.start_mark.line + 1
    try:
        value = constructor.construct_object(node, deep=True)
    except (ValueError, OverflowError, yaml.YAMLError) as exc:
        # 2024-13-45 looks like a date to YAML and is not one; !!binary that is not base64.
        why = " ".join(str(getattr(exc, "problem", None) or exc).split())
        raise RuleError("E102", f"line {line}: {_short(node.value)} cannot be read: {why}") from None
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # "\ud800" in a double-quoted string
            raise RuleError(
                "E102", f"line {line}: {_short(value)} holds a lone surrogate (an invalid \\u escape)"
            ) from None
    return value


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _line_for(loc: tuple, lines: dict[tuple, int]) -> int:
    loc = tuple(loc)
    while loc and loc not in lines:
        loc = loc[:-1]
    return lines.get(loc, 1)


def _read_rule_text(path: Path) -> str:
    """The file's text, refusing what is not a small regular UTF-8 file (a FIFO would block, /dev/zero never end)."""
    try:
        st = path.stat()
    except OSError as exc:
        raise RuleError("E100", f"{path}: cannot read: {exc.strerror or exc}") from exc
    import stat

    if not stat.S_ISREG(st.st_mode):
        raise RuleError("E100", f"{path}: not a regular file")
    if st.st_size > MAX_RULE_BYTES:
        raise RuleError("E105", f"{path} line 1: {st.st_size:,} bytes; rule files are limited to {MAX_RULE_BYTES:,}")
    try:
        with path.open("rb") as f:
            data = f.read(MAX_RULE_BYTES + 1)
    except OSError as exc:
        raise RuleError("E100", f"{path}: cannot read: {exc.strerror or exc}") from exc
    if len(data) > MAX_RULE_BYTES:
        raise RuleError("E105", f"{path} line 1: more than {MAX_RULE_BYTES:,} bytes; rule files are not that big")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RuleError("E100", f"{path}: not UTF-8 text ({exc.reason})") from exc


def load_rule_file(path: Path, model: type[_Strict]) -> _Strict:
    """Parse and validate one rule file; raise RuleError naming file and line.

    An empty file (nothing but blanks and comments) is an error, not empty
    tables: it is what a failed copy or an editor's crash leaves, and it would
    silently switch a kind of check off. To use no rules of a kind, write
    ``{}`` (or ``patterns: []``); to use the project's, delete the file.
    """
    text = _read_rule_text(path)
    try:
        node = _compose_bounded(text)
    except RuleError as exc:
        raise RuleError(exc.code, f"{path} {exc.detail}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        problem = " ".join(str(getattr(exc, "problem", None) or exc).split())
        if "nesting depth" in problem:  # libyaml's own limit, met before ours on long flow lines
            raise RuleError("E105", f"{path} line {line}: nested more than {MAX_DEPTH} levels deep") from None
        raise RuleError("E101", f"{path} line {line}: YAML syntax error: {problem}") from exc
    except RecursionError:  # pragma: no cover - MAX_DEPTH stops nesting first
        raise RuleError("E105", f"{path}: nested too deeply") from None
    if node is None:
        raise RuleError(
            "E106",
            f"{path} line 1: the file is empty; write {{}} to use no rules of this kind, "
            "or delete the file to use the project's",
        )
    lines: dict[tuple, int] = {}
    try:
        data = _construct(node, (), lines)
    except RuleError as exc:
        raise RuleError(exc.code, f"{path} {exc.detail}") from exc
    if not isinstance(data, dict):
        raise RuleError("E102", f"{path} line 1: expected a mapping of rule tables")
    try:
        loaded = model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(x for x in err["loc"])
        line = _line_for(loc, lines)
        where = ".".join(str(x) for x in loc) or "(top)"
        msg = " ".join(err["msg"].removeprefix("Value error, ").split())
        raise RuleError("E103", f"{path} line {line}: {where}: {msg}") from exc
    for i, p in enumerate(getattr(loaded, "patterns", None) or []):
        if isinstance(p, BoilerplatePattern):
            p._where = f"{path} line {_line_for(('patterns', i), lines)}"
    return loaded


def rules_version(loaded: dict[str, BaseModel], alignment: Any = None) -> str:
    """A hash of the validated rules (not the bytes: comments do not count)
    and of the alignment model, shown in reports so a run says which rules
    judged it (and part of the per-story cache key)."""
    import hashlib
    import json

    dumped: dict[str, Any] = {k: v.model_dump(mode="json") for k, v in sorted(loaded.items())}
    if alignment is not None:
        dumped["alignment.json"] = alignment.to_dict()
    blob = json.dumps(dumped, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def default_rules_dir() -> Path:
    """./rules when the working folder has one (a team's own copy), else the checkout's."""
    here = Path.cwd() / "rules"
    return here if (here / "subjects.yaml").is_file() else DEFAULT_RULES_DIR


def load_rules(directory: Path | str | None = None, alignment: bool = True) -> Rules:
    """Load every rule file from ``directory`` (default: the project's rules/).

    A team's folder may hold only the files it changed; the others come from
    the project's rules. A folder holding none of the rule files is refused
    (a wrong ``--rules`` path would otherwise run on the project's rules
    unnoticed), and a rule file missing from both is an error, never empty
    tables. Other ``*.yaml`` files in the folder (a misspelt name) get a warning.
    ``alignment=False`` leaves the alignment model out (``checker train`` and
    ``evaluate --folds`` fit their own, and must work when the file is broken).
    """
    import logging

    d = Path(directory) if directory else default_rules_dir()
    if not d.is_dir():
        raise RuleError("E104", f"{d}: rules folder not found")
    names = [f"{name}.yaml" for name in FILES]
    try:
        present = {p.name for p in d.iterdir() if p.suffix in (".yaml", ".yml")}
    except OSError as exc:
        raise RuleError("E104", f"{d}: cannot list the rules folder: {exc.strerror or exc}") from exc
    # A team's folder may hold only its own fitted alignment model (alignment.json).
    if not present & set(names) and not (d / "alignment.json").is_file():
        raise RuleError(
            "E104", f"{d}: no rule files in this folder (expected some of {', '.join(names)}, alignment.json)"
        )
    for extra in sorted(present - set(names)):
        logging.getLogger("checker").warning(
            "[E108] %s: not a rule file checker reads (the rule files are %s); ignored", d / extra, ", ".join(names)
        )
    loaded: dict[str, _Strict] = {}
    for name, model in FILES.items():
        p = d / f"{name}.yaml"
        if not p.exists() and not p.is_symlink() and (DEFAULT_RULES_DIR / p.name).exists():
            p = DEFAULT_RULES_DIR / p.name
        if not p.exists() and not p.is_symlink():
            raise RuleError(
                "E107", f"{p}: rule file missing (and not among the project's rules in {DEFAULT_RULES_DIR})"
            )
        loaded[name] = load_rule_file(p, model)
    from checker.resolve.align import load_model

    model = load_model(d) if alignment else None
    return Rules(**loaded, version=rules_version(loaded, model), alignment=model)  # type: ignore[arg-type]
