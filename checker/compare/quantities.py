"""Judge quantity claims: which figures for one subject cannot all be true.

Claims meet on (story, subject, unit family) and split further on scope
where scope makes them about different things (killed vs wounded; places
neither of which contains the other). Within a key, each claim is an
interval (hedges and rounding, see ``extract.quantities.interval``); amounts
in different currencies are converted with the dated rates in
rules/compare.yaml. Claims whose intervals overlap share a value; two or more
values that do not overlap make a conflict. A count that grows in a later
report is an update, not a conflict.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from typing import TYPE_CHECKING

from checker.compare.grouping import greedy_groups
from checker.models import Claim, Conflict, ValueGroup, stable_id

if TYPE_CHECKING:
    import pandas as pd

    from checker.rules import Rules

INF = float("inf")


def _family(c: Claim, rules: Rules) -> str:
    """Which figures may measure one thing: money in any currency, people in
    any role (rules/subjects.yaml ``person_nouns``), else the unit itself."""
    if c.unit and c.unit in rules.compare.currencies:
        return "money"
    if c.unit and c.unit in rules.subjects.person_nouns:
        return "people"
    return c.unit or "count"


def rate_range(currency: str, published: str | None, rules: Rules) -> tuple[float, float] | None:
    """(lowest, highest) units of ``currency`` per USD that may apply.

    With a publication date: the dated rate nearest to it, widened by
    rate_tolerance (a reporter's conversion is approximate). Without one:
    every rate in the table, since the day the figure was converted is unknown.
    """
    rates = rules.compare.currencies.get(currency)
    if not rates:
        return None
    if published:
        try:
            day = date.fromisoformat(str(published)[:10])
        except ValueError:
            day = None
        if day is not None:
            best = min(rates, key=lambda r: abs((r.date - day).days))
            t = rules.compare.rate_tolerance
            return best.per_usd * (1 - t), best.per_usd * (1 + t)
    vals = [r.per_usd for r in rates]
    return min(vals), max(vals)


def bounds(c: Claim, rules: Rules) -> tuple[float, float]:
    """The claim's interval in the unit family's common unit (USD for money)."""
    lo = c.low if c.low is not None else -INF
    hi = c.high if c.high is not None else INF
    if _family(c, rules) == "money" and c.unit != "USD":
        rr = rate_range(c.unit or "", c.published, rules)
        if rr:
            # Dividing by the highest rate gives the fewest dollars.
            lo = lo / rr[1] if lo > 0 else lo / rr[0] if lo != -INF else lo
            hi = hi / rr[0] if hi > 0 else hi / rr[1] if hi != INF else hi
    return lo, hi


def native_bounds(c: Claim) -> tuple[float, float]:
    """The claim's interval in its own unit (no conversion)."""
    return (c.low if c.low is not None else -INF, c.high if c.high is not None else INF)


def pair_bounds(a: Claim, b: Claim, rules: Rules) -> tuple[tuple[float, float], tuple[float, float]]:
    """Both claims' intervals on one scale: as written when they share a unit, else converted.

    Two amounts in one currency are compared as written: converting both to
    dollars at a range of rates would widen each by the rate tolerance, so
    "e80 million" would fit "85 million euros".
    """
    if a.unit and a.unit == b.unit:
        return native_bounds(a), native_bounds(b)
    return bounds(a, rules), bounds(b, rules)


def same_figure(a: Claim, b: Claim, rules: Rules) -> bool:
    """Do the two claims' intervals overlap (the same figure, hedges and rounding allowed)?"""
    (alo, ahi), (blo, bhi) = pair_bounds(a, b, rules)
    tol = rules.compare.tolerances.get(a.unit or "") or rules.compare.tolerances.get("*")
    slack = 0.0
    finite = [abs(x) for x in (alo, ahi, blo, bhi) if x not in (INF, -INF)]
    if tol is not None and finite:
        slack = max(tol.absolute, tol.relative * max(finite))
    return alo <= bhi + slack and blo <= ahi + slack


def compatible(a: Claim, b: Claim, rules: Rules) -> bool:
    """True when both claims can be true at once.

    Counts in nested places are parts and wholes: 10,000 troops in the Kursk
    region fit 12,000 sent to Russia, but more than 170,000 dead in Aceh do
    not fit 168,000 in Aceh and Nias together.
    """
    if a.extra.get("counted") and b.extra.get("counted"):
        rel = place_relation(a.scope.get("place"), b.scope.get("place"), rules)
        if rel == "outer":  # a's place holds b's: b can be at most a
            return bounds(b, rules)[0] <= bounds(a, rules)[1]
        if rel == "inner":
            return bounds(a, rules)[0] <= bounds(b, rules)[1]
    return same_figure(a, b, rules)


def _place_set(p: str) -> list[str]:
    return [x.strip() for x in p.split(" + ") if x.strip()]


def place_contains(outer: str, inner: str, rules: Rules) -> bool:
    """Does ``outer`` (one place or "a + b") hold every place of ``inner``?"""
    outs = _place_set(outer)
    return all(any(o == i or contains(o, i, rules) for o in outs) for i in _place_set(inner))


def place_relation(p: str | None, q: str | None, rules: Rules) -> str:
    """ "same", "outer" (p holds q), "inner" (q holds p), "disjoint" or "unknown"."""
    if not p or not q:
        return "unknown"
    if p == q:
        return "same"
    pq, qp = place_contains(p, q, rules), place_contains(q, p, rules)
    if pq and qp:
        return "same"
    if pq:
        return "outer"
    if qp:
        return "inner"
    return "disjoint"


def _same_scope(a: Claim, b: Claim, rules: Rules) -> bool:
    """Places equal or nested (for counts: where a measure was felt is not
    where it happened), and kinds ("school" vs "government" buildings) equal
    or unstated."""
    pa = a.scope.get("place") if a.extra.get("counted") else None
    pb = b.scope.get("place") if b.extra.get("counted") else None
    ka, kb = a.scope.get("kind"), b.scope.get("kind")
    return _places_compatible(pa, pb, rules) and (not ka or not kb or ka == kb)


def _year(c: Claim) -> str:
    """The year a figure belongs to: stated, or "N years ago" from the publication date."""
    y = str(c.scope.get("year") or "")
    if y.startswith("past:") and c.published:
        try:
            return str(date.fromisoformat(str(c.published)[:10]).year - int(y.split(":")[1]))
        except ValueError:
            return y
    return y


def _places_compatible(p: str | None, q: str | None, rules: Rules) -> bool:
    return place_relation(p, q, rules) != "disjoint"


def contains(outer: str, inner: str, rules: Rules, depth: int = 0) -> bool:
    """Does the place ``outer`` contain ``inner`` by rules/places.yaml?

    Quantity scopes stay on the rules: with the gazetteer's containment,
    mis-scoped figures join ("Bowe's 33 KOs" training in Germany and
    "Klitschko's 46 KOs" in Mannheim, Germany). Places use both
    (``compare.places``).
    """
    if depth > 6:
        return False
    kids = [k.lower() for k in rules.places.contains.get(outer, [])]
    kids = [rules.lookup("place", k) or k for k in kids]
    return inner in kids or any(contains(k, inner, rules, depth + 1) for k in kids)


def _split_scope(claims: list[Claim], rules: Rules) -> list[list[Claim]]:
    """Split one key's claims where scopes make them about different things.

    Different status classes (killed vs injured), different stated years
    (a background "2004 tsunami" toll vs this week's quake), and a running
    total against one occasion's figure never meet; places meet only when
    equal or nested.
    """
    if len({bool(c.scope.get("cumulative")) for c in claims}) > 1:
        # A running total over many occasions ("so far", "during the five
        # operations") and one occasion's figure are different things.
        return [
            g
            for flag in (False, True)
            for g in _split_scope([c for c in claims if bool(c.scope.get("cumulative")) == flag], rules)
        ]
    by_status: dict[str, list[Claim]] = defaultdict(list)
    for c in claims:
        # What happened to the things counted splits counts; a measure (a
        # magnitude, a price) has no status of its own.
        status = c.scope.get("status") if c.extra.get("counted") else None
        by_status[f"{status or ''}|{_year(c)}"].append(c)
    if len(by_status) > 1 and any(k.startswith("|") for k in by_status):
        years = {k.split("|")[1] for k in by_status}
        statuses = {k.split("|")[0] for k in by_status} - {""}
        if len(statuses) == 1 and len(years) == 1:
            # Claims without a status join the only status there is (same year).
            only = next(iter(statuses))
            for k in [k for k in by_status if k.startswith("|")]:
                by_status[f"{only}|{k.split('|')[1]}"].extend(by_status.pop(k))
    # "four years ago" with no publication date is some past year: it joins
    # the explicit year most figures of its status give.
    for k in [k for k in by_status if k.split("|")[1].startswith("past")]:
        status = k.split("|")[0]
        explicit = [e for e in by_status if e.startswith(status + "|") and e.split("|")[1][:1].isdigit()]
        if explicit:
            best = max(explicit, key=lambda e: (len(by_status[e]), e))
            by_status[best].extend(by_status.pop(k))
    groups: list[list[Claim]] = []
    for members in by_status.values():
        # Places: chain claims whose places are equal or nested; kinds
        # ("school" vs "government" buildings) when equal or unstated.
        placed = greedy_groups(members, lambda c, g: all(_same_scope(c, o, rules) for o in g))
        groups.extend(placed)
    return groups


def _disagree_across_articles(groups: list[list[Claim]], rules: Rules) -> bool:
    """Is there an incompatible pair of claims from different articles?

    Within one article, different figures for one noun are almost always
    different things (sub-counts, options: "69 cents, 99 cents and $1.29";
    "4 school buildings ... 40 religious buildings"), so a quantity conflict
    needs two articles that disagree. Once it has them, every figure for the
    subject is shown, the same article's included. Two articles that each
    give both figures ("cutting the limit from £20m to £15m", "£30m, £40m or
    £50m") do not disagree with each other.
    """
    by_article: dict[str, list[Claim]] = defaultdict(list)
    for g in groups:
        for c in g:
            by_article[c.article].append(c)

    def states(article: str, c: Claim) -> bool:
        return any(compatible(o, c, rules) for o in by_article[article])

    for i, g in enumerate(groups):
        for h in groups[i + 1 :]:
            for a in g:
                for b in h:
                    if a.article != b.article and not compatible(a, b, rules):
                        if not (states(b.article, a) and states(a.article, b)):
                            return True
    return False


def _volatile(c: Claim, rules: Rules) -> bool:
    """Does the figure move daily (a price, an index, a growth rate; a tally told in the
    present perfect, "has scored nine goals")?"""
    words = set((c.subject or "").lower().split())
    return bool(c.extra.get("volatile") or c.extra.get("tally")) or bool(words & set(rules.compare.volatile))


# The day shared by undated reports of a bout: see ``_day``.
UNDATED_REPORT = "undated report"


def _day(c: Claim, rules: Rules) -> str | None:
    """The day a figure that moves daily holds for ("" for a figure that does not move; None
    when nothing says which day, so it is compared with nothing).

    A career record told in the past tense by an undated article ("Bowe (45-1) scored a
    decision") is the record after the bout it reports; undated reports of one story cannot be
    shown to be of different days, so they share one. A preview ("faces", "will defend")
    gives the record before the bout and stays out.
    """
    if not (c.change or _volatile(c, rules)):
        return ""
    if c.published:
        return str(c.published)[:10]
    if c.extra.get("record") and c.extra.get("told") == "past":
        return UNDATED_REPORT
    return None


def _vague(c: Claim, rules: Rules) -> bool:
    """Does nothing but a bare noun say what the figure is about?

    "two games", "four goals", "a 3.5% rate", "£4bn": in a story of many
    events such figures are about different things far more often than they
    disagree. A figure is specific when it has an owner ("North Korean
    troops", "Parmalat's debts"), a kind ("school buildings"), a status
    ("killed", "seized"), a place for a count, or a unit that measures the
    event itself (rules/compare.yaml ``event_units``: a quake's magnitude).
    """
    if (
        c.extra.get("owner")
        or c.scope.get("kind")
        or (c.extra.get("counted") and (c.scope.get("status") or c.scope.get("place")))
    ):
        return False
    return c.unit not in rules.compare.event_units


def _change_key(c: Claim) -> str:
    return f"change:{c.change}" if c.change else "level"


def _value_groups(claims: list[Claim], rules: Rules) -> list[list[Claim]]:
    """Claims grouped so that all claims in a group are pairwise compatible."""
    order = sorted(claims, key=lambda c: (bounds(c, rules)[0], bounds(c, rules)[1], _precision(c)))
    return greedy_groups(order, lambda c, g: all(same_figure(c, o, rules) for o in g))


def _precision(c: Claim) -> float:
    """Smaller is more precise: the width of the claim's interval."""
    lo = c.low if c.low is not None else -INF
    hi = c.high if c.high is not None else INF
    return hi - lo


def _display(c: Claim) -> str:
    return c.display or c.text


def _is_update(groups: list[list[Claim]], rules: Rules) -> bool:
    """A growing count reported on later days: later figures never lower."""
    dated = [(c.published, bounds(c, rules)) for g in groups for c in g]
    if any(not d for d, _ in dated):
        return False
    status = groups[0][0].scope.get("status")
    if status not in rules.compare.growing_statuses:
        return False
    days = sorted({d for d, _ in dated})
    if len(days) < 2:
        return False
    per_day = [[b for d, b in dated if d == day] for day in days]
    # Within a day the figures must agree; across days each day's figure >= before.
    for i in range(1, len(per_day)):
        if min(lo for lo, _ in per_day[i]) < max(lo for lo, _ in per_day[i - 1]):
            return False
    return all(len({b for b in day}) == 1 for day in per_day)


def _disagreement(groups: list[list[Claim]]) -> str:
    articles = {c.article for g in groups for c in g}
    if len(articles) == 1:
        return "self"
    attrs = [{(c.attribution or "").lower() for c in g} for g in groups]
    named = [a - {""} for a in attrs]
    if all(named) and all(not (named[i] & named[j]) for i in range(len(named)) for j in range(i + 1, len(named))):
        return "sources"
    if any(named[i] & named[j] for i in range(len(named)) for j in range(i + 1, len(named))):
        return "quoting"
    return "outlets"


def _severity(groups: list[list[Claim]], rules: Rules) -> str:
    mids = []
    for g in groups:
        lo, hi = bounds(g[0], rules)
        mids.append(lo if hi == INF else hi if lo == -INF else (lo + hi) / 2)
    finite = [m for m in mids if m not in (INF, -INF)]
    spread = (max(finite) - min(finite)) / max(abs(max(finite)), 1e-9) if finite else 0
    scopes = {
        tuple(sorted((k, v) for k, v in c.scope.items() if k in ("place", "status_word"))) for g in groups for c in g
    }
    hedged = any(c.qualifier != "=" for g in groups for c in g)
    if spread >= 0.1 and not hedged and len(scopes) <= 1:
        return "high"
    if spread >= 0.05:
        return "medium"
    return "low"


EXPLAIN = {
    "self": "the same article gives {n} different figures for {subject}",
    "sources": "{n} sources give different figures for {subject}",
    "quoting": "outlets disagree about what the same source said about {subject}",
    "outlets": "outlets report {n} different figures for {subject}",
}


def _hint(groups: list[list[Claim]]) -> tuple[str | None, dict[int, str]]:
    """Where most sources agree and one differs: the majority, the outliers,
    and the figure the most-cited authority gave. The minority stays shown."""
    counts = [len({c.article for c in g}) for g in groups]
    best = max(counts)
    roles: dict[int, str] = {}
    parts = []
    if counts.count(best) == 1 and best >= 2:
        for i, k in enumerate(counts):
            roles[i] = "majority" if k == best else "outlier"
        top = groups[counts.index(best)]
        parts.append(f"{best} articles agree on {_display(min(top, key=_precision))}; the others differ")
    cited: dict[str, set[str]] = defaultdict(set)
    said: dict[str, str] = {}
    for g in groups:
        for c in g:
            if c.attribution:
                cited[c.attribution].add(c.article)
                said.setdefault(c.attribution, _display(c))
    if cited:
        who, arts = max(sorted(cited.items()), key=lambda kv: len(kv[1]))
        if len(arts) >= 2:
            parts.append(f"the most-cited source, {who} ({len(arts)} articles), gave {said[who]}")
    return ("; ".join(parts) or None), roles


def spread_sole_owner(pairs: list[tuple[str, Claim]]) -> None:
    """When a story gives a counted noun one nationality, and only one ("two Israeli tank
    shells"), its figures of that noun with no owner ("three shells hit the school") are that
    side's too, and take its subject: a nationality names a side of the story, and the writer
    who leaves it out tells the same story. A noun the story gives two owners ("Russian
    troops", "Ukrainian troops") keeps its bare figures bare, and so does a noun an
    organisation owns ("six WorldCom executives" is one group of executives among those a
    story may count); career records and demonym counts have their own keys."""
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    bare: dict[tuple[str, str], list[Claim]] = defaultdict(list)
    for story, c in pairs:
        counted = c.extra.get("counted")
        if not counted or c.extra.get("record") or c.extra.get("demonym") or not c.unit:
            continue
        owner = c.extra.get("owner")
        if owner:
            if c.subject == f"{owner} {counted}":
                # An organisation's figure keeps the noun from spreading (a nationality is marked).
                owners[(story, counted)].add(owner if c.extra.get("owner_norp") else f"org:{owner}")
        elif c.subject == counted:
            bare[(story, counted)].append(c)
    for key, claims in bare.items():
        if len(owners.get(key, ())) == 1 and not next(iter(owners[key])).startswith("org:"):
            owner = next(iter(owners[key]))
            for c in claims:
                c.subject, c.extra["owner"] = f"{owner} {c.subject}", owner


def mark_named_parts(pairs: list[tuple[str, Claim]]) -> None:
    """A figure for things named by what one of the story's articles gives as a part
    of a count is that part, not the count.

    "Five soldiers were killed, four from friendly fire" makes "friendly fire" a part
    of the soldiers killed; "the four soldiers killed by friendly fire" in another
    article is then that part, and neither meets the total of five.
    """
    parts: set[tuple[str, str | None, str]] = set()
    for story, c in pairs:
        if c.extra.get("part"):
            parts.add((story, c.subject, c.extra["part"]))
    if not parts:
        return
    for story, c in pairs:
        if c.extra.get("agent") and (story, c.subject, c.extra["agent"]) in parts:
            c.extra["partial"] = True


def resolve_demonyms(pairs: list[tuple[str, Claim]]) -> None:
    """ "12 Somalis" counts Somali somethings: when a story counts one kind of
    thing with that owner more than any other ("23 Somali pirates"), the
    demonym count is about those things too, and takes their subject and unit."""
    nouns: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for story, c in pairs:
        owner = c.extra.get("owner")
        if owner and not c.extra.get("demonym") and c.extra.get("counted"):
            nouns[(story, owner)][(c.subject, c.unit or "")] += 1
    for story, c in pairs:
        if c.extra.get("demonym"):
            ranked = nouns.get((story, c.extra.get("owner") or ""), Counter()).most_common(2)
            # The one thing the story counts most with that owner, if it is clear.
            if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
                c.subject, c.unit = ranked[0][0]


def checkable(claim: Claim, rules: Rules) -> bool:
    """Is the quantity claim judged at all (alignment and compare both ask)?"""
    if not claim.extra.get("subject_known") or claim.extra.get("partial"):
        return False  # nothing says what is counted, or it is a part of a count
    if claim.unit in rules.subjects.needs_status and not claim.scope.get("status"):
        return False  # "four people": without what happened to them, any figure fits
    if _vague(claim, rules) or "conversion_of" in claim.extra:
        return False  # a bracketed conversion stands for the amount it converts
    # A price or a rise without a date: no two can be said to be the same day's.
    return _day(claim, rules) is not None


def alignable(claim: Claim, rules: Rules) -> bool:
    """May the claim join a fact? Checkable claims, and figures that only lack a
    specific subject ("85 million euros", "55 wounded in the school"): such a
    figure is judged only when alignment links it to another claim."""
    if checkable(claim, rules):
        return True
    if claim.extra.get("partial") or "conversion_of" in claim.extra:
        return False
    if claim.unit in rules.subjects.needs_status and not claim.scope.get("status"):
        return False
    if _day(claim, rules) is None:
        return False
    return claim.unit is not None or bool(claim.scope.get("status"))


def compare_quantities(df: pd.DataFrame, rules: Rules) -> list[Conflict]:
    """Quantity conflicts in the claim table (all stories).

    Claims meet by their fact (the ``fact`` column alignment fills; its
    ``fact_subject`` is the subject shown), else by their own subject.
    """
    sub = df[df["kind"] == "quantity"]
    keyed: dict[tuple, list[Claim]] = defaultdict(list)
    facts = sub["fact"] if "fact" in sub else [None] * len(sub)
    shown = dict(zip(sub["fact"], sub["fact_subject"])) if "fact" in sub else {}
    sizes = Counter(f for f in facts if f)
    for story, claim, fact in zip(sub["story"], sub["claim"], facts):
        if not checkable(claim, rules) and not (fact and sizes[fact] > 1 and alignable(claim, rules)):
            continue  # a figure without a specific subject counts only when linked to another
        day = _day(claim, rules) or ""
        keyed[(story, fact or claim.subject, _family(claim, rules), _change_key(claim), day)].append(claim)
    conflicts: list[Conflict] = []
    for (story, key, family, change, _on_day), claims in sorted(keyed.items(), key=lambda kv: kv[0]):
        subject = shown.get(key) or key
        if len({(c.article, c.start) for c in claims}) < 2:
            continue
        for part in _split_scope(claims, rules):
            groups = _value_groups(part, rules)
            if len(groups) < 2 or not _disagree_across_articles(groups, rules):
                continue
            # Show the figures that disagree with something; a whole that fits
            # all its parts ("more than 220,000 in the region") is not in dispute.
            disputed = [c for c in part if any(o is not c and not compatible(c, o, rules) for o in part)]
            groups = _value_groups(disputed, rules)
            conflict = _conflict(story, subject, family, change, groups, rules)
            if _is_update(groups, rules):
                # "5 dead on Monday, 24 on Wednesday": the toll grew; news, not a conflict.
                days = sorted({c.published for g in groups for c in g})
                conflict.disagreement, conflict.severity = "update", "info"
                conflict.explanation = f"{subject} grew in later reports ({days[0]} to {days[-1]}): " + ", ".join(
                    v.value for v in conflict.values
                )
                conflict.hint = None
            conflicts.append(conflict)
    return conflicts


def _conflict(story: str, subject: str, family: str, change: str, groups: list[list[Claim]], rules: Rules) -> Conflict:
    groups.sort(key=lambda g: bounds(g[0], rules))
    hint, roles = _hint(groups)
    kind = _disagreement(groups)
    values = []
    for i, g in enumerate(groups):
        best = min(g, key=_precision)
        values.append(
            ValueGroup(
                value=_display(best),
                claims=[_claim_entry(c) for c in sorted(g, key=lambda c: (c.article, c.start))],
                low=best.low,
                high=best.high,
                role=roles.get(i),
            )
        )
    shown = ", ".join(
        f"{v.value}" + (f" ({'; '.join(dict.fromkeys(c['attribution'] or c['source'] for c in v.claims))})")
        for v in values
    )
    what = subject if change == "level" else f"the {change.split(':')[1]} change in {subject}"
    expl = EXPLAIN[kind].format(n=len(values), subject=what) + ": " + shown
    scope_note = {c.scope.get("status_word") or "" for g in groups for c in g} | {
        c.scope.get("place") or "" for g in groups for c in g
    }
    if len(scope_note - {""}) > 1:
        expl += " (scopes differ: " + ", ".join(sorted(scope_note - {""})) + ")"
    key_parts = ["quantity", story, subject, family, change]
    return Conflict(
        id=stable_id(*key_parts),
        kind="quantity",
        subject=subject,
        story=story,
        severity=_severity(groups, rules),
        explanation=expl,
        values=values,
        disagreement=kind,
        hint=hint,
    )


def _claim_entry(c: Claim) -> dict:
    """A claim as it appears under a conflict value (DESIGN.md's shape).

    An undated article's estimated date (checker/resolve/dating.py) is added only
    when there is one, so the entries of dated articles are unchanged.
    """
    estimate = (
        {"published_estimate": c.published_estimate, "published_basis": c.published_basis}
        if c.published_estimate
        else {}
    )
    return {
        "article": c.article,
        "start": c.start,
        "end": c.end,
        "text": c.text,
        "display": c.display or c.text,
        "sentence_start": c.sentence_start,
        "sentence_end": c.sentence_end,
        "source": c.source,
        "published": c.published,
        "attribution": c.attribution,
        "scope": c.scope,
        "qualifier": c.qualifier,
        "low": c.low,
        "high": c.high,
        **estimate,
    }
