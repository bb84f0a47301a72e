"""Stories: unrelated events are never compared."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from checker.models import Article
from checker.pipeline import apply_story_option
from checker.stories import assign_stories, cluster


def fp(*terms: str) -> Counter:
    return Counter({t: 2 for t in terms})


def test_articles_sharing_salient_entities_form_one_story_and_others_stay_apart():
    quake = ["e:manokwari", "e:papua", "n:quake", "n:magnitude", "e:indonesia"]
    pirates = ["e:ins mysore", "e:gulf of aden", "n:pirate", "e:somalia", "n:navy"]
    fps = {
        "q1": fp(*quake), "q2": fp(*quake[:4], "n:tsunami"), "q3": fp(*quake[1:], "n:aftershock"),
        "p1": fp(*pirates), "p2": fp(*pirates[:4], "n:commando"),
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


def test_given_stories_win_and_folder_option():
    arts = [Article(id="s1/a.txt", text="x"), Article(id="s1/b.txt", text="y"), Article(id="c.txt", text="z", story="given")]
    apply_story_option(arts, "folder")
    assert [a.story for a in arts] == ["s1", "s1", "given"]
    out = assign_stories(arts, fingerprints={})
    assert out == {"s1/a.txt": "s1", "s1/b.txt": "s1", "c.txt": "given"}


@pytest.mark.slow
def test_ecbplus_stories_are_found_from_the_text(corpus, nlp, rules):
    from checker.ingest import read_inputs
    from checker.stories import fingerprint

    root = corpus / "ecbplus-dev" / "clusters"
    ing = read_inputs([root], rules.boilerplate)
    fps = {a.id: fingerprint(doc, a) for doc, a in nlp.pipe(((a.text, a) for a in ing.articles), as_tuples=True)}
    found = assign_stories(ing.articles, fingerprints=fps)
    index = json.loads((root / "index.json").read_text(encoding="utf-8"))
    for story in index:
        ids = {f"{story['cluster']}/{f}" for f in story["files"]}
        assert len({found[i] for i in ids}) == 1, story["cluster"]
    assert len(set(found.values())) == len(index)


def exhaustive_cluster(fps: dict[str, Counter], threshold: float = 0.2) -> list[list[str]]:
    """The reference: every pair's cosine, most similar first, average linkage over every pair (O(n^2))."""
    from checker.stories import vectors

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
    from checker import stories

    monkeypatch.setattr(stories, "BLOCKING_DF", 3 + seed)
    fps = synthetic(seed)
    assert cluster(fps) == exhaustive_cluster(fps)


@pytest.mark.parametrize("blocking_df", [2, 5, 100])
def test_candidate_pairs_find_every_pair_above_the_threshold_whatever_the_blocking(blocking_df, monkeypatch):
    import numpy as np

    from checker import stories
    from checker.stories import candidate_pairs, vectors

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
