"""Runs built by hand for report, serve and browser tests and the report benchmark.

``synthetic_result`` makes a ``RunResult`` with any number of conflicts (no
spaCy, no pipeline), quotes at real offsets into article texts. ``payload``
puts a string into every field a page shows: article text and titles, outlet
names, attributions, subjects, stories, values, URLs.

``regex_extractor`` is a stand-in for extraction in ``pipeline.run`` (its
``extractor`` hook): "12 boats" becomes a quantity claim about "boats", so a
test drives ingest, compare, the store, decisions and the report in well
under a second.
"""

from __future__ import annotations

import random
import re
from typing import Any

from checker.compare.quantities import _claim_entry  # the shape conflicts.json gives a claim
from checker.models import Article, Claim, Conflict, ValueGroup, stable_id
from checker.pipeline import Extraction, RunResult

OUTLETS = [
    "Reuters",
    "Associated Press",
    "BBC News",
    "Al Jazeera",
    "The Guardian",
    "Le Monde",
    "Kyiv Independent",
    "NHK",
    "Deutsche Welle",
    "El País",
    "CNN",
    "France 24",
]
SUBJECTS = [
    "north korean troops",
    "people killed",
    "boats",
    "homes destroyed",
    "aid trucks",
    "rifles",
    "pirates",
    "workers",
    "tonnes of grain",
    "displaced families",
    "buildings",
    "wounded soldiers",
]
PEOPLE = ["Kyrylo Budanov", "the ministry", "police", "Agus Rianto", "the UN", "a local official", None, None]
KINDS = ["quantity"] * 7 + ["date", "title", "name_spelling"]
SEVERITIES = ["high", "medium", "medium", "low"]


class _Writer:
    """Article texts growing sentence by sentence, with offsets kept."""

    def __init__(self, articles: list[Article]) -> None:
        self.articles = articles
        self.parts = {a.id: [a.text] for a in articles}
        self.size = {a.id: len(a.text) for a in articles}

    def add(self, art: Article, before: str, claim: str, after: str) -> tuple[int, int, int, int]:
        s = self.size[art.id] + 1
        self.parts[art.id].append(" " + before + claim + after)
        self.size[art.id] = s + len(before) + len(claim) + len(after)
        return s + len(before), s + len(before) + len(claim), s, self.size[art.id]

    def finish(self) -> None:
        for a in self.articles:
            a.text = "".join(self.parts[a.id])


def synthetic_result(
    n_conflicts: int = 40, seed: int = 7, payload: str | None = None, n_stories: int | None = None
) -> RunResult:
    """A run with ``n_conflicts`` conflicts over shared articles (3 to 6 quotes each)."""
    rng = random.Random(seed)
    p = payload or ""
    n_stories = n_stories or max(1, min(60, n_conflicts // 12))
    stories = [f"story-{i:03d}{p}" for i in range(n_stories)]
    n_articles = max(6, n_conflicts // 3)
    articles = []
    for i in range(n_articles):
        story = stories[i % n_stories]
        outlet = OUTLETS[(i // n_stories) % len(OUTLETS)] + p
        title = f"Report {i} on {story}{p}"
        articles.append(
            Article(
                id=f"{story.split('-')[1][:3]}/{i:05d}{p}.txt",
                text=title + "\n" + p,
                title=title,
                source=outlet,
                published=f"2024-11-{1 + i % 28:02d}",
                url=("javascript:window.__pwned=5" if p else f"https://news.example/{i}"),
                story=story,
            )
        )
    by_story: dict[str, list[Article]] = {}
    for a in articles:
        by_story.setdefault(a.story or "", []).append(a)
    w = _Writer(articles)
    claims: list[Claim] = []
    conflicts: list[Conflict] = []
    for k in range(n_conflicts):
        story = stories[k % n_stories]
        pool = by_story[story]
        kind = KINDS[k % len(KINDS)]
        subject = SUBJECTS[k % len(SUBJECTS)] + (f" {k // len(SUBJECTS)}" if k >= len(SUBJECTS) else "") + p
        base = rng.choice([12, 40, 150, 800, 2500, 11000, 70000])
        n_values = rng.choice([2, 2, 2, 3, 3, 4])
        groups = []
        for v in range(n_values):
            figure = int(base * (1 + 0.35 * v) + rng.randint(0, 3))
            hedge = rng.choice(["", "", "about ", "more than "])
            if kind == "quantity":
                display = f"{hedge}{figure:,}"
                lo = figure * (0.9 if hedge == "about " else 1.0)
                hi = figure * 1.1 if hedge == "about " else (float("inf") if hedge == "more than " else figure)
            elif kind == "date":
                display, lo, hi = f"November {3 + v}", None, None
            elif kind == "title":
                display, lo, hi = ["minister", "deputy minister", "spokesman", "acting minister"][v], None, None
            else:
                display, lo, hi = ["Jean-Noel Barrot", "Jean-Noël Barot", "Jean Barrot", "J. N. Barrot"][v], None, None
            display += p
            entries = []
            for _ in range(rng.choice([1, 1, 2])):
                art = rng.choice(pool)
                who = rng.choice(PEOPLE)
                who = who + p if who else None
                before = f"{who or 'Officials'} said on Monday that "
                after = f" {subject} were counted near the border{p}." if kind == "quantity" else f" was reported{p}."
                start, end, ss, se = w.add(art, before, display, after)
                c = Claim(
                    article=art.id,
                    start=start,
                    end=end,
                    text=display,
                    sentence_start=ss,
                    sentence_end=se,
                    kind="quantity" if kind == "quantity" else ("name" if kind == "name_spelling" else kind),
                    subject=subject,
                    value=figure,
                    qualifier="~" if hedge == "about " else ">" if hedge else "=",
                    low=lo,
                    high=hi,
                    attribution=who,
                    source=art.source,
                    published=art.published,
                    display=display,
                )
                claims.append(c)
                entries.append(c)
            groups.append(ValueGroup(value=display, claims=[_claim_entry(c) for c in entries], low=lo, high=hi))
        # Claims other extractors found: marked in the article view, in no conflict.
        art = rng.choice(pool)
        s, e, ss, se = w.add(art, "The town has ", "3 hospitals", f" and one school{p}.")
        claims.append(
            Claim(
                article=art.id,
                start=s,
                end=e,
                text="3 hospitals",
                sentence_start=ss,
                sentence_end=se,
                kind="quantity",
                subject="hospitals",
                value=3,
                low=3,
                high=3,
                source=art.source,
            )
        )
        shown = ", ".join(g.value for g in groups)
        conflicts.append(
            Conflict(
                id=stable_id("synthetic", story, subject, str(k)),
                kind=kind,
                subject=subject,
                story=story,
                severity=SEVERITIES[k % len(SEVERITIES)],
                explanation=f"outlets report {n_values} different figures for {subject}: {shown}",
                values=groups,
                disagreement="outlets",
                hint=f"2 articles agree on {groups[0].value}" if k % 3 == 0 else None,
                status=rng.choice(["new", "unchanged", "changed"]),
            )
        )
    w.finish()
    info = {
        "id": 7,
        "version": "test",
        "started": "2024-11-05T22:00:00+00:00",
        "inputs": ["synthetic"],
        "articles": len(articles),
        "claims": len(claims),
        "conflicts": len(conflicts),
        "model": "none",
        "rules_version": "test",
    }
    return RunResult(articles, claims, conflicts, [], {a.id: a.story or "" for a in articles}, info)


NUMBER = re.compile(r"\b(\d[\d,]*)\s+([a-z]+)")


def regex_extractor(articles: list[Article], rules: Any, **_: Any) -> Extraction:
    """Quantity claims for "<number> <noun>" (about the noun), with sentence offsets."""
    out = Extraction()
    for a in articles:
        for m in NUMBER.finditer(a.text):
            ss = max(a.text.rfind(".", 0, m.start()), a.text.rfind("\n", 0, m.start())) + 1
            se = a.text.find(".", m.end())
            se = len(a.text) if se < 0 else se + 1
            n = float(m.group(1).replace(",", ""))
            out.claims.append(
                Claim(
                    article=a.id,
                    start=m.start(),
                    end=m.end(1),
                    text=m.group(1),
                    sentence_start=ss,
                    sentence_end=se,
                    kind="quantity",
                    subject=m.group(2),
                    value=n,
                    low=n,
                    high=n,
                    source=a.source,
                    published=a.published,
                    # What a real extraction records for a specific figure ("the pirates' 12 boats"):
                    # compare leaves out bare counts nothing qualifies.
                    # The counted noun too: alignment reads it, as it reads a real claim's.
                    display=m.group(1),
                    extra={"subject_known": True, "owner": "story", "counted": m.group(2)},
                )
            )
    return out


def synthetic_story(n_articles: int = 30, n_facts: int = 200, seed: int = 5, conflict_share: float = 0.15) -> RunResult:
    """One story told by ``n_articles`` outlets about ``n_facts`` things (the story table's benchmark size).

    Each fact is reported by a random 30-70% of the outlets; ``conflict_share``
    of them get a second figure from a few outlets, and a conflict quoting both.
    """
    rng = random.Random(seed)
    kinds = ["quantity"] * 5 + ["date", "location", "title", "name"]
    articles = [
        Article(
            id=f"story/{i:03d}.txt",
            text=f"Report {i}\n",
            title=f"Report {i} on the storm",
            source=f"{OUTLETS[i % len(OUTLETS)]} {i // len(OUTLETS) or ''}".strip(),
            published=f"2024-11-{1 + i % 9:02d}",
            url=f"https://news.example/{i}",
            story="storm",
        )
        for i in range(n_articles)
    ]
    w = _Writer(articles)
    claims: list[Claim] = []
    conflicts: list[Conflict] = []
    for f in range(n_facts):
        kind = kinds[f % len(kinds)]
        subject = f"{SUBJECTS[f % len(SUBJECTS)]} {f}"
        tellers = rng.sample(articles, max(2, int(n_articles * rng.uniform(0.3, 0.7))))
        base = rng.choice([12, 40, 150, 800, 2500, 11000])
        odd = set(a.id for a in tellers[: rng.choice([1, 2, 3])]) if rng.random() < conflict_share else set()
        groups: dict[str, list[Claim]] = {}
        for art in tellers:
            n = base * 2 if art.id in odd else base
            shown = {
                "quantity": f"about {n:,}" if rng.random() < 0.3 else f"{n:,}",
                "date": f"November {n % 28 + 1}",
                "location": f"Town {n}",
                "title": f"minister {n}",
                "name": f"Name {n}",
            }[kind]
            who = rng.choice(PEOPLE)
            start, end, ss, se = w.add(art, f"{who or 'Officials'} said ", shown, f" about {subject}.")
            c = Claim(
                article=art.id,
                start=start,
                end=end,
                text=shown,
                sentence_start=ss,
                sentence_end=se,
                kind=kind,
                subject=subject,
                value=n,
                low=n,
                high=n,
                attribution=who,
                source=art.source,
                published=art.published,
                display=shown,
            )
            claims.append(c)
            groups.setdefault(str(n), []).append(c)
        if len(groups) > 1:
            ranked = sorted(groups.items(), key=lambda kv: -len(kv[1]))
            values = [
                ValueGroup(
                    value=v,
                    claims=[_claim_entry(c) for c in cs],
                    low=float(v),
                    high=float(v),
                    role="majority" if i == 0 else "outlier",
                )
                for i, (v, cs) in enumerate(ranked)
            ]
            conflicts.append(
                Conflict(
                    id=stable_id("story", subject),
                    kind="name_spelling" if kind == "name" else kind,
                    subject=subject,
                    story="storm",
                    severity="medium",
                    explanation=f"outlets report different figures for {subject}",
                    values=values,
                    hint=f"{len(values[0].claims)} articles agree on {values[0].value}",
                )
            )
    w.finish()
    info = {
        "id": 3,
        "version": "test",
        "started": "2024-11-09T22:00:00+00:00",
        "inputs": ["synthetic"],
        "articles": len(articles),
        "claims": len(claims),
        "conflicts": len(conflicts),
        "model": "none",
        "rules_version": "test",
    }
    return RunResult(articles, claims, conflicts, [], {a.id: "storm" for a in articles}, info)
