"""Event relations learned from coreference chains (checker/resolve/event_relations.py)."""

from __future__ import annotations

import json

from checker.models import Article, Claim
from checker.resolve.align import AlignModel, KindModel, align, parse_model
from checker.resolve.event_relations import Head, Relations, identity_scores, learn, mention_heads
from checker.resolve.training import Labelled, fit

# Three stories, written for these tests. "seize" and "grab" name one event in
# two stories (kept); "storm" and "raid" in one only (below the support).
TEXTS = {
    "a/a1.txt": "Police seized the smuggler at the port on Monday.",
    "a/a2.txt": "Officers grabbed the smuggler at the port on Monday.",
    "b/b1.txt": "Guards seized the thief in the market.",
    "b/b2.txt": "The thief was grabbed by guards in the market.",
    "c/c1.txt": "Troops stormed the compound at dawn.",
    "c/c2.txt": "A raid on the compound began at dawn.",
}


def _mention(article: str, word: str, chain: str) -> dict:
    story, name = article.split("/")
    start = TEXTS[article].index(word)
    return {
        "cluster": story,
        "file": name,
        "start": start,
        "end": start + len(word),
        "text": word,
        "type": "ACTION_OCCURRENCE",
        "chain": chain,
    }


MENTIONS = [
    _mention("a/a1.txt", "seized", "A1"),
    _mention("a/a2.txt", "grabbed", "A1"),
    _mention("b/b1.txt", "seized", "B1"),
    _mention("b/b2.txt", "grabbed", "B1"),
    _mention("c/c1.txt", "stormed", "C1"),
    _mention("c/c2.txt", "raid", "C1"),
    # A light verb heads no event of its own.
    _mention("c/c2.txt", "began", "C1"),
]


def test_heads_are_lemmas_of_the_mentions(rules, nlp):
    heads = mention_heads(MENTIONS, TEXTS, lambda f, c: f"{c}/{f}", rules, nlp)
    assert {(h.article, h.lemma) for h in heads} == {
        ("a/a1.txt", "seize"),
        ("a/a2.txt", "grab"),
        ("b/b1.txt", "seize"),
        ("b/b2.txt", "grab"),
        ("c/c1.txt", "storm"),
        ("c/c2.txt", "raid"),
    }


def _heads() -> list[Head]:
    return [
        Head("a", "a/a1.txt", "A1", "seize"),
        Head("a", "a/a2.txt", "A1", "grab"),
        Head("b", "b/b1.txt", "B1", "seize"),
        Head("b", "b/b2.txt", "B1", "grab"),
        Head("c", "c/c1.txt", "C1", "storm"),
        Head("c", "c/c2.txt", "C1", "raid"),
    ]


def test_a_pair_seen_in_two_stories_is_learned_one_story_is_not():
    got = learn(_heads(), min_stories=2)
    assert got == [["grab", "seize", 2, 0]]
    # Seen apart (in different chains) in as many stories as together: not one event.
    apart = _heads() + [Head("d", "d/1.txt", "D1", "seize"), Head("d", "d/2.txt", "D2", "grab")]
    apart += [Head("e", "e/1.txt", "E1", "seize"), Head("e", "e/2.txt", "E2", "grab")]
    assert learn(apart, min_stories=2) == []


def test_relations_map_through_the_rules_classes(rules):
    rel = Relations([["grab", "seize", 2, 0]], rules)
    # rules/events.yaml puts seize (and arrest, nab) in "capture"; grab in "steal".
    assert rules.lookups["event"]["seize"] == "capture"
    assert rel.related("capture", rules.lookups["event"].get("grab", "grab"))
    assert not rel.related("capture", "capture") and not rel.related("capture", "storm")


def test_identity_scores_count_held_out_pairs(rules):
    heads = _heads() + [Head("a", "a/a2.txt", "A2", "storm")]
    base = identity_scores(heads, {"a"}, rules, Relations())
    learned = identity_scores(heads, {"a"}, rules, Relations(learn(_heads(), {"b"}, min_stories=1), rules))
    # seize/grab (one chain) and seize/storm (two chains), across articles of story a.
    assert (base.same_chain, base.found, base.judged) == (1, 0, 0)
    assert (learned.found, learned.judged, learned.correct) == (1, 1, 1)


def _quantity(article: str, verb: str) -> Claim:
    text = "x " * 40
    return Claim(
        article=article,
        start=0,
        end=2,
        text="12",
        sentence_start=0,
        sentence_end=len(text),
        kind="quantity",
        subject=f"{verb} haul",
        value=12.0 if article.endswith("1.txt") else 15.0,
        unit="km",
        low=11.5,
        high=12.5,
        source=article,
        extra={"owner": None, "counted": None, "subject_known": False, "partial": False, "verb": verb},
    )


def test_alignment_uses_a_learned_relation(rules):
    claims = [_quantity("a/a1.txt", "capture"), _quantity("a/a2.txt", "steal")]
    stories = {"a/a1.txt": "a", "a/a2.txt": "a"}
    texts = {c.article: "x " * 40 for c in claims}
    km = KindModel(["related_event"], [6.0], -3.0, 0.5)
    plain = AlignModel(version="t", kinds={"quantity": km})
    learned = AlignModel(version="t", kinds={"quantity": km}, event_relations=[["grab", "seize", 2, 0]])
    facts = align(claims, stories, texts, rules, plain)
    assert facts.of(claims[0]) != facts.of(claims[1])
    facts = align(claims, stories, texts, rules, learned)
    assert facts.of(claims[0]) == facts.of(claims[1])


def test_model_file_keeps_the_relations_and_its_version_covers_them():
    from checker.resolve.training import PairSet

    pairs = PairSet()
    for i in range(40):
        same = i % 4 == 0
        pairs.add("quantity", {"sentence_words": 0.8 if same else 0.1, "related_event": float(same)}, int(same), "x")
    plain = fit(pairs, kinds_wanted=("quantity",))
    model = fit(pairs, kinds_wanted=("quantity",), relations=[["grab", "seize", 2, 0]])
    assert model.version != plain.version and "event_relations" not in plain.to_dict()
    back = parse_model(json.loads(json.dumps(model.to_dict())), "mem")
    assert back.event_relations == [["grab", "seize", 2, 0]] and back.version == model.version


def test_fold_models_hold_only_their_training_stories_relations(rules, monkeypatch):
    import checker.resolve.training as training
    from checker.evaluate import evaluate_folds

    arts = [Article(id=a, text=t) for a, t in TEXTS.items()]
    lab = Labelled(articles=arts, claims=[], stories={a: a.split("/")[0] for a in TEXTS}, texts=dict(TEXTS))
    lab.story_of = {a.split("/")[1]: a.split("/")[0] for a in TEXTS}
    # seize/grab in one chain in stories a and b; storm/raid in b and c.
    lab._heads = _heads() + [Head("b", "b/b1.txt", "B2", "storm"), Head("b", "b/b2.txt", "B2", "raid")]
    models: list[AlignModel] = []
    real_fit = training.fit

    def spy(*args, **kw):
        models.append(real_fit(*args, **kw))
        return models[-1]

    monkeypatch.setattr(training, "fit", spy)
    res = evaluate_folds(lab, rules, 3, in_sample=False)
    held_out = [f[0] for f in res.clusters]
    got = {h: [r[:2] for r in m.event_relations] for h, m in zip(held_out, models)}
    # A fold's model learns only what its two training stories both show: a
    # relation whose second story is held out is not in it.
    assert got == {"a": [["raid", "storm"]], "b": [], "c": [["grab", "seize"]]}
