"""The data classes every stage shares: Article, Claim, Conflict and friends.

They live in one module so that stages depend on the data, not on each other
(ingest makes Articles, extract makes Claims, compare makes Conflicts, report
reads them all). Field names follow the data contract in DESIGN.md: other tools
read ``conflicts.json`` and ``checker extract --format jsonl``, so renaming a
field here is a breaking change.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

CLAIM_KINDS = ("quantity", "date", "location", "title", "name")
CONFLICT_KINDS = ("quantity", "date", "location", "title", "name_spelling")
QUALIFIERS = ("=", "~", ">", ">=", "<", "<=")


@dataclass
class Article:
    """One news article as read from disk or JSONL.

    ``text`` is the text exactly as decoded: every offset in the program indexes
    into it. ``skip_spans`` are (start, end) ranges recognised as boilerplate
    (donation appeals, "Read also" link lists) that extraction must not check.
    """

    id: str
    text: str
    title: str | None = None
    source: str | None = None
    published: str | None = None
    url: str | None = None
    story: str | None = None
    path: str | None = None
    # When ``published`` is missing: the publication date estimated from the
    # page or the text (checker/resolve/dating.py), and how ("html", "dateline",
    # "text"). ``published`` always stays as given.
    published_estimate: str | None = None
    published_basis: str | None = None
    # None until extraction looks for boilerplate (in the worker that parses
    # the article, so an unchanged rerun never scans for it).
    skip_spans: list[tuple[int, int]] | None = None

    @functools.cached_property
    def content_hash(self) -> str:
        """Hash of the text: the store keys extraction results by it."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def outlet(self) -> str:
        """The outlet shown to editors: the metadata source, else the id."""
        return self.source or self.id

    def is_checked(self, start: int, end: int) -> bool:
        """False when [start, end) falls inside a boilerplate span."""
        return not any(s <= start and end <= e for s, e in self.skip_spans or ())


@dataclass
class Claim:
    """A checkable statement found in an article, with its exact offsets."""

    article: str
    start: int
    end: int
    text: str
    sentence_start: int
    sentence_end: int
    kind: str
    subject: str
    value: Any
    unit: str | None = None
    qualifier: str = "="
    change: str | None = None
    low: float | None = None
    high: float | None = None
    attribution: str | None = None
    scope: dict[str, Any] = field(default_factory=dict)
    source: str | None = None
    published: str | None = None
    # Not in the contract's required list, but useful downstream: the
    # display form editors see ("about 11,000"), and extra detail per kind
    # (e.g. the person a title belongs to, the event a date times).
    display: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # The article's estimated publication date when none is given (see Article).
    published_estimate: str | None = None
    published_basis: str | None = None

    @classmethod
    def in_sentence(
        cls,
        article: Article,
        sent: Any,
        start: int,
        end: int,
        text: str,
        kind: str,
        subject: str,
        value: Any,
        **fields: Any,
    ) -> Claim:
        """A claim at [start, end) of ``article``, in the spaCy sentence ``sent``.

        Every extractor fills the same contract fields from the article (id,
        outlet, publication date) and the sentence; this is the one place that does.
        """
        return cls(
            article=article.id,
            start=start,
            end=end,
            text=text,
            sentence_start=sent.start_char,
            sentence_end=sent.end_char,
            kind=kind,
            subject=subject,
            value=value,
            source=article.outlet,
            published=article.published,
            **fields,
        )

    def to_dict(self) -> dict[str, Any]:
        """The claim as the JSON-serialisable dict of the data contract."""
        d = asdict(self)
        if isinstance(d["value"], tuple):
            d["value"] = list(d["value"])
        return d


@dataclass
class ValueGroup:
    """One distinct value inside a conflict, with every claim that gives it."""

    value: str
    claims: list[dict[str, Any]]
    low: float | None = None
    high: float | None = None
    role: str | None = None  # "majority" / "outlier" when a truth hint applies


@dataclass
class Conflict:
    """Claims on one subject whose values cannot all be true."""

    id: str
    kind: str
    subject: str
    story: str
    severity: str
    explanation: str
    values: list[ValueGroup]
    disagreement: str = "outlets"
    hint: str | None = None
    status: str = "new"
    decision: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The conflict as the dict written to conflicts.json."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Conflict:
        """A conflict back from its ``to_dict`` form."""
        return cls(**{**d, "values": [ValueGroup(**v) for v in d["values"]]})


@dataclass
class Skipped:
    """An input that could not be read, and why; listed in the report."""

    path: str
    reason: str
    code: str
    line: int | None = None

    def message(self) -> str:
        """The one-line message printed for a skipped input."""
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"[{self.code}] {where}: {self.reason}"


@dataclass
class Dating:
    """What an article's text says about when it was published (checker/resolve/dating.py).

    ``lo``/``hi`` bound the publication day (ordinal days; ``hi`` None: no
    upper bound, as for an estimate from the latest event the text reports).
    ``exact`` marks a day as good as metadata (a dateline); otherwise the
    bounds are coarse and only a year or more apart counts. ``refs`` are the
    days of the events the text dates to the day, with a year: a follow-up
    that dates the earlier event may join its story.
    """

    estimate: str | None = None
    basis: str | None = None
    lo: int | None = None
    hi: int | None = None
    exact: bool = False
    refs: list[tuple[int, int]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (it travels from the workers and is cached with the fingerprint)."""
        return {**asdict(self), "refs": [list(r) for r in self.refs]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Dating:
        """Back from ``to_dict``."""
        return cls(**{**d, "refs": [tuple(r) for r in d.get("refs") or ()]})


@dataclass(frozen=True)
class Place:
    """One reading of a place name in the gazetteer (``checker.places``).

    ``key`` is stable ("city:2643743", "country:GB", "region:US-CA");
    ``within`` lists the keys of every place that contains it, nearest
    first, so containment is a membership test.
    """

    key: str
    name: str
    kind: str  # city / region / country / continent
    country: str | None = None  # ISO 3166-1 alpha-2
    within: tuple[str, ...] = ()
    lat: float | None = None
    lon: float | None = None
    population: int = 0
    timezone: str | None = None


def stable_id(*parts: str) -> str:
    """A short id that stays the same across runs for the same parts."""
    h = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()
    return h[:12]
