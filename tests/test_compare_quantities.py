"""Judging quantity claims: tolerances, bounds, currencies, scopes, updates."""

from __future__ import annotations

from checker.compare.quantities import compare_quantities
from checker.extract.numbers import rounding_unit
from checker.extract.quantities import interval
from checker.models import Claim
from checker.normalize import claims_table


def q(
    rules,
    article,
    value,
    qualifier="=",
    unit="troop",
    subject="north korean troops",
    text=None,
    published=None,
    status=None,
    place=None,
    attribution=None,
    year=None,
    owner="acme",
):
    text = text or f"{value:,}"
    lo, hi = interval(value, qualifier, rounding_unit(text, value), rules)
    scope = {k: v for k, v in {"status": status, "place": place, "year": year}.items() if v}
    return Claim(
        article=article,
        start=0,
        end=len(text),
        text=text,
        sentence_start=0,
        sentence_end=len(text),
        kind="quantity",
        subject=subject,
        value=value,
        unit=unit,
        qualifier=qualifier,
        low=lo,
        high=hi,
        attribution=attribution,
        scope=scope,
        source=article,
        published=published,
        display=text,
        extra={"subject_known": True, "owner": owner, "counted": None if unit in ("USD", "EUR", "%") else unit},
    )


def conflicts(rules, *claims):
    stories = {c.article: "s" for c in claims}
    return compare_quantities(claims_table(list(claims), stories), rules)


def test_about_agrees_with_the_bare_figure(rules):
    assert conflicts(rules, q(rules, "a", 11000, "~"), q(rules, "b", 11000)) == []


def test_different_figures_make_one_conflict_with_every_value(rules):
    out = conflicts(rules, q(rules, "a", 11000, "~"), q(rules, "b", 10000), q(rules, "c", 11000), q(rules, "d", 12000))
    assert len(out) == 1
    values = [sorted(c["article"] for c in v.claims) for v in out[0].values]
    assert values == [["b"], ["a", "c"], ["d"]]


def test_compatible_bounds_agree(rules):
    assert (
        conflicts(
            rules,
            q(rules, "a", 300, ">", unit="people", subject="deaths", status="killed"),
            q(rules, "b", 350, unit="people", subject="deaths", status="killed"),
        )
        == []
    )
    assert (
        conflicts(
            rules,
            q(rules, "a", 1e6, ">", unit="USD", subject="damage"),
            q(rules, "b", 1e6, unit="USD", subject="damage"),
        )
        == []
    )


def test_converted_currencies_agree_and_wrong_conversions_do_not(rules):
    eur = q(rules, "a", 2e6, unit="EUR", subject="fine", text="2 million")
    usd = q(rules, "b", 2.6e6, unit="USD", subject="fine", text="2.6 million")
    assert conflicts(rules, eur, usd) == []
    assert conflicts(rules, eur, q(rules, "c", 4e6, unit="USD", subject="fine", text="4 million"))


def test_growing_toll_on_later_days_is_an_update(rules):
    monday = q(rules, "a", 5, unit="people", subject="deaths", status="killed", published="2024-01-01")
    wednesday = q(rules, "b", 24, unit="people", subject="deaths", status="killed", published="2024-01-03")
    out = conflicts(rules, monday, wednesday)
    assert [(c.disagreement, c.severity) for c in out] == [("update", "info")]
    assert "grew" in out[0].explanation
    lower_later = q(rules, "c", 3, unit="people", subject="deaths", status="killed", published="2024-01-04")
    out = conflicts(rules, monday, wednesday, lower_later)
    assert len(out) == 1 and out[0].disagreement != "update"


def test_different_statuses_and_years_never_meet(rules):
    killed = q(rules, "a", 5, unit="people", subject="people", status="killed")
    injured = q(rules, "b", 250, unit="people", subject="people", status="injured")
    assert conflicts(rules, killed, injured) == []
    background = q(rules, "c", 168000, unit="people", subject="people", status="killed", year="2004")
    assert conflicts(rules, killed, background) == []


def test_disjoint_places_split_and_nested_places_are_parts_of_wholes(rules):
    kursk = q(rules, "a", 10000, place="kursk region")
    russia = q(rules, "b", 12000, place="russia")
    assert conflicts(rules, kursk, russia) == []  # 10,000 in Kursk fit 12,000 in Russia
    too_many = q(rules, "c", 15000, place="kursk region")
    assert len(conflicts(rules, too_many, russia)) == 1  # a part larger than its whole
    kyiv = q(rules, "d", 12000, place="kyiv")
    assert conflicts(rules, kursk, kyiv) == []  # different places, different things
    both = q(rules, "e", 168000, unit="people", subject="deaths", status="killed", place="aceh + nias")
    aceh = q(rules, "f", 170000, ">", unit="people", subject="deaths", status="killed", place="aceh")
    assert len(conflicts(rules, both, aceh)) == 1


def test_one_article_alone_is_not_a_quantity_conflict(rules):
    assert conflicts(rules, q(rules, "a", 10000), q(rules, "a", 12000)) == []


def test_attribution_sets_the_kind_of_disagreement(rules):
    out = conflicts(
        rules,
        q(rules, "a", 10000, attribution="US State Department"),
        q(rules, "b", 12000, attribution="South Korean intelligence"),
    )
    assert out[0].disagreement == "sources"
    out = conflicts(rules, q(rules, "a", 10000, attribution="UN"), q(rules, "b", 12000, attribution="UN"))
    assert out[0].disagreement == "quoting"
    out = conflicts(rules, q(rules, "a", 10000), q(rules, "b", 12000), q(rules, "c", 12000))
    assert out[0].values[1].role == "majority" and out[0].values[0].role == "outlier"
    assert out[0].hint


def test_conflict_ids_are_stable(rules):
    a = conflicts(rules, q(rules, "a", 10000), q(rules, "b", 12000))[0].id
    b = conflicts(rules, q(rules, "b", 12000), q(rules, "a", 10000))[0].id
    assert a == b


def test_vague_figures_and_conversions_are_not_compared(rules):
    # "two games" / "four games": nothing says whose or what happened.
    assert (
        conflicts(
            rules,
            q(rules, "a", 2, unit="game", subject="games", owner=None),
            q(rules, "b", 4, unit="game", subject="games", owner=None),
        )
        == []
    )
    conv = q(rules, "b", 52e6, unit="GBP", subject="fine", text="52m")
    conv.extra["conversion_of"] = 0
    assert conflicts(rules, q(rules, "a", 100e6, unit="USD", subject="fine", text="100m"), conv) == []


def test_prices_and_rises_compare_only_within_one_day(rules):
    def oil(article, value, published):
        return q(
            rules,
            article,
            value,
            unit="USD",
            subject="brent crude",
            text=f"${value}",
            published=published,
            owner="brent",
        )

    assert conflicts(rules, oil("a", 44.45, None), oil("b", 49.74, None)) == []
    assert conflicts(rules, oil("a", 44.45, "2005-01-03"), oil("b", 49.74, "2005-02-10")) == []
    assert len(conflicts(rules, oil("a", 44.45, "2005-01-03"), oil("b", 49.74, "2005-01-03"))) == 1


def test_demonym_count_takes_the_subject_its_story_counts(tmp_path):
    """ "12 Somalis" counts what the story counts with that owner ("23 Somali
    pirates"): resolved before comparing, so the claim table says so too."""
    from checker.pipeline import run

    (tmp_path / "a.txt").write_text(
        "Pirates seized\n\nThe Indian navy captured 23 Somali pirates on Monday after a gun battle, officials said.\n",
        encoding="utf-8",
    )
    (tmp_path / "b.txt").write_text(
        "Navy captures pirates\n\nThe Indian navy captured 12 Somalis on Monday after a gun battle.\n", encoding="utf-8"
    )
    result = run([tmp_path], out_dir=tmp_path / "out", story="pirates", n_process=1)
    by_text = {c.text: c for c in result.claims if c.kind == "quantity"}
    assert by_text["12"].subject == by_text["23"].subject == "somali pirates"
    assert [c.subject for c in result.conflicts] == ["somali pirates"]
    import csv

    rows = list(csv.DictReader((tmp_path / "out" / "claims.csv").open(encoding="utf-8")))
    subjects = {(r["article"], r["start"], r["end"]): r["subject"] for r in rows if r["kind"] == "quantity"}
    assert subjects[("b.txt", "48", "50")] == "somali pirates"
    assert sum(s == "somali pirates" for s in subjects.values()) == 2


def test_amounts_in_one_currency_are_compared_as_written(rules):
    # No exchange rate stands between two euro figures: 80m does not fit 85m.
    low = q(rules, "a", 80e6, unit="EUR", subject="loot", text="80 million", published="2008-12-05")
    high = q(rules, "b", 85e6, unit="EUR", subject="loot", text="85 million", published="2008-12-05")
    assert len(conflicts(rules, low, high)) == 1
    # ... while a hedge still covers a nearby figure.
    about = q(rules, "c", 85e6, "~", unit="EUR", subject="loot", text="85 million", published="2008-12-05")
    assert conflicts(rules, about, high) == []


def test_two_articles_that_each_give_both_figures_do_not_disagree(rules):
    # Both say "the limit was cut from £20m to £15m": each figure is in both articles.
    a20 = q(rules, "a", 20e6, unit="GBP", subject="limit", text="20m")
    a15 = q(rules, "a", 15e6, unit="GBP", subject="limit", text="15m")
    b20 = q(rules, "b", 20e6, unit="GBP", subject="limit", text="20m")
    b15 = q(rules, "b", 15e6, unit="GBP", subject="limit", text="15m")
    assert conflicts(rules, a20, a15, b20, b15) == []
    # One article giving only the old figure disagrees with one giving only the new.
    assert len(conflicts(rules, a20, b15)) == 1


def test_a_running_total_never_meets_one_occasions_figure(rules):
    """ "six rifles seized in this raid" and "14 so far" are different things; the totals still meet each other."""
    raid = q(rules, "a", 6, unit="rifle", subject="rifles", status="captured")
    total = q(rules, "b", 14, unit="rifle", subject="rifles", status="captured")
    total.scope["cumulative"] = "so far"
    assert conflicts(rules, raid, total) == []
    other_total = q(rules, "c", 16, unit="rifle", subject="rifles", status="captured")
    other_total.scope["cumulative"] = "during the five operations"
    assert len(conflicts(rules, raid, total, other_total)) == 1
    # An outlet that gives the total as the raid's own figure still disagrees with the raid.
    as_raid = q(rules, "d", 14, unit="rifle", subject="rifles", status="captured")
    assert len(conflicts(rules, raid, total, as_raid)) == 1


def test_undated_fight_reports_compare_records_by_the_owners_person_key(nlp, rules):
    """Undated reports of one bout cannot be shown to be of different days: their records of one
    fighter ("Sayers" is "Tom Sayers") are compared; a preview gives the record before the bout."""
    from checker.extract import extract_doc
    from checker.models import Article
    from checker.pipeline import judge
    from checker.resolve import resolve_claims

    texts = {
        "a": "Sayers wins\nTom Sayers (31-2, 20 KOs) stopped Joe Walcott in the fifth round.",
        "b": "Sayers wins again\nSayers, 32-2, 21 KO's, stopped Joe Walcott in the fifth round in London.",
        "c": "Sayers meets Walcott\nTom Sayers (30-2, 19 KOs) will face Joe Walcott on Saturday.",
    }
    claims = []
    for k, t in texts.items():
        claims += extract_doc(nlp(t), Article(id=k, text=t), rules)
    stories = {k: "s" for k in texts}
    claims = resolve_claims(claims, stories, rules)
    got = {
        c.subject: sorted({cl["article"] for v in c.values for cl in v.claims})
        for c in judge(claims, stories, texts, rules)
        if c.kind == "quantity"
    }
    assert got["tom sayers wins"] == ["a", "b"]
    assert got["tom sayers knockouts"] == ["a", "b"]


def test_a_story_sole_owner_of_a_counted_noun_is_the_owner_of_its_bare_figures(rules):
    """ "two Turkish mortar rounds" and "three rounds" in one story are one owner's rounds; a noun
    two owners share keeps its bare figures bare."""
    from checker.compare.quantities import spread_sole_owner

    def counted(article, value, owner=None, noun="rounds"):
        c = q(rules, article, value, unit="round", subject=f"{owner} {noun}" if owner else noun, owner=owner)
        c.extra["counted"] = noun
        c.extra["owner_norp"] = bool(owner) and owner != "acme"
        return c

    owned, bare = counted("a", 2, "turkish"), counted("b", 3)
    spread_sole_owner([("s", owned), ("s", bare)])
    assert (bare.subject, bare.extra["owner"]) == ("turkish rounds", "turkish")
    greek, bare2 = counted("c", 5, "greek"), counted("d", 4)
    spread_sole_owner([("s", owned), ("s", greek), ("s", bare2)])
    assert bare2.subject == "rounds" and not bare2.extra.get("owner")
    other_story = counted("e", 4)
    spread_sole_owner([("s", owned), ("t", other_story)])
    assert other_story.subject == "rounds"
    # An organisation's rounds are one group among others: bare figures stay bare.
    company, bare3 = counted("f", 6, "acme"), counted("g", 7)
    spread_sole_owner([("u", company), ("u", bare3)])
    assert bare3.subject == "rounds"


def test_a_figure_named_by_a_part_of_a_count_is_that_part(rules):
    """ "Six workers were hurt, two by falling glass" makes "falling glass" a part of the
    workers hurt: "the two workers hurt by falling glass" elsewhere is that part, not
    the total; a figure naming another cause, or in another story, stays whole."""
    from checker.compare.quantities import mark_named_parts

    def c(article, value, **extra):
        claim = q(rules, article, value, unit="worker", subject="workers", status="injured")
        claim.extra.update(extra)
        return claim

    part = c("a", 2, part="falling glass", partial=True)
    named, other, elsewhere = (
        c("b", 2, agent="falling glass"),
        c("b", 6, agent="fire"),
        c("c", 2, agent="falling glass"),
    )
    mark_named_parts([("s", part), ("s", named), ("s", other), ("t", elsewhere)])
    assert named.extra["partial"] is True
    assert not other.extra.get("partial") and not elsewhere.extra.get("partial")


def test_a_figure_flagged_volatile_compares_only_within_one_day(rules):
    """ "crude closed at $51" has the currency for a subject, but the figure is what the
    oil stood at: undated, it is compared with nothing."""
    from checker.compare.quantities import _day, checkable

    a = q(rules, "a", 51.15, unit="USD", subject="USD", owner=None)
    assert _day(a, rules) == ""
    a.extra["volatile"] = True
    assert _day(a, rules) is None and not checkable(a, rules)
    a.published = "2005-01-04"
    assert _day(a, rules) == "2005-01-04"
