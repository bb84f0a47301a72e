"""Load and validate the declarative rule files in ``rules/``.

Fact-checkers edit these files without touching code, so a mistake must stop
the run with a message naming the file and the line (``[E101] rules/titles.yaml
line 8: ...``), never a traceback. YAML is parsed to nodes first so each value
keeps its line, then validated against pydantic models.

Tables are shaped canonical key -> surface forms (as in quantulum3's
``units.json``); lookups are built once into reverse dictionaries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError, field_validator

from checker.errors import RuleError

DEFAULT_RULES_DIR = Path(__file__).resolve().parent.parent / "rules"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


Table = dict[str, list[str]]


class SubjectRules(_Strict):
    """rules/subjects.yaml: what is counted, and whose it is."""

    synonyms: Table = {}
    aliases: Table = {}
    statuses: Table = {}
    stop_heads: list[str] = []
    needs_status: list[str] = []
    partial_modifiers: list[str] = []


class TitleRules(_Strict):
    """rules/titles.yaml: offices and the words that name them.

    ``synonyms`` maps a canonical office to its surface forms. A title's head
    word decides what kind of title it is: an office (one holder at a time,
    so two different offices for one person conflict), a rank (military or
    police), or a role (actress, lawyer: many can hold at once, never a
    conflict). ``modifiers`` make a different office ("deputy" prime
    minister); ``descriptors`` are dropped ("famous", "founding"); ``former``
    words put a title in the past, where it is not compared.
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


class EventRules(_Strict):
    """rules/events.yaml: the event vocabulary dates and places attach to.

    ``classes`` maps an event class to the predicates (verb and noun lemmas)
    that name it ("die": succumb, death); ``once`` are events that happen
    once to a participant (two dates for them conflict), ``once_with_object``
    the same when the object matches too ("suffered a heart attack");
    ``light_verbs`` take their event from their subject noun ("the shootings
    happened"); ``nouns`` are event nouns; ``particles`` map "verb particle"
    to a class ("pass away": die); ``not_events`` are nouns a date may hang
    off without dating them ("at his home on Thursday").
    """

    classes: Table = {}
    once: list[str] = []
    once_with_object: list[str] = []
    light_verbs: list[str] = []
    nouns: list[str] = []
    particles: dict[str, list[ParticleVerb]] = {}
    not_events: list[str] = []

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

    # Sets of the lists, lowercased like the lemmas they are matched against.
    @cached_property
    def once_set(self) -> frozenset[str]:
        return frozenset(w.lower() for w in self.once)

    @cached_property
    def once_with_object_set(self) -> frozenset[str]:
        return frozenset(w.lower() for w in self.once_with_object)

    @cached_property
    def light_verb_set(self) -> frozenset[str]:
        return frozenset(w.lower() for w in self.light_verbs)

    @cached_property
    def noun_set(self) -> frozenset[str]:
        return frozenset(w.lower() for w in self.nouns)

    @cached_property
    def not_event_set(self) -> frozenset[str]:
        return frozenset(w.lower() for w in self.not_events)


class EntityPattern(_Strict):
    label: str
    pattern: str | list[dict[str, Any]]
    id: str | None = None


class EntityRules(_Strict):
    """rules/entities.yaml: an entity ruler that fixes systematic model errors."""

    patterns: list[EntityPattern] = []


class BoilerplatePattern(_Strict):
    name: str
    pattern: str
    # "line": only the matching line; "rest": from the match to the end of
    # the article; "block": the matching line and the list lines after it.
    extent: str = "line"

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, v: str) -> str:
        try:
            re.compile(v)
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from exc
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
    per_usd: float
    date: date


class Tolerance(_Strict):
    relative: float = 0.0
    absolute: float = 0.0


class CompareRules(_Strict):
    """rules/compare.yaml: tolerances, currency rates, growing counts."""

    rounding: bool = True
    tolerances: dict[str, Tolerance] = {}
    currencies: dict[str, list[CurrencyRate]] = {}
    growing_statuses: list[str] = []
    rate_tolerance: float = 0.1
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


# --- YAML with line numbers ------------------------------------------------


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
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def _line_for(loc: tuple, lines: dict[tuple, int]) -> int:
    loc = tuple(loc)
    while loc and loc not in lines:
        loc = loc[:-1]
    return lines.get(loc, 1)


def load_rule_file(path: Path, model: type[_Strict]) -> _Strict:
    """Parse and validate one rule file; raise RuleError naming file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise RuleError("E100", f"{path}: not UTF-8 text ({exc.reason})") from exc
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise RuleError("E101", f"{path} line {line}: YAML syntax error: {problem}") from exc
    if node is None:
        return model()
    lines: dict[tuple, int] = {}
    try:
        data = _construct(node, (), lines)
    except RuleError as exc:
        raise RuleError(exc.code, f"{path} {exc.detail}") from exc
    if not isinstance(data, dict):
        raise RuleError("E102", f"{path} line 1: expected a mapping of rule tables")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(x for x in err["loc"])
        line = _line_for(loc, lines)
        where = ".".join(str(x) for x in loc) or "(top)"
        raise RuleError("E103", f"{path} line {line}: {where}: {err['msg']}") from exc


def rules_version(loaded: dict[str, BaseModel]) -> str:
    """A hash of the validated rules (not the bytes: comments do not count),
    shown in reports so a run says which rules judged it."""
    import hashlib
    import json

    blob = json.dumps({k: v.model_dump(mode="json") for k, v in sorted(loaded.items())}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def default_rules_dir() -> Path:
    """./rules when the working folder has one (a team's own copy), else the checkout's."""
    here = Path.cwd() / "rules"
    return here if (here / "subjects.yaml").is_file() else DEFAULT_RULES_DIR


def load_rules(directory: Path | str | None = None) -> Rules:
    """Load every rule file from ``directory`` (default: the project's rules/)."""
    d = Path(directory) if directory else default_rules_dir()
    if not d.is_dir():
        raise RuleError("E104", f"{d}: rules folder not found")
    loaded: dict[str, _Strict] = {}
    for name, model in FILES.items():
        p = d / f"{name}.yaml"
        if not p.exists() and (DEFAULT_RULES_DIR / p.name).is_file():
            # A team's folder may hold only the files it changed; the rest
            # come from the project's own rules, never from empty tables.
            p = DEFAULT_RULES_DIR / p.name
        loaded[name] = load_rule_file(p, model) if p.exists() else model()
    return Rules(**loaded, version=rules_version(loaded))  # type: ignore[arg-type]
