"""Judge people: offices that cannot both be held, names spelled two ways.

Titles meet per (story, person). Two titles conflict when they name
different offices (or ranks) that one person cannot hold at once in one
body: "Foreign Minister" and "Prime Minister" for Jean-Noel Barrot do; "GM"
and "President and GM" do not (a partial title), nor do roles ("actress",
"lawyer"), former offices, or titles in different bodies (a body's acronym
is the same body). A numbered role ("the 12th Doctor" / "the 11th Doctor")
is compared by its number; the branch of a body ("UNRWA in Gaza") keeps two
listed-compatible offices apart when it differs.

Names meet per (story, person) too: the linker has already decided which
mentions are one person, so here every mention is grouped by how it spells
the name, and two or more spellings are a conflict ("Syhiha" / "Sybiha").
Case, accents, dropped initials, nicknames and listed transliterations are
not different spellings.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from checker.compare.grouping import greedy_groups
from checker.compare.quantities import _claim_entry
from checker.extract.titles import Office, Title, lexicon, offices_compatible
from checker.models import Claim, Conflict, ValueGroup, stable_id
from checker.names import NameJudge, split_name

if TYPE_CHECKING:
    import pandas as pd

    from checker.rules import Rules


def _title_of(c: Claim) -> Title:
    ex = c.extra
    return Title(
        start=c.start,
        end=c.end,
        surface=c.text,
        offices=[Office(n, cat) for n, cat in ex.get("offices", [])],
        orgs=list(ex.get("orgs") or []),
        unit=ex.get("unit"),
        former=bool(ex.get("former")),
        branch=ex.get("branch"),
        # An unnamed holder's count ("the 45th president") may be anyone's.
        ordinal=None if ex.get("unnamed") else ex.get("ordinal"),
    )


def _disagreement(groups: list[list[Claim]]) -> str:
    return "self" if len({c.article for g in groups for c in g}) == 1 else "outlets"


def _by_person(df: pd.DataFrame, kind: str) -> dict[tuple[str, str], list[Claim]]:
    sub = df[df["kind"] == kind]
    keyed: dict[tuple[str, str], list[Claim]] = defaultdict(list)
    for story, claim in zip(sub["story"], sub["claim"]):
        keyed[(story, claim.subject)].append(claim)
    return keyed


def compare_people(df: pd.DataFrame, rules: Rules) -> list[Conflict]:
    """Title and name-spelling conflicts in the claim table (all stories)."""
    return _titles(df, rules) + _spellings(df, rules)


def _titles(df: pd.DataFrame, rules: Rules) -> list[Conflict]:
    lex = lexicon(rules)
    out: list[Conflict] = []
    for (story, person), claims in sorted(_by_person(df, "title").items()):
        live = [
            c
            for c in claims
            if not c.extra.get("former")
            and not c.extra.get("transition")
            and (
                any(cat in ("office", "rank") for _, cat in c.extra.get("offices", []))
                # A numbered role ("the 12th Doctor") of a named person counts holders.
                or (c.extra.get("ordinal") is not None and not c.extra.get("unnamed"))
            )
        ]
        if len(live) < 2:
            continue
        titles = {id(c): _title_of(c) for c in live}
        # Most specific first, so partial titles join the fuller one's group.
        order = sorted(live, key=lambda c: (-len(titles[id(c)].offices), c.article, c.start))
        groups = greedy_groups(
            order, lambda c, g, t=titles: all(offices_compatible(t[id(c)], t[id(o)], lex) for o in g)
        )
        if len(groups) < 2:
            continue
        groups.sort(key=lambda g: (-len(g), g[0].value))
        values = [
            ValueGroup(
                value=g[0].value, claims=[_claim_entry(c) for c in sorted(g, key=lambda c: (c.article, c.start))]
            )
            for g in groups
        ]
        kind = _disagreement(groups)
        shown = " vs ".join(f"{v.value} ({len(v.claims)}x)" for v in values)
        where = "the same article gives" if kind == "self" else "articles give"
        out.append(
            Conflict(
                id=stable_id("title", story, person),
                kind="title",
                subject=person,
                story=story,
                severity="high" if kind == "self" else "medium",
                explanation=f"{where} {person.title()} offices that cannot both be held: {shown}",
                values=values,
                disagreement=kind,
            )
        )
    return out


def _spellings(df: pd.DataFrame, rules: Rules) -> list[Conflict]:
    judge = NameJudge(rules)
    out: list[Conflict] = []
    for (story, person), claims in sorted(_by_person(df, "name").items()):
        if len(claims) < 2:
            continue
        parsed = {id(c): split_name(c.value, rules) for c in claims}
        # Fullest spellings first; each mention joins the first spelling it fits
        # (compared with that spelling's fullest form, so "Abeyie" and "Quincy
        # Owusu" both join "Quincy Owusu-Abeyie").
        order = sorted(claims, key=lambda c: (-len(parsed[id(c)].given), -len(parsed[id(c)].last), c.article, c.start))
        groups = greedy_groups(order, lambda c, g, p=parsed: judge.same_spelling(p[id(c)], p[id(g[0])]))
        if len(groups) < 2:
            continue
        groups.sort(key=lambda g: (-len(g), g[0].value))
        values = []
        for g in groups:
            counts = {c.value: sum(1 for o in g if o.value == c.value) for c in g}
            shown = max(g, key=lambda c: (parsed[id(c)].full, counts[c.value], len(c.value))).value
            values.append(
                ValueGroup(value=shown, claims=[_claim_entry(c) for c in sorted(g, key=lambda c: (c.article, c.start))])
            )
        kind = _disagreement(groups)
        where = "the same article spells" if kind == "self" else "articles spell"
        out.append(
            Conflict(
                id=stable_id("name_spelling", story, person),
                kind="name_spelling",
                subject=person,
                story=story,
                severity="medium",
                explanation=f"{where} the name of one person {len(values)} ways: "
                + " / ".join(v.value for v in values),
                values=values,
                disagreement=kind,
            )
        )
    return out
