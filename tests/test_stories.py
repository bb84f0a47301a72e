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
