"""Link person mentions to people, within each story.

"Barrot" and "Jean-Noel Barrot" are one person; so are "Phil Schiller" and
"Philip Schiller" (a nickname), "Betty Page" and "Bettie Page" (one surname,
first names close enough to be one name misspelled), "Hugh Heffner" and
"Hugh Hefner" (surnames that close, used by different articles, never side
by side), and "Herbert Hoover" and "J. Edgar Hoover" when both are called
the FBI's director (one holder at a time). "Nick Jones" and "Rob Jones" stay
two people: their given names differ and nothing says they are one.

A one-word mention joins the person of that surname named in the same
article, else in the story; failing that, the person in the same article
whose surname it nearly spells ("Sybiha" beside "Andrii Syhiha").

Every claim that points at a person (names, titles, the participants of
dates and places) is re-keyed to the person's canonical name, lowercased:
the most common full spelling in the story.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from checker.names import Name, NameJudge, fold, split_name
from checker.unionfind import UnionFind

if TYPE_CHECKING:
    from checker.models import Claim
    from checker.rules import Rules


def _offices(titles: list[Claim]) -> set[tuple[str, str]]:
    """(office, body) pairs a person is given, present offices only."""
    out: set[tuple[str, str]] = set()
    for t in titles:
        if t.extra.get("former") or t.extra.get("transition"):
            continue
        for name, cat in t.extra.get("offices", []):
            if cat == "office":
                for org in t.extra.get("orgs") or [""]:
                    out.add((name, org))
    return out


def _share_office(a: set[tuple[str, str]], b: set[tuple[str, str]]) -> bool:
    """Both are given one office in one body (or a body only one of them names)."""
    for office, org in a:
        for office2, org2 in b:
            if office == office2 and (org == org2 or not org or not org2):
                return True
    return False


def _surname_pairs(lasts: list[str], judge: NameJudge) -> set[tuple[str, str]]:
    """Surname pairs worth comparing: equal, similar, or sharing a word.

    Computed with rapidfuzz's vectorised ``cdist`` and word blocking, so a
    night's thousands of names are not compared pair by pair in Python.
    """
    import numpy as np
    from rapidfuzz import process
    from rapidfuzz.distance import Indel

    pairs: set[tuple[str, str]] = {(x, x) for x in lasts}
    if len(lasts) > 1:
        scores = process.cdist(
            lasts, lasts, scorer=Indel.normalized_similarity, score_cutoff=judge.threshold - 1e-6, workers=1
        )
        for i, j in zip(*np.nonzero(scores)):
            if i < j:
                pairs.add((lasts[i], lasts[j]))
    by_word: dict[str, list[str]] = defaultdict(list)
    for x in lasts:
        for w in {*x.split(), x.rstrip("s"), x.replace("mac", "mc", 1), str(judge.translit.get(x, ""))} - {""}:
            by_word[w].append(x)
    for group in by_word.values():
        for i, x in enumerate(group):
            for y in group[i + 1 :]:
                pairs.add((min(x, y), max(x, y)))
    return pairs


def cluster_names(
    names: list[Name],
    articles: list[str],
    offices: list[set[tuple[str, str]]],
    judge: NameJudge,
    kin: list[bool] | None = None,
) -> list[int]:
    """A cluster id per full name (given names and surname) of one story.

    ``kin`` marks names introduced as someone's relative ("his son, Mark
    Smith"): where an article names both, given names that are merely alike
    do not make them one person (a victim and his son share a surname).
    """
    kin = kin or [False] * len(names)
    n = len(names)
    uf = UnionFind(n)
    # Which articles use each spelling, for the side-by-side test.
    by_spelling: dict[tuple, set[str]] = defaultdict(set)
    by_last: dict[str, list[int]] = defaultdict(list)
    for i, (nm, art) in enumerate(zip(names, articles)):
        by_spelling[(nm.given, nm.last)].add(art)
        by_last[nm.last].append(i)
    for la, lb in sorted(_surname_pairs(sorted(by_last), judge)):
        for i in by_last[la]:
            for j in by_last[lb]:
                if (la == lb and j <= i) or uf.find(i) == uf.find(j):
                    continue
                _maybe_union(i, j, names, offices, by_spelling, judge, uf, kin[i] or kin[j])
    return [uf.find(i) for i in range(n)]


def _maybe_union(
    i: int,
    j: int,
    names: list[Name],
    offices: list,
    by_spelling: dict,
    judge: NameJudge,
    uf: UnionFind,
    kin: bool = False,
) -> None:
    a, b = names[i], names[j]
    if judge.same_word(a.last, b.last):
        # Alike given names are one name misspelled, unless one is introduced as a
        # relative and an article names both: then they are two people of one family.
        apart = not (by_spelling[(a.given, a.last)] & by_spelling[(b.given, b.last)])
        alike = judge.given_similar(a.given, b.given) and (not kin or apart)
        if judge.given_compatible(a.given, b.given) or alike or _share_office(offices[i], offices[j]):
            uf.union(i, j)
    elif judge.similar(a.last, b.last) and judge.given_compatible(a.given, b.given) and a.given and b.given:
        # Same given name, surname nearly the same: one person only if no
        # article writes both side by side, or both hold one office.
        apart = not (by_spelling[(a.given, a.last)] & by_spelling[(b.given, b.last)])
        if apart or _share_office(offices[i], offices[j]):
            uf.union(i, j)


def link_people(claims: list[Claim], stories: dict[str, str], rules: Rules) -> list[Claim]:
    """Claims with person subjects re-keyed to one canonical name per person per story.

    Candidate mentions (name-shaped words the model did not tag as people)
    are kept only when they match a person of the story; the rest, and the
    titles given to them, are dropped.
    """
    judge = NameJudge(rules)
    names = [c for c in claims if c.kind == "name"]
    titles_at: dict[tuple[str, int, int], list[Claim]] = defaultdict(list)
    for c in claims:
        if c.kind == "title":
            titles_at[(c.article, c.extra.get("person_start", -1), c.extra.get("person_end", -1))].append(c)
    by_story: dict[str, list[Claim]] = defaultdict(list)
    for c in names:
        by_story[stories.get(c.article, "")].append(c)
    key_at: dict[tuple[str, int, int], str] = {}
    for members in by_story.values():
        for c, key in _link_story(members, titles_at, judge, rules):
            key_at[(c.article, c.start, c.end)] = key
    by_surname = _keys_by_surname(key_at, stories)
    spans_in: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for (a, s, e), key in key_at.items():
        spans_in[a].append((s, e, key))
    out: list[Claim] = []
    for c in claims:
        if c.kind == "name":
            key = key_at.get((c.article, c.start, c.end))
            if key is None:
                continue
            c.subject = key
        elif c.kind == "title":
            key = key_at.get((c.article, c.extra.get("person_start", -1), c.extra.get("person_end", -1)))
            if key is None:
                if c.extra.get("candidate"):
                    continue
            else:
                c.subject = key
        elif c.extra.get("event"):
            _rekey_event(c, key_at, by_surname.get(stories.get(c.article, ""), {}))
        elif c.kind == "quantity" and c.extra.get("record"):
            _rekey_record(c, spans_in.get(c.article, []))
        out.append(c)
    return out


def _rekey_record(c: Claim, spans: list[tuple[int, int, str]]) -> None:
    """A career record ("Bowe (45-1)") is keyed by its owner's person key, so that "Bowe" and
    "Riddick Bowe" give one person's wins. The owner's span may carry a possessive the name
    claim leaves out: any name claim inside it counts."""
    s, e = c.extra.get("person_start", -1), c.extra.get("person_end", -1)
    key = next((k for s2, e2, k in spans if s <= s2 and e2 <= e), None)
    if key:
        what = (c.subject or "").rsplit(" ", 1)[-1]
        c.subject, c.extra["owner"] = f"{key} {what}", key


def _link_story(members: list[Claim], titles_at: dict, judge: NameJudge, rules: Rules) -> list[tuple[Claim, str]]:
    """Person key for each name claim of one story (dropped candidates get none)."""
    parsed = {id(c): split_name(c.value, rules) for c in members}
    sure = [c for c in members if not c.extra.get("candidate")]
    full = [c for c in sure if parsed[id(c)].full]
    # Cluster distinct full spellings (with the offices their mentions carry).
    distinct: dict[tuple, int] = {}
    dnames: list[Name] = []
    darts: list[str] = []
    doffices: list[set] = []
    dkin: list[bool] = []
    mention_node: dict[int, int] = {}
    for c in full:
        nm = parsed[id(c)]
        k = (nm.given, nm.last, c.article)
        if k not in distinct:
            distinct[k] = len(dnames)
            dnames.append(nm)
            darts.append(c.article)
            doffices.append(set())
            dkin.append(False)
        node = distinct[k]
        mention_node[id(c)] = node
        doffices[node] |= _offices(titles_at.get((c.article, c.start, c.end), []))
        dkin[node] = dkin[node] or bool(c.extra.get("kin"))
    roots = cluster_names(dnames, darts, doffices, judge, dkin)
    cluster_of: dict[int, int] = {id(c): roots[mention_node[id(c)]] for c in full}
    # Full-name candidates join a person they match; others are dropped.
    spelled_in: dict[tuple, set[str]] = defaultdict(set)
    for nm, art in zip(dnames, darts):
        spelled_in[(nm.given, nm.last)].add(art)
    cand_full = [c for c in members if c.extra.get("candidate") and parsed[id(c)].full]
    cand_arts: dict[tuple, set[str]] = defaultdict(set)
    for c in cand_full:
        nm = parsed[id(c)]
        cand_arts[(nm.given, nm.last)].add(c.article)
    known_given: dict[tuple, int] = {}
    for c in cand_full:
        nm = parsed[id(c)]
        found = _match_full(nm, cand_arts[(nm.given, nm.last)], dnames, roots, spelled_in, judge)
        if found is None and judge.known_given(nm.given[0]):
            # A name-shaped mention the model missed whose first word is a known given
            # name ("Kathryn Gomes" tagged as a building): a person of its own.
            found = known_given.setdefault((nm.given, nm.last), -1 - len(known_given))
        if found is not None:
            cluster_of[id(c)] = found
            full.append(c)
    # One-word mentions: same article by surname, then story, then near spelling.
    art_last: dict[tuple[str, str], Counter] = defaultdict(Counter)
    story_last: dict[str, Counter] = defaultdict(Counter)
    for c in full:
        nm = parsed[id(c)]
        art_last[(c.article, nm.last)][cluster_of[id(c)]] += 1
        story_last[nm.last][cluster_of[id(c)]] += 1
    in_article: dict[str, list[tuple[str, Counter]]] = defaultdict(list)
    for (art, ln), ctr in art_last.items():
        in_article[art].append((ln, ctr))
    next_id = len(dnames)
    own: dict[str, int] = {}
    for c in members:
        nm = parsed[id(c)]
        if nm.full or not nm.last:
            continue
        last = nm.last
        found = _best(art_last.get((c.article, last))) or _best(story_last.get(last))
        if found is None:
            found = next((_best(ctr) for ln, ctr in in_article[c.article] if judge.same_word(last, ln)), None)
        if found is None:
            # A near spelling of a surname in the same article. Words the model
            # did not tag as people must be one letter off and not follow a
            # determiner ("the Scot" is no misspelt Scott).
            cand = c.extra.get("candidate")
            near = {
                cl
                for ln, ctr in in_article[c.article]
                if judge.similar(last, ln) and not c.extra.get("det") and (not cand or judge.one_edit(last, ln))
                for cl in ctr
            }
            if len(near) == 1:
                found = next(iter(near))
        if found is None:
            if c.extra.get("candidate"):
                continue
            if last not in own:
                own[last] = next_id
                next_id += 1
            found = own[last]
        cluster_of[id(c)] = found
    # The key: the most common full spelling in the cluster (longest on ties).
    spellings: dict[int, Counter] = defaultdict(Counter)
    for c in members:
        if id(c) in cluster_of:
            nm = parsed[id(c)]
            spellings[cluster_of[id(c)]][nm.written if nm.full else nm.last_written] += 1000 if nm.full else 1
    keys = {cl: fold(max(ctr.items(), key=lambda kv: (kv[1], len(kv[0]), kv[0]))[0]) for cl, ctr in spellings.items()}
    return [(c, keys[cluster_of[id(c)]]) for c in members if id(c) in cluster_of]


def _match_full(
    nm: Name, arts: set[str], dnames: list[Name], roots: list[int], spelled_in: dict, judge: NameJudge
) -> int | None:
    """The person a candidate full name names: exact surname first, then near spelling."""
    best: tuple[int, int] | None = None
    for i, other in enumerate(dnames):
        if judge.same_word(nm.last, other.last):
            if judge.given_compatible(nm.given, other.given):
                return roots[i]
            if judge.given_similar(nm.given, other.given):
                best = best or (1, roots[i])
        elif judge.similar(nm.last, other.last) and judge.given_compatible(nm.given, other.given):
            if not (arts & spelled_in[(other.given, other.last)]):
                best = best or (2, roots[i])
    return best[1] if best else None


def _best(counter: Counter | None) -> int | None:
    """The person most often named with this surname (None when there is none)."""
    if not counter:
        return None
    return counter.most_common(1)[0][0]


def _keys_by_surname(
    key_at: dict[tuple[str, int, int], str], stories: dict[str, str]
) -> dict[str, dict[str, set[str]]]:
    """Story -> last word of a person key -> the story's person keys ending in it."""
    out: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for (article, _, _), key in key_at.items():
        out[stories.get(article, "")][key.rsplit(" ", 1)[-1]].add(key)
    return out


def _rekey_event(
    c: Claim, key_at: dict[tuple[str, int, int], str], by_surname: dict[str, set[str]] | None = None
) -> None:
    """Date and place claims: name the event's people by their person keys.

    A participant read from a mention the linker saw takes that mention's
    key. One read from a bare word (a surname the model did not tag as a
    person, "Thompson", or the name an "it" stood for) takes the person of
    the story with that surname when there is exactly one, so "thompson" and
    "tony thompson" are one participant for compare.
    """
    from checker.extract.events import event_subject

    ev = c.extra["event"]
    spans = ev.get("arg_spans") or []
    args = list(ev.get("args") or [])
    named = ev.get("named") or []
    changed = False
    for i, arg in enumerate(args):
        span = spans[i] if i < len(spans) else None
        if span:
            key = key_at.get((c.article, span[0], span[1]))
        elif by_surname and i < len(named) and named[i] and " " not in arg:
            keys = by_surname.get(arg, set())
            key = next(iter(keys)) if len(keys) == 1 else None
        else:
            key = None
        if key and key != args[i]:
            args[i] = key
            changed = True
    if changed:
        ev["args"] = args
        c.subject = event_subject(ev["verb"], args)
