"""Judge date claims: when one event happened, by the articles of one story.

Dates meet when they time one event: the same event class ("die") with a
named participant in common (after person linking, "mark felt"). Claims
whose event names no one (a bare "the quake struck") are not compared: in a
story of many quakes they would be about different ones. Within an event,
two dates conflict when they cannot both be true (``checker.dateparse.compatible``):
"Thursday" and "Friday"; "early December" and "November-end". A date the
text leaves open ("in 2005" against "May 30, 2005"), a clock time in another
zone, or an offset against a calendar date never conflicts.

One event is compared whoever it names: the story's main event as the
articles' leads date it (``lead_groups``). "An Indian warship foiled a
pirate attack on Friday" and "thwarting a piracy attack on 10 Nov 11" name
no one, yet the lead of each report states its story's event; two leads
that date one event class to different days (each resolved against its own
publication date) disagree.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from checker.compare.quantities import _claim_entry
from checker.dateparse import When, compatible
from checker.models import Claim, Conflict, ValueGroup, stable_id
from checker.unionfind import components

if TYPE_CHECKING:
    import pandas as pd

    from checker.rules import Rules


def incident(verb: str, rules: Rules) -> str:
    """The incident an event class times (rules/events.yaml ``incidents``): "kill" -> "shoot".

    A victim is shot and killed once: articles that say "shot on Saturday" and
    "killed on Sunday" date one incident by two verbs. A class listed under no
    incident is its own.
    """
    return rules.events.incident_of.get(verb, verb)


def named_args(c: Claim) -> set[str]:
    """The named participants of a claim's event (a person or place, not "the fight")."""
    ev = c.extra.get("event") or {}
    return {a for a, n in zip(ev.get("args", []), ev.get("named", [])) if n}


def event_groups(claims: list[Claim], rules: Rules) -> list[list[Claim]]:
    """Claims of one story and event class, grouped by a shared named participant.

    Only events that happen once to a participant are grouped (``once`` in
    rules/events.yaml, or a class of an incident that is); for
    ``once_with_object`` the object must match too.
    """
    once, with_object = rules.events.once_set, rules.events.once_with_object_set
    named = []
    for c in claims:
        ev = c.extra.get("event") or {}
        verb = ev.get("verb", "")
        if verb not in once and incident(verb, rules) not in once and verb not in with_object:
            continue
        keys = named_args(c)
        if keys:
            named.append((c, keys))
    owner: dict[str, int] = {}
    links = []
    for i, (_, keys) in enumerate(named):
        for k in keys:
            if k in owner:
                links.append((i, owner[k]))
            else:
                owner[k] = i
    groups = [[named[i][0] for i in comp] for comp in components(len(named), links)]
    out: list[list[Claim]] = []
    for g in groups:
        out.extend(_by_object(g) if (g[0].extra.get("event") or {}).get("verb") in with_object else [g])
    return [g for g in out if len({(c.article, c.start) for c in g}) > 1]


def _object(c: Claim) -> str | None:
    ev = c.extra.get("event") or {}
    things = [a for a, n in zip(ev.get("args", []), ev.get("named", [])) if not n]
    return things[0] if things else None


def _by_object(group: list[Claim]) -> list[list[Claim]]:
    """Split "suffer" events by what was suffered; claims that do not say join the commonest."""
    by: dict[str, list[Claim]] = defaultdict(list)
    loose: list[Claim] = []
    for c in group:
        obj = _object(c)
        (by[obj] if obj else loose).append(c)
    if not by:
        return []
    main = max(sorted(by), key=lambda k: len(by[k]))
    by[main].extend(loose)
    return list(by.values())


def main_participant(claims: list[Claim]) -> str:
    """The participant most claims of a group share (for the conflict subject)."""
    counts: dict[str, int] = defaultdict(int)
    for c in claims:
        ev = c.extra.get("event") or {}
        for a, n in zip(ev.get("args", []), ev.get("named", [])):
            if n:
                counts[a] += 1
    return max(sorted(counts), key=lambda a: counts[a]) if counts else ""


def is_contest_clock(c: Claim, rules: Rules) -> bool:
    """A game clock on an event that ends a contest (``once_per_contest``: "stopped the fight 44 seconds into the seventh")."""
    w = c.extra.get("when") or {}
    ev = c.extra.get("event") or {}
    return w.get("clock") is not None and ev.get("verb", "") in rules.events.once_per_contest_set


def contest_groups(claims: list[Claim]) -> list[list[Claim]]:
    """Clocks of one contest's end: linked by a shared named participant, or by naming no one.

    One contest ends once, whoever each article names ("the referee Tony
    Weeks stopped the fight", "stopped Rahman", "the fight was stopped"):
    clocks that share a name, or where one names no one, meet. Clocks naming
    disjoint people ("X stopped Y at 1:45 of the fifth" on an undercard) are
    two contests. Participants are person keys: the linker has already made a
    bare "Thompson" the story's "tony thompson" (resolve/people.py).
    """
    named = [named_args(c) for c in claims]
    links = (
        (i, j)
        for i in range(len(claims))
        for j in range(i + 1, len(claims))
        if not named[i] or not named[j] or named[i] & named[j]
    )
    return [[claims[i] for i in comp] for comp in components(len(claims), links)]


#: Days a lead's date may span and still fix the day of its event ("overnight Thursday" spans two).
LEAD_DAY_SPAN = 1


def _lead_candidate(c: Claim, rules: Rules) -> bool:
    """A lead's date of an event, fixed to a day by the calendar or the article's publication date.

    Statements and judgements ("officials said Friday", "the UN condemned
    the attack on Wednesday") date the speaking, not the event; light and
    empty verbs ("it was", "took place" with no event noun) name no event
    class; a future event is not yet dated. An undated article's "Thursday"
    fixes no day: its week is unknown.
    """
    from checker.extract.common import REPORTING_VERBS
    from checker.resolve.event_relations import EMPTY_HEADS

    if not c.extra.get("lead") or is_contest_clock(c, rules):
        return False
    w = c.extra.get("when") or {}
    days = w.get("days")
    if not days or days[1] - days[0] > LEAD_DAY_SPAN or w.get("relative") or c.extra.get("bound"):
        return False
    verb = (c.extra.get("event") or {}).get("verb", "")
    if not verb or " " in verb or verb in EMPTY_HEADS:
        return False
    return verb not in REPORTING_VERBS and verb not in rules.events.speech_verb_set


def _recurring(claims: list[Claim]) -> bool:
    """Does one article give incompatible dates for the class ("the quake struck Sunday ... an aftershock struck Wednesday")?

    Then the story holds several events of the class (a quake and its
    aftershocks, two raids), and two leads' dates may be of different ones.
    So it does when a text says the event repeats ("clashed again on
    Sunday", "another attack", extract/dates.py ``repeats``).
    """
    if any(c.extra.get("repeats") for c in claims):
        return True
    by_article: dict[str, list[Claim]] = defaultdict(list)
    for c in claims:
        by_article[c.article].append(c)
    for cs in by_article.values():
        whens = [_when(c) for c in cs]
        if any(not compatible(a, b) for i, a in enumerate(whens) for b in whens[i + 1 :]):
            return True
    return False


def lead_groups(claims: list[Claim], rules: Rules) -> list[list[Claim]]:
    """Lead dates of one story's event class, grouped as one event, when the story has one such event.

    ``claims`` are all date claims of one story and class (incident). The
    leads' candidates are kept when no article dates the class twice apart
    (``_recurring``); two that name disjoint people are two events.
    """
    if _recurring([c for c in claims if not is_contest_clock(c, rules)]):
        return []
    leads = [c for c in claims if _lead_candidate(c, rules)]
    if len({c.article for c in leads}) < 2:
        return []
    groups = contest_groups(leads)
    return [g for g in groups if len({c.article for c in g}) > 1]


def _when(c: Claim) -> When:
    d = dict(c.extra.get("when") or {})
    for k in ("minutes", "days", "doy", "offset"):
        if d.get(k) is not None:
            d[k] = tuple(d[k])
    w = When(**{k: v for k, v in d.items() if k in When.__dataclass_fields__})
    bound = c.extra.get("bound")
    if bound and w.days is not None:
        # "by 1958": any day up to the end of 1958; "after 2005": from then on.
        w.days = (-(10**9), w.days[1]) if bound in ("<", "<=") else (w.days[0], 10**9)
    return w


def value_groups(claims: list[Claim], ok) -> list[list[Claim]]:
    """Claims grouped so that all claims in a group are pairwise compatible."""
    groups: list[list[Claim]] = []
    for c in claims:
        for g in groups:
            if all(ok(c, o) for o in g):
                g.append(c)
                break
        else:
            groups.append([c])
    return groups


def _precision(c: Claim) -> tuple:
    """Claims that fix the day come first (they shape the groups and name them)."""
    w = c.extra.get("when") or {}
    days = w.get("days")
    fixes_day = any(w.get(k) is not None for k in ("days", "weekday", "doy", "clock"))
    span = days[1] - days[0] if days else (w["doy"][1] - w["doy"][0] if w.get("doy") else 10**6)
    return (not fixes_day, w.get("offset") is not None, span, w.get("minutes") is None, c.article, c.start)


def _fixes_day(c: Claim) -> bool:
    w = c.extra.get("when") or {}
    return any(w.get(k) is not None for k in ("days", "weekday", "doy", "offset", "clock"))


def compare_dates(df: pd.DataFrame, rules: Rules) -> list[Conflict]:
    """Date conflicts in the claim table (all stories)."""
    sub = df[df["kind"] == "date"]
    by_event: dict[tuple[str, str], list[Claim]] = defaultdict(list)
    facts = sub["fact"] if "fact" in sub else [None] * len(sub)
    shown = dict(zip(sub["fact"], sub["fact_subject"])) if "fact" in sub else {}
    contests: dict[tuple[str, str], list[Claim]] = defaultdict(list)
    for story, claim, fact in zip(sub["story"], sub["claim"], facts):
        ev = claim.extra.get("event") or {}
        if is_contest_clock(claim, rules):
            contests[(story, ev.get("verb", ""))].append(claim)
            continue
        # Aligned claims meet by fact; the others by incident, as before alignment.
        by_event[(story, fact or "", "" if fact else incident(ev.get("verb", ""), rules))].append(claim)
    out: list[Conflict] = []
    by_class: dict[tuple[str, str], list[Claim]] = defaultdict(list)
    for story, claim in zip(sub["story"], sub["claim"]):
        by_class[(story, incident((claim.extra.get("event") or {}).get("verb", ""), rules))].append(claim)
    for (story, verb), claims in sorted(contests.items()):
        for contest in contest_groups(claims):
            if len({(c.article, c.start) for c in contest}) < 2:
                continue
            whens = {id(c): _when(c) for c in contest}
            order = sorted(contest, key=_precision)
            groups = value_groups(order, lambda a, b, w=whens: compatible(w[id(a)], w[id(b)]))
            if len(groups) > 1:
                out.append(_conflict("date", story, f"{verb} of the contest", groups))
    for (story, fact, verb), claims in sorted(by_event.items()):
        aligned = bool(fact)
        if aligned:
            # One fact, as alignment found it: compared whole.
            parts = [claims] if len({(c.article, c.start) for c in claims}) > 1 else []
        else:
            parts = event_groups(claims, rules)
        for group in parts:
            whens = {id(c): _when(c) for c in group}
            order = sorted(group, key=_precision)
            groups = value_groups(order, lambda a, b, w=whens: compatible(w[id(a)], w[id(b)]))
            groups = [g for g in groups if any(_fixes_day(c) for c in g)] if len(groups) > 1 else groups
            if len(groups) < 2:
                continue
            if aligned:
                subject = shown.get(fact) or fact
            else:
                subject = f"{verb} {main_participant(group)}".strip()
            out.append(_conflict("date", story, subject, groups))
    seen = [{(e["article"], e["start"]) for v in k.values for e in v.claims} for k in out]
    for (story, verb), claims in sorted(by_class.items()):
        for group in lead_groups(claims, rules):
            whens = {id(c): _when(c) for c in group}
            order = sorted(group, key=_precision)
            groups = value_groups(order, lambda a, b, w=whens: compatible(w[id(a)], w[id(b)]))
            if len(groups) < 2 or len({c.article for g in groups for c in g}) < 2:
                continue
            keys = {(c.article, c.start) for g in groups for c in g}
            if any(keys <= s for s in seen):
                continue  # already set side by side as a named or aligned event
            out.append(_conflict("date", story, f"{verb}, as the leads date it", groups))
    return out


def _conflict(kind: str, story: str, subject: str, groups: list[list[Claim]]) -> Conflict:
    """A date or location conflict in the shape of DESIGN.md."""
    groups.sort(key=lambda g: (-len(g), g[0].article, g[0].start))
    values = [
        ValueGroup(
            value=g[0].display or g[0].text,
            claims=[_claim_entry(c) for c in sorted(g, key=lambda c: (c.article, c.start))],
        )
        for g in groups
    ]
    arts = {c.article for g in groups for c in g}
    who = "the same article gives" if len(arts) == 1 else "articles give"
    noun = "dates" if kind == "date" else "places"
    expl = f"{who} {len(values)} {noun} for {subject}: " + " / ".join(v.value for v in values)
    return Conflict(
        id=stable_id(kind, story, subject),
        kind=kind,
        subject=subject,
        story=story,
        severity="high" if len(arts) == 1 else "medium",
        explanation=expl,
        values=values,
        disagreement="self" if len(arts) == 1 else "outlets",
    )
