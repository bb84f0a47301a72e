"""Stories: unrelated events are never compared."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest

from checker.dateparse import parse_published
from checker.models import Article, Dating
from checker.pipeline import apply_story_option
from checker.resolve.stories import assign_stories, cluster


def fp(*terms: str) -> Counter:
    return Counter({t: 2 for t in terms})


def test_articles_sharing_salient_entities_form_one_story_and_others_stay_apart():
    quake = ["e:manokwari", "e:papua", "n:quake", "n:magnitude", "e:indonesia"]
    pirates = ["e:ins mysore", "e:gulf of aden", "n:pirate", "e:somalia", "n:navy"]
    fps = {
        "q1": fp(*quake),
        "q2": fp(*quake[:4], "n:tsunami"),
        "q3": fp(*quake[1:], "n:aftershock"),
        "p1": fp(*pirates),
        "p2": fp(*pirates[:4], "n:commando"),
        "other": fp("e:indonesia", "n:election", "e:jakarta", "n:vote"),
    }
    groups = cluster(fps)
    assert ["q1", "q2", "q3"] in groups and ["p1", "p2"] in groups and ["other"] in groups


def test_a_shared_common_name_does_not_chain_unrelated_stories():
    # Single linkage would chain a-b-c through "blair"; average linkage does not.
    fps = {
        "a": fp("e:blair", "e:iraq", "n:war", "n:troop"),
        "b": fp("e:blair", "e:iraq", "n:war", "e:brown", "n:budget"),
        "c": fp("e:brown", "n:budget", "n:tax", "e:treasury"),
        "d": fp("e:brown", "n:budget", "n:tax", "e:treasury", "n:spending"),
    }
    groups = cluster(fps)
    assert not any({"a", "d"} <= set(g) for g in groups)


def test_dates_far_apart_split_stories():
    same = ["e:kraft", "e:philadelphia", "n:shooting", "e:yvonne hiller"]
    fps = {"x": fp(*same), "y": fp(*same)}
    assert len(cluster(fps, dates={"x": "2010-09-10", "y": "2012-10-20"})) == 2
    assert len(cluster(fps, dates={"x": "2010-09-10", "y": "2010-09-11"})) == 1


def _d(day: date, exact: bool = False, upper: bool = True, refs: tuple[date, ...] = ()) -> Dating:
    o = day.toordinal()
    return Dating(
        day.isoformat(),
        "dateline" if exact else "text",
        o,
        o if upper else None,
        exact,
        [(r.toordinal(), r.toordinal()) for r in refs],
    )


KRAFT = ["e:kraft", "e:philadelphia", "n:shooting", "e:yvonne hiller", "n:plant", "e:northeast philadelphia"]


def test_undated_articles_a_year_apart_by_their_estimates_are_kept_apart_and_same_year_ones_join():
    fps = {"x": fp(*KRAFT), "y": fp(*KRAFT), "z": fp(*KRAFT)}
    # x dated by its dateline; y reports a 2012 event in the past tense (published on or after it).
    apart = {"x": _d(date(2010, 9, 10), exact=True), "y": _d(date(2012, 3, 1), upper=False)}
    assert sorted(cluster(fps, datings=apart)) == [["x", "z"], ["y"]]
    same = {"x": _d(date(2010, 9, 10), exact=True), "y": _d(date(2010, 9, 9), upper=False)}
    assert cluster(fps, datings=same) == [["x", "y", "z"]]
    # Two lower bounds never exclude each other; an article with no estimate is free.
    bounds = {"x": _d(date(2005, 1, 1), upper=False), "y": _d(date(2012, 1, 1), upper=False)}
    assert cluster(fps, datings=bounds) == [["x", "y", "z"]]


def test_a_follow_up_that_dates_the_earlier_event_joins_its_story():
    fps = {"a": fp(*KRAFT), "b": fp(*KRAFT), "later": fp(*KRAFT)}
    shooting = date(2010, 9, 10)
    base = {"a": _d(shooting, exact=True), "b": _d(shooting, exact=True)}
    alone = base | {"later": _d(date(2012, 9, 10), exact=True)}
    assert sorted(cluster(fps, datings=alone)) == [["a", "b"], ["later"]]
    follow_up = base | {"later": _d(date(2012, 9, 10), exact=True, refs=(shooting,))}
    assert cluster(fps, datings=follow_up) == [["a", "b", "later"]]


def test_given_dates_in_outlet_shapes_count():
    fps = {"x": fp(*KRAFT), "y": fp(*KRAFT)}
    assert (
        len(cluster(fps, dates={"x": "Friday, Sep 10, 2010 | Updated 9:28 AM EDT", "y": "September 10, 2012 4:15 PM"}))
        == 2
    )
    assert (
        len(cluster(fps, dates={"x": "Friday, Sep 10, 2010 | Updated 9:28 AM EDT", "y": "09/10/10 08:23 PM ET"})) == 1
    )


def test_given_stories_win_and_folder_option():
    arts = [
        Article(id="s1/a.txt", text="x"),
        Article(id="s1/b.txt", text="y"),
        Article(id="c.txt", text="z", story="given"),
    ]
    apply_story_option(arts, "folder")
    assert [a.story for a in arts] == ["s1", "s1", "given"]
    out = assign_stories(arts, fingerprints={})
    assert out == {"s1/a.txt": "s1", "s1/b.txt": "s1", "c.txt": "given"}


@pytest.mark.slow
def test_ecbplus_stories_are_found_from_the_text(corpus, nlp, rules):
    from checker.ingest import read_inputs
    from checker.resolve.dating import dating_of
    from checker.resolve.stories import fingerprint

    roots = [corpus / "ecbplus-dev" / "clusters", corpus / "ecbplus-train" / "clusters"]
    ing = read_inputs(roots, rules.boilerplate)
    fps, datings = {}, {}
    for doc, a in nlp.pipe(((a.text, a) for a in ing.articles), as_tuples=True):
        fps[a.id], datings[a.id] = fingerprint(doc, a), dating_of(doc, a)
    dev_index = json.loads((roots[0] / "index.json").read_text(encoding="utf-8"))
    both_index = dev_index + json.loads((roots[1] / "index.json").read_text(encoding="utf-8"))

    def ids(story: dict) -> set[str]:
        return {f"{story['cluster']}/{f}" for f in story["files"]}

    # ecbplus-dev alone: every story whole and apart. Kraft's 2012 follow-up (a
    # conviction) is two years after the other reports and stays in their
    # story because it dates the shooting to the day.
    dev = [a for a in ing.articles if a.path.startswith(str(roots[0]))]
    found = assign_stories(dev, fingerprints=fps, datings=datings)
    for story in dev_index:
        assert len({found[i] for i in ids(story)}) == 1, story["cluster"]
    assert len(set(found.values())) == len(dev_index)
    # Both sets: every story whole and apart. The older ECB articles state no
    # year; their other-year twins are told apart by the lead event's weekday
    # or by an entity the later reports tie to the earlier year.
    found = assign_stories(ing.articles, fingerprints=fps, datings=datings)
    for story in both_index:
        assert len({found[i] for i in ids(story)}) == 1, story["cluster"]
    assert len(set(found.values())) == len(both_index)
    # Every dated ECB+ article's dateline gives its metadata's day.
    dated = [a for a in ing.articles if a.published]
    assert len(dated) == 39
    for a in dated:
        assert datings[a.id].basis == "dateline" and datings[a.id].lo == parse_published(a.published).toordinal(), a.id


def test_grouping_score_counts_pairs_splits_and_merges():
    from checker.evaluate_stories import grouping_score

    truth = {"q/1.txt": "q", "q/2.txt": "q", "q/3.txt": "q", "p/1.txt": "p", "p/2.txt": "p"}
    found = {
        "set/q/1.txt": "A",
        "set/q/2.txt": "A",
        "set/q/3.txt": "B",
        "set/p/1.txt": "B",
        "set/p/2.txt": "B",
        "bbc/9.txt": "B",
    }
    score = grouping_score(found, truth)
    # Found pairs: q1-q2, q3-p1, q3-p2, p1-p2 (4); labelled pairs: 3 in q, 1 in p (4); both: q1-q2, p1-p2.
    assert (score.pairs_found, score.pairs_true, score.pairs_both) == (4, 4, 2)
    assert score.split == ["q"] and score.merged == [["p", "q"]] and score.joined == ["p", "q"]


def exhaustive_cluster(fps: dict[str, Counter], threshold: float = 0.2) -> list[list[str]]:
    """The reference: every pair's cosine, most similar first, average linkage over every pair (O(n^2))."""
    from checker.resolve.stories import vectors

    ids, x = vectors(fps)
    sim = (x @ x.T).toarray()
    n = len(ids)
    pairs = sorted((-sim[i, j], i, j) for i in range(n) for j in range(i + 1, n) if sim[i, j] >= threshold)
    group = {i: {i} for i in range(n)}
    for _, i, j in pairs:
        a, b = group[i], group[j]
        if a is b:
            continue
        if sum(sim[p, q] for p in a for q in b) / (len(a) * len(b)) < threshold - 1e-12:
            continue
        a |= b
        for q in b:
            group[q] = a
    unique = {id(g): g for g in group.values()}.values()
    return sorted(sorted(ids[i] for i in g) for g in unique)


def synthetic(seed: int, stories: int = 12, per_story: int = 8) -> dict[str, Counter]:
    """Stories of articles drawing from their own terms, a shared pool of common terms and a few 'celebrities'."""
    import random

    rng = random.Random(seed)
    common = [f"n:common{k}" for k in range(30)]
    famous = [f"e:famous{k}" for k in range(4)]
    fps = {}
    for s in range(stories):
        own = [f"e:s{s}x{k}" for k in range(12)]
        for a in range(rng.randint(1, per_story)):
            terms = rng.sample(own, rng.randint(2, 8)) + rng.sample(common, rng.randint(0, 6))
            if rng.random() < 0.3:
                terms.append(rng.choice(famous))
            fps[f"s{s:02d}a{a:02d}"] = Counter({t: rng.randint(1, 3) for t in terms})
    return fps


@pytest.mark.parametrize("seed", range(8))
def test_candidate_pairs_give_the_exhaustive_groups(seed, monkeypatch):
    from checker.resolve import stories

    monkeypatch.setattr(stories, "BLOCKING_DF", 3 + seed)
    fps = synthetic(seed)
    assert cluster(fps) == exhaustive_cluster(fps)


@pytest.mark.parametrize("blocking_df", [2, 5, 100])
def test_candidate_pairs_find_every_pair_above_the_threshold_whatever_the_blocking(blocking_df, monkeypatch):
    import numpy as np

    from checker.resolve import stories
    from checker.resolve.stories import candidate_pairs, vectors

    monkeypatch.setattr(stories, "BLOCKING_DF", blocking_df)
    monkeypatch.setattr(stories, "BLOCK_WORK", 50)  # many small blocks
    for seed in range(5):
        _, x = vectors(synthetic(seed, stories=20))
        full = np.triu((x @ x.T).toarray(), k=1)
        want = {(int(i), int(j)) for i, j in zip(*np.nonzero(full >= 0.2), strict=True)}
        i, j, s, crowded = candidate_pairs(x, 0.2, neighbours=1000)
        assert set(zip(i.tolist(), j.tolist(), strict=True)) == want
        assert np.allclose(s, full[i, j]) and not crowded.any()


def test_few_neighbours_per_article_still_keep_a_story_of_near_copies_whole():
    # Two wire texts of one story, each copied 20 times: every copy's nearest
    # 5 are copies of its own text, so no kept pair joins the two halves; the
    # closing pass joins them by their average, as the exhaustive method does.
    a = ["e:kraft", "e:philadelphia", "n:shooting", "e:yvonne hiller", "n:plant", "n:worker"]
    b = ["e:kraft", "e:philadelphia", "n:shooting", "e:hiller", "n:gunwoman", "n:police"]
    fps = {f"a{k:02d}": fp(*a) for k in range(20)} | {f"b{k:02d}": fp(*b) for k in range(20)}
    fps |= {f"o{k}": fp("e:other", f"n:thing{k}", "n:vote", "e:jakarta") for k in range(5)}
    expected = exhaustive_cluster(fps)
    assert [g for g in expected if len(g) > 5] == [sorted(fps)[:40]]
    assert cluster(fps, neighbours=5) == expected


FIGHT = ["e:klitschko", "e:wladimir klitschko", "n:heavyweight", "e:ibf", "n:title", "n:round"]


def test_a_persons_stated_ages_years_apart_keep_undated_groups_apart():
    # Undated reports of two fights of one boxer: alike in words, four years apart by his age.
    fps = {
        "a1": fp(*FIGHT, "e:rahman", "a:klitschko:32"),
        "a2": fp(*FIGHT, "e:rahman"),
        "b1": fp(*FIGHT, "e:thompson", "a:klitschko:36"),
        "b2": fp(*FIGHT, "e:thompson", "a:klitschko:36"),
    }
    assert (
        len(cluster({k: Counter({t: c for t, c in v.items() if not t.startswith("a:")}) for k, v in fps.items()})) == 1
    )
    groups = cluster(fps)
    assert not any({"a1", "b1"} <= set(g) for g in groups)
    # A year's difference (a birthday between two reports) is one story.
    near = dict(fps, b1=fp(*FIGHT, "e:thompson", "a:klitschko:33"), b2=fp(*FIGHT, "e:thompson"))
    assert cluster(near) == [["a1", "a2", "b1", "b2"]]
    # A surname at two ages in one text is two people (brothers): it keeps nothing apart.
    brothers = {k: v for k, v in fps.items() if k != "a1"} | {
        "a1": fp(*FIGHT, "e:rahman", "a:klitschko:32", "a:klitschko:37")
    }
    assert len(cluster(brothers)) == 1


def test_ages_are_read_after_a_name_and_before_it(nlp):
    from checker.resolve.stories import fingerprint, person_ages

    text = "The 32-year-old Klitschko beat Hasim Rahman, 36, on Saturday. Tony Thompson (40) watched in Bern, 2008."
    doc = nlp(text)
    assert sorted(person_ages(doc, Article(id="a", text=text))) == [("klitschko", 32), ("rahman", 36), ("thompson", 40)]
    assert fingerprint(doc, Article(id="a", text=text))["a:rahman:36"] == 1


QUAKE = ["e:cobb valley", "e:lakeport", "n:quake", "n:magnitude", "e:geological survey", "n:temblor"]
DATED = {"d1": "2013-03-14", "d2": "2013-03-14", "d3": "2013-03-15"}


def test_undated_articles_agreeing_on_another_weekday_are_another_occurrence():
    # Three dated reports of a Thursday quake, two undated ones of a Sunday quake at the same place.
    fps = {k: fp(*QUAKE, "w:3") for k in DATED} | {"u1": fp(*QUAKE, "w:6"), "u2": fp(*QUAKE, "w:6")}
    assert sorted(cluster(fps, dates=DATED)) == [["d1", "d2", "d3"], ["u1", "u2"]]
    # An undated article with no weekday goes with its nearest article.
    near = fps | {"u3": fp(*QUAKE, "e:cloverdale")} | {"u1": fp(*QUAKE, "w:6", "e:cloverdale")}
    assert sorted(cluster(near, dates=DATED)) == [["d1", "d2", "d3"], ["u1", "u2", "u3"]]


def test_a_single_undated_dissenter_on_the_weekday_stays_in_its_story():
    # One outlet's wrong day is a date conflict to flag, not another occurrence.
    fps = {k: fp(*QUAKE, "w:3") for k in DATED} | {"u1": fp(*QUAKE, "w:6"), "u2": fp(*QUAKE)}
    assert cluster(fps, dates=DATED) == [["d1", "d2", "d3", "u1", "u2"]]
    # Two dated articles are needed to fix the day; undated ones split between days are no camp.
    few = {"d1": fp(*QUAKE, "w:3"), "d2": fp(*QUAKE), "u1": fp(*QUAKE, "w:6"), "u2": fp(*QUAKE, "w:6")}
    assert len(cluster(few, dates=DATED)) == 1
    torn = fps | {"u2": fp(*QUAKE, "w:5")}
    assert len(cluster(torn, dates=DATED)) == 1
    # Coverage over several days: dated reports lead with Thursday and Friday; undated
    # reports of Friday, or of a day the dated ones do not clearly fix, stay.
    days = {"d1": fp(*QUAKE, "w:3"), "d2": fp(*QUAKE, "w:3"), "d3": fp(*QUAKE, "w:4")}
    later = days | {"u1": fp(*QUAKE, "w:4"), "u2": fp(*QUAKE, "w:4")}
    assert len(cluster(later, dates=DATED)) == 1
    other = days | {"u1": fp(*QUAKE, "w:5"), "u2": fp(*QUAKE, "w:5")}
    assert len(cluster(other, dates=DATED)) == 1


HEIST = ["e:paris", "n:jewellery", "n:heist", "n:robber", "e:place vendome", "n:store"]


def test_undated_reports_about_what_dated_ones_tie_to_an_earlier_year_are_that_years_story():
    # The 2013 reports recall "In 2008, ... the Moreau store" (every mention in that sentence).
    fps = {k: fp(*HEIST, "y:moreau:2008") for k in DATED} | {
        "u1": fp(*HEIST, "e:moreau", "m:85000000"),
        "u2": fp(*HEIST, "e:moreau"),
        # No Moreau, but the same loot as u1: the same robbery.
        "u3": fp(*HEIST, "m:85000000"),
    }
    assert sorted(cluster(fps, dates=DATED)) == [["d1", "d2", "d3"], ["u1", "u2", "u3"]]
    # A year no earlier than the dated articles' own binds nothing.
    same_year = {k: fp(*HEIST, "y:moreau:2013") if k in DATED else v for k, v in fps.items()}
    assert len(cluster(same_year, dates=DATED)) == 1
    # A dated article naming Moreau in its own present too: Moreau is of the dated story.
    present = fps | {"d3": fp(*HEIST, "e:moreau")}
    assert len(cluster(present, dates=DATED)) == 1
    # An undated report that itself recalls Moreau in a past year is of the dated story.
    recall = {k: v for k, v in fps.items() if k in DATED} | {"u4": fp(*HEIST, "y:moreau:2008")}
    assert len(cluster(recall, dates=DATED)) == 1


def test_lead_weekday_year_bound_entities_and_money_figures_are_read_from_the_parse(nlp):
    from checker.resolve.stories import lead_weekday, money_figures, year_bound_entities

    def read(text: str):
        doc = nlp(text)
        a = Article(id="a", text=text)
        return lead_weekday(doc, a), year_bound_entities(doc, a), money_figures(doc, a)

    day, _, _ = read("A strong earthquake shook the town of Cobb on Sunday morning. Nobody was hurt.")
    assert day == 6
    # The day of a statement is not the event's; a full date is a dateline, not the lead's weekday.
    day, _, _ = read("Robbers stole jewels from a Paris store, officials said Friday. Police are searching.")
    assert day is None
    day, _, _ = read("Thursday, March 14, 2013\nA quake struck the valley early today. Houses shook.")
    assert day is None
    text = (
        "Four men rammed a car into a jewellery shop in Lyon on Monday and stole watches worth 2 million euros.\n"
        "In December 2008, three men robbed the Moreau jewellery store of gems worth $108 million.\n"
        "Police in Lyon are looking for the car."
    )
    day, bound, money = read(text)
    assert day == 0
    assert ("moreau", 2008) in bound and not any(k == "lyon" for k, _ in bound)
    assert {2_000_000, 108_000_000} <= set(money)


def test_sunday_and_thursday_quakes_at_one_place_are_two_stories_from_the_text(nlp, monkeypatch):
    # Three dated reports of a Thursday quake near Cobb Valley; two undated ones of a
    # Sunday quake there, years earlier; and, alone, one undated outlet that got the day wrong.
    dated = [
        "A magnitude 4.6 earthquake struck Cobb Valley in Lake County on Thursday morning, the Geological Survey said. "
        "Residents of Cobb Valley and Lakeport felt the quake. No damage was reported.",
        "An earthquake shook Cobb Valley near Lakeport on Thursday, waking residents across Lake County. "
        "The Geological Survey put the quake's magnitude at 4.6.",
        "Lake County residents were shaken awake when a 4.6 quake hit Cobb Valley on Thursday. "
        "The Geological Survey said the quake was shallow; Lakeport reported no damage.",
    ]
    sunday = [
        "A magnitude 4.2 earthquake struck Cobb Valley in Lake County on Sunday morning, the Geological Survey said. "
        "Residents of Cobb Valley and Lakeport felt the quake.",
        "An earthquake shook Cobb Valley near Lakeport on Sunday, the Geological Survey said. "
        "The quake's magnitude was 4.2 and Lake County reported no damage.",
    ]
    arts = [Article(id=f"d{k}", text=t, published="2013-03-14") for k, t in enumerate(dated)]
    arts += [Article(id=f"u{k}", text=t) for k, t in enumerate(sunday)]
    docs = {a.id: nlp(a.text) for a in arts}
    found = assign_stories(arts, docs=docs)
    assert len({found[a.id] for a in arts if a.id.startswith("d")}) == 1
    assert len({found[a.id] for a in arts if a.id.startswith("u")}) == 1
    assert found["d0"] != found["u0"]
    # Their words alone make one story: the weekdays split it.
    import checker.resolve.stories as stories

    with monkeypatch.context() as m:
        m.setattr(stories, "CAMP", 99)
        assert len(set(assign_stories(arts, docs=docs).values())) == 1
    # One undated outlet with the wrong day: a date conflict within the story, not a second story.
    lone = [a for a in arts if a.id != "u1"]
    found = assign_stories(lone, docs=docs)
    assert len(set(found.values())) == 1


def test_a_robbery_the_dated_reports_recall_in_an_earlier_year_is_its_own_story_from_the_text(nlp, monkeypatch):
    import checker.resolve.stories as stories

    dated = [
        "Four men rammed a car into a jewellery shop near the Place Vendome in Paris on Monday and fled with watches. "
        "In 2008, robbers emptied the Moreau jewellery store in Paris of its gems.",
        "Thieves smashed a car through the window of a Paris jewellery shop near the Place Vendome on Monday. "
        "In 2008, the Moreau jewellery store in Paris was robbed of its gems.",
    ]
    old = [
        "Armed robbers stole gems worth 85 million euros from the Moreau jewellery store in Paris, police said. "
        "The robbers fled the Moreau store near the Place Vendome.",
        "Robbers disguised as women raided the Moreau jewellery store in Paris and fled with gems worth 85 million euros. "
        "Moreau staff were unhurt.",
    ]
    arts = [Article(id=f"d{k}", text=t, published="2013-09-09") for k, t in enumerate(dated)]
    arts += [Article(id=f"u{k}", text=t) for k, t in enumerate(old)]
    docs = {a.id: nlp(a.text) for a in arts}
    found = assign_stories(arts, docs=docs)
    assert found["d0"] == found["d1"] and found["u0"] == found["u1"] and found["d0"] != found["u0"]
    with monkeypatch.context() as m:
        m.setattr(stories, "year_bound_entities", lambda doc, article: [])
        assert len(set(assign_stories(arts, docs=docs).values())) == 1
