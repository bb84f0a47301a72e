"""Alignment: which claims of a story state the same fact (checker/resolve/align.py, checker/resolve/training.py)."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from checker.cli import app
from checker.errors import RuleError
from checker.evaluate import evaluate_folds
from checker.models import Article, Claim
from checker.pipeline import judge
from checker.resolve.align import (
    FEATURES,
    AlignModel,
    KindModel,
    align,
    load_model,
    parse_model,
    story_context,
    story_pairs,
    veto,
)
from checker.resolve.training import KIND_FEATURES, Labelled, PairSet, best_threshold, fit, labelled_pairs
from checker.rules import DEFAULT_RULES_DIR, load_rules

TEXTS = {
    "s/a.txt": "The gang stole jewels from the Winston store in Paris, worth 85 km of pipeline.",
    "s/b.txt": "Robbers in drag took 80 km of Winston jewels from the Paris store on Monday.",
    "s/c.txt": "Elsewhere, 3 km of road were closed for the marathon.",
}


def _claim(
    article: str,
    value: float,
    subject: str,
    unit: str | None = "km",
    status: str | None = None,
    counted: str | None = None,
) -> Claim:
    text = TEXTS.get(article, "x " * 40)
    start = text.find(str(int(value)))
    start = max(start, 0)
    end = start + len(str(int(value)))
    scope = {"status": status} if status else {}
    return Claim(
        article=article,
        start=start,
        end=end,
        text=text[start:end],
        sentence_start=0,
        sentence_end=len(text),
        kind="quantity",
        subject=subject,
        value=value,
        unit=unit,
        low=value - 0.5,
        high=value + 0.5,
        scope=scope,
        source=article,
        extra={"owner": None, "counted": counted, "subject_known": False, "partial": False},
    )


def _model(threshold: float = 0.5, **coef: float) -> AlignModel:
    names = sorted(coef)
    return AlignModel(version="test", kinds={"quantity": KindModel(names, [coef[n] for n in names], -3.0, threshold)})


def test_vetoes_only_certain_pairs(rules):
    killed = _claim("s/a.txt", 40, "people", unit="people", status="killed", counted="people")
    injured = _claim("s/b.txt", 55, "people", unit="people", status="injured", counted="people")
    money = _claim("s/b.txt", 80, "worth", unit="USD")
    assert veto(killed, injured, rules), "killed and injured counts never state one fact"
    assert veto(_claim("s/a.txt", 85, "worth"), money, rules), "kilometres and dollars never state one fact"
    assert not veto(_claim("s/a.txt", 85, "worth"), _claim("s/b.txt", 80, "robber"), rules)
    # A running total and one occasion's figure are kept apart by compare's scope split, not
    # vetoed: alignment learns from such pairs that they are different facts.
    raid = _claim("s/a.txt", 6, "rifles", unit="rifle", status="captured", counted="rifles")
    total = _claim("s/b.txt", 14, "rifles", unit="rifle", status="captured", counted="rifles")
    total.scope["cumulative"] = "so far"
    assert not veto(raid, total, rules)


def test_linked_claims_with_different_keys_become_one_fact_and_conflict(rules):
    claims = [_claim("s/a.txt", 85, "worth"), _claim("s/b.txt", 80, "robber"), _claim("s/c.txt", 3, "road")]
    stories = {a: "s" for a in TEXTS}
    model = _model(sentence_words=8.0, shared_names=4.0)
    facts = align(claims, stories, TEXTS, rules, model)
    assert facts.of(claims[0]) == facts.of(claims[1]) != facts.of(claims[2])
    conflicts = judge(claims, stories, TEXTS, rules, model)
    assert len(conflicts) == 1
    (c,) = conflicts
    assert {v.value for v in c.values} == {"85", "80"}
    assert "[linked by: " in c.explanation and "shared words in the sentences" in c.explanation
    # Without a model, each claim keeps its own subject key: two vague figures never meet.
    assert judge(claims, stories, TEXTS, rules, None) == []


def test_threshold_keeps_weak_links_apart(rules):
    claims = [_claim("s/a.txt", 85, "worth"), _claim("s/b.txt", 80, "robber")]
    stories = {a: "s" for a in TEXTS}
    facts = align(claims, stories, TEXTS, rules, _model(threshold=0.99, sentence_words=2.0))
    assert facts.of(claims[0]) != facts.of(claims[1])


def test_contributions_are_against_the_average_pair():
    km = KindModel(["same_unit", "sentence_words"], [2.0, 3.0], -1.0, 0.5, means=[1.0, 0.1])
    parts = dict(km.contributions({"same_unit": 1.0, "sentence_words": 0.5}))
    assert "same_unit" not in parts, "a feature every pair has explains nothing"
    assert parts["sentence_words"] == pytest.approx(1.2)


def test_model_file_round_trip_override_and_errors(tmp_path):
    model = _model(sentence_words=1.5)
    model.save(tmp_path / "m.json")
    back = parse_model(json.loads((tmp_path / "m.json").read_text()), "m.json")
    assert back.kinds["quantity"].coef == [1.5] and back.version == "test"
    rules_dir = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules_dir, ignore=shutil.ignore_patterns("alignment.json"))
    packaged = load_rules(rules_dir)
    model.save(rules_dir / "alignment.json")
    team = load_rules(rules_dir)
    assert team.alignment.path == str(rules_dir / "alignment.json")
    assert team.version != packaged.version, "the model joins the rules version (and so the per-story cache key)"
    (rules_dir / "alignment.json").write_text('{"kinds": {"quantity": {"features": ["nope"]}}}')
    with pytest.raises(RuleError) as err:
        load_model(rules_dir)
    assert err.value.code == "E105" and "alignment.json" in str(err.value)


def test_packaged_model_is_valid():
    model = load_model(None)
    assert model is not None and model.kinds
    for kind, km in model.kinds.items():
        # A model fitted before a feature was added still scores with the features it knows
        # (refit to use the new ones); it never names a feature training does not compute.
        assert set(km.features) <= set(FEATURES) and set(km.features) <= set(KIND_FEATURES[kind])
        assert 0 < km.threshold < 1


def test_packaged_model_uses_every_feature():
    # Old team files may lack a feature (above), but the shipped file is refit whenever
    # one is added (`checker train`): a feature missing here was never weighted.
    model = load_model(None)
    for kind, km in model.kinds.items():
        assert set(km.features) == set(KIND_FEATURES[kind]), kind


def test_fit_chooses_threshold_on_data():
    import numpy as np

    pairs = PairSet()
    for i in range(40):
        same = i % 4 == 0
        pairs.add("quantity", {"sentence_words": 0.8 if same else 0.1, "same_unit": 1.0}, int(same), "labels")
    model = fit(pairs, kinds_wanted=("quantity",))
    km = model.kinds["quantity"]
    assert (
        km.score({"sentence_words": 0.8, "same_unit": 1.0})
        >= km.threshold
        > km.score({"sentence_words": 0.1, "same_unit": 1.0})
    )
    assert model.trained_on["pairs"]["quantity"] == {"labels:0": 30, "labels:1": 10}
    assert best_threshold(np.array([0.9, 0.8, 0.2, 0.1]), np.array([1, 1, 0, 0])) >= 0.2


def _labelled(rules) -> Labelled:
    claims = [_claim("s/a.txt", 85, "worth"), _claim("s/b.txt", 80, "robber"), _claim("s/c.txt", 3, "road")]
    arts = [Article(id=a, text=t) for a, t in TEXTS.items()]
    return Labelled(articles=arts, claims=claims, stories={a: "s" for a in TEXTS}, texts=dict(TEXTS))


def test_decisions_are_pairs(rules):
    lab = _labelled(rules)
    a, b, c = lab.claims
    confirmed = {
        "status": "confirmed",
        "kind": "quantity",
        "values": [[(a.article, a.start, a.end)], [(b.article, b.start, b.end)]],
    }
    dismissed = {
        "status": "dismissed",
        "kind": "quantity",
        "values": [[(a.article, a.start, a.end)], [(c.article, c.start, c.end)]],
    }
    pairs = labelled_pairs(lab, rules, decisions=[confirmed, dismissed], only_marked=True)
    assert pairs.labels["quantity"] == [1, 0] or sorted(pairs.labels["quantity"]) == [0, 1]
    assert pairs.origin["quantity"] == {"decisions:1": 1, "decisions:0": 1}
    ctx, _ = story_context(lab.claims, lab.texts, rules)
    assert len(story_pairs(lab.claims, ctx, rules)) == 3


def test_folds_score_each_story_once(rules):
    lab = _labelled(rules)
    lab.articles.append(Article(id="t/d.txt", text="Nothing here."))
    lab.story_of = {"a.txt": "s", "b.txt": "s", "c.txt": "s", "d.txt": "t"}
    lab.clean = {"t"}
    lab.corpus_texts = {name.split("/")[1]: [(name, text)] for name, text in TEXTS.items()}
    lab.gold = [
        {
            "cluster": "s",
            "kind": "quantity",
            "subject": "haul",
            "values": ["85", "80"],
            "evidence": [{"file": "a.txt", "quote": "worth 85 km"}, {"file": "b.txt", "quote": "took 80 km"}],
        }
    ]
    res = evaluate_folds(lab, rules, 2)
    assert res.pooled.gold_total == 1 and sum(len(f) for f in res.clusters) == 2
    assert res.pooled.clean_story_flags == 0 and res.pooled.cross_story == 0


def test_cli_folds_needs_labelled_corpora(tmp_path):
    out = CliRunner().invoke(app, ["evaluate", "--folds", "3", str(tmp_path)])
    assert out.exit_code == 2 and "E606" in out.output


def test_require_link_drops_conflicts_whose_disagreeing_claims_are_not_linked(rules):
    def troops(article: str, value: float) -> Claim:
        c = _claim(article, value, "troops", unit="troop", status="presence", counted="troops")
        c.extra["subject_known"] = True
        return c

    claims = [troops("s/a.txt", 85), troops("s/c.txt", 3)]
    stories = {a: "s" for a in TEXTS}
    loose = _model(threshold=0.9, sentence_words=1.0)
    assert len(judge(claims, stories, TEXTS, rules, loose)) == 1, "compare's own key still groups them"
    loose.kinds["quantity"].require_link = True
    assert judge(claims, stories, TEXTS, rules, loose) == [], "nothing links the two figures themselves"


def test_cli_train_ignores_a_broken_model_and_says_when_it_has_too_few_pairs(tmp_path):
    rules_dir = tmp_path / "rules"
    rules_dir.mkdir()
    (rules_dir / "alignment.json").write_text("{not json")
    store = tmp_path / "checker.db"
    out = CliRunner().invoke(
        app, ["train", "--rules", str(rules_dir), "--store", str(store), "--out", str(tmp_path / "m.json")]
    )
    assert out.exit_code == 2 and "E607" in out.output, out.output
    assert not (tmp_path / "m.json").exists()


def test_person_nouns_are_one_family_and_one_counted_class(rules):
    from checker.resolve.align import same_counted

    members = _claim("s/a.txt", 85, "mafia members", unit="member", status="captured", counted="members")
    people = _claim("s/b.txt", 80, "people", unit="people", status="captured", counted="people")
    rifles = _claim("s/b.txt", 80, "rifles", unit="rifle", status="captured", counted="rifles")
    assert not veto(members, people, rules), "members and people arrested may be one count"
    assert same_counted(members, people, rules) == 1.0
    assert veto(members, rifles, rules) and same_counted(people, rifles, rules) == 0.0


def test_person_nouns_are_one_unit_and_a_shared_time_is_a_feature(rules):
    """ "99 members seized on Tuesday" and "89 people arrested on Tuesday": one unit
    (people), one day; rifles stay another unit, and no time given is no shared time."""
    from checker.resolve.align import pair_features

    members = _claim("s/a.txt", 85, "mafia members", unit="member", status="captured", counted="members")
    people = _claim("s/b.txt", 80, "people", unit="people", status="captured", counted="people")
    boats = _claim("s/a.txt", 85, "boats", unit="boat", counted="boats")
    ships = _claim("s/b.txt", 80, "ships", unit="ship", counted="ships")
    members.scope["time"], people.scope["time"] = "Tuesday", "tuesday"
    ctx = story_context([members, people, boats, ships], TEXTS, rules)[0]
    f = pair_features(members, people, ctx, rules)
    assert f["same_unit"] == 1.0 and f["same_time"] == 1.0
    g = pair_features(boats, ships, ctx, rules)
    assert g["same_unit"] == 0.0 and g["same_time"] == 0.0


def test_two_amounts_in_one_currency_are_close_as_written(rules):
    from checker.resolve.align import value_closeness

    exact = _claim("s/a.txt", 85e6, "loot", unit="EUR")
    more = _claim("s/b.txt", 85e6, "loot", unit="EUR")
    more.qualifier, more.low, more.high = ">", 85e6, None
    assert value_closeness(exact, more, rules) == 1.0  # no exchange-rate spread between euros
