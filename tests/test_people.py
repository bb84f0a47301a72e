"""People: titles, name spellings, linking mentions, and their conflicts."""

from __future__ import annotations

import json

import pytest
import spacy
from spacy.tokens import Doc

from checker.compare.people import compare_people
from checker.extract.people import extract_people
from checker.extract.titles import Office, Title, lexicon, offices_compatible
from checker.models import Article, Claim
from checker.names import NameJudge, split_name
from checker.normalize import claims_table
from checker.resolve.people import link_people
from tests.conftest import ROOT, golden_score

GOLDEN = ROOT / "tests" / "golden" / "people.jsonl"
CASES = [json.loads(x) for x in GOLDEN.read_text(encoding="utf-8").splitlines() if x.strip()]
FLOOR = 0.9


def make_doc(words, pos, heads, deps, ents, tags=None, lemmas=None) -> Doc:
    """A parsed Doc built by hand (no model)."""
    return Doc(
        spacy.blank("en").vocab,
        words=words,
        pos=pos,
        heads=heads,
        deps=deps,
        ents=ents,
        tags=tags,
        lemmas=lemmas or [w.lower() for w in words],
    )


def barrot_doc(office: str) -> Doc:
    words = ["French", office, "Minister", "Jean-Noel", "Barrot", "said", "."]
    return make_doc(
        words,
        pos=["ADJ", "PROPN", "PROPN", "PROPN", "PROPN", "VERB", "PUNCT"],
        heads=[2, 2, 4, 4, 5, 5, 5],
        deps=["amod", "compound", "compound", "compound", "nsubj", "ROOT", "punct"],
        ents=["B-NORP", "O", "O", "B-PERSON", "I-PERSON", "O", "O"],
    )


# --- titles -----------------------------------------------------------------


def test_title_before_a_name(rules):
    doc = barrot_doc("Foreign")
    claims = extract_people(doc, Article(id="a", text=doc.text), rules)
    titles = [c for c in claims if c.kind == "title"]
    assert [(t.subject, t.value, t.text) for t in titles] == [
        ("jean-noel barrot", "foreign minister", "French Foreign Minister")
    ]
    assert titles[0].extra["orgs"] == ["french"]
    names = [c for c in claims if c.kind == "name"]
    assert [(n.value, doc.text[n.start : n.end]) for n in names] == [("Jean-Noel Barrot", "Jean-Noel Barrot")]


def _title(offices, orgs=(), branch=None, unit=None) -> Title:
    return Title(0, 0, "", [Office(o, c) for o, c in offices], list(orgs), unit, False, branch)


@pytest.mark.parametrize(
    "a,b,ok",
    [
        ([("foreign minister", "office")], [("prime minister", "office")], False),
        (
            [("general manager", "office")],
            [("president", "office"), ("general manager", "office")],
            True,
        ),  # partial title
        ([("senior vice president", "office")], [("vice president", "office")], False),
        ([("deputy associate director", "office")], [("associate director", "office")], False),
        ([("director", "office")], [("interim director", "office")], True),  # listed compatible
        ([("actress", "role")], [("swimmer", "role")], True),  # roles never exclude
        ([("minister", "office")], [("foreign minister", "office")], True),  # a bare "minister" names no office
        ([("captain", "rank")], [("chief", "office")], True),  # ranks meet only ranks
    ],
)
def test_offices_that_can_and_cannot_be_held_together(rules, a, b, ok):
    assert offices_compatible(_title(a), _title(b), lexicon(rules)) is ok


def test_head_of_a_body_is_not_the_director_of_a_branch(rules):
    head = _title([("chief", "office")], orgs=["unrwa"])
    gaza = _title([("director", "office")], orgs=["unrwa"], branch="gaza")
    assert not offices_compatible(head, gaza, lexicon(rules))
    # Offices in different bodies can both be held.
    assert offices_compatible(
        _title([("chief executive", "office")], orgs=["apple"]),
        _title([("chairman", "office")], orgs=["disney"]),
        lexicon(rules),
    )


# --- names ------------------------------------------------------------------


@pytest.mark.parametrize(
    "a,b,same",
    [
        ("Jim Smith", "James Smith", True),  # nickname
        ("Andrii Sybiha", "Andriy Sybiha", True),  # listed transliteration
        ("Alexis Tsipras", "Alexandros Tsipras", True),
        ("LaTonya Brown", "Latonya Brown", True),  # case only
        ("W. Mark Felt", "Mark Felt", True),  # a dropped initial
        ("Robert Kilroy-Silk", "Kilroy", True),  # part of a double surname
        ("Catherine Hill", "Katherine Hill", False),
        ("Hugh Hefner", "Hugh Heffner", False),
        ("Bryant Dalton", "Brian Dalton", False),  # the package lists it, but it is a spelling
        ("Stan Smith", "Stanley Smith", True),  # a clipping is a short form
        ("Peggy Hill", "Margaret Hill", True),  # from the nicknames package
        ("Vassilis Saraliotis", "Vassilios Saraliotis", True),  # variant_endings
        ("Betty Page", "Bettie Page", False),
    ],
)
def test_same_spelling(rules, a, b, same):
    judge = NameJudge(rules)
    assert judge.same_spelling(split_name(a, rules), split_name(b, rules)) is same


def test_name_parts(rules):
    nm = split_name("W. Mark Felt Sr.", rules)
    assert nm.given == ("w", "mark") and nm.last == "felt"
    assert split_name("Charles de Gaulle", rules).last == "de gaulle"
    assert split_name("George H.W. Bush", rules).given == ("george", "h", "w")


def test_thresholds_come_from_the_rules(rules):
    judge = NameJudge(rules)
    assert judge.similar("syhiha", "sybiha") and judge.similar("hefner", "heffner")
    assert not judge.similar("davis", "lewis") and not judge.similar("felt", "feldstein")
    assert judge.given_similar(("bryant",), ("brian",)) and not judge.given_similar(("nick",), ("rob",))


# --- linking and conflicts ----------------------------------------------------


def name(article: str, start: int, value: str, **extra) -> Claim:
    return Claim(article, start, start + len(value), value, 0, 0, "name", value.lower(), value, extra=extra)


def title(article: str, person: Claim, value: str, org: str = "") -> Claim:
    return Claim(
        article,
        person.start - 20,
        person.start - 1,
        value,
        0,
        0,
        "title",
        person.subject,
        value,
        extra={
            "person_start": person.start,
            "person_end": person.end,
            "offices": [[value, "office"]],
            "orgs": [org] if org else [],
        },
    )


def _run(claims: list[Claim], rules, stories: dict[str, str] | None = None):
    stories = stories or {c.article: "s" for c in claims}
    linked = link_people(claims, stories, rules)
    return linked, compare_people(claims_table(linked, stories), rules)


def test_surname_alone_links_to_the_full_name_and_near_spellings_conflict(rules):
    claims = [
        name("a", 10, "Andrii Syhiha"),
        name("a", 100, "Barrot"),
        name("a", 120, "Sybiha"),
        name("a", 50, "Jean-Noel Barrot"),
    ]
    linked, conflicts = _run(claims, rules)
    assert {c.value: c.subject for c in linked} == {
        "Andrii Syhiha": "andrii syhiha",
        "Sybiha": "andrii syhiha",
        "Barrot": "jean-noel barrot",
        "Jean-Noel Barrot": "jean-noel barrot",
    }
    assert [(c.kind, c.subject, [v.value for v in c.values]) for c in conflicts] == [
        ("name_spelling", "andrii syhiha", ["Andrii Syhiha", "Sybiha"])
    ]


def test_one_person_mentioned_twice_is_no_conflict(rules):
    claims = [name("a", 10, "Volodymyr Zelenskyy"), name("b", 10, "Volodymyr Zelenskyy"), name("b", 90, "Zelensky")]
    _, conflicts = _run(claims, rules)
    assert conflicts == []


def test_different_given_names_are_different_people(rules):
    claims = [name("a", 0, "Nick Jones"), name("b", 0, "Rob Jones")]
    linked, conflicts = _run(claims, rules)
    assert {c.subject for c in linked} == {"nick jones", "rob jones"} and conflicts == []


def test_a_relative_sharing_a_surname_is_another_person(rules):
    # "Daniel Reyes, his son" beside the victim "Danny Reyes"... alike given names join
    # one person only when neither is introduced as a relative.
    claims = [name("a", 0, "Marlon Reyes"), name("a", 60, "Marlen Reyes", kin="son"), name("b", 0, "Marlon Reyes")]
    linked, conflicts = _run(claims, rules)
    assert {c.subject for c in linked} == {"marlon reyes", "marlen reyes"} and conflicts == []
    # "Gomes' mother, Catherine Gomes" in one article, "Katherine Gomes" in another: one woman.
    claims = [
        name("a", 0, "Gary Gomes"),
        name("a", 40, "Catherine Gomes", kin="mother"),
        name("b", 0, "Katherine Gomes"),
    ]
    _, conflicts = _run(claims, rules)
    assert [sorted(v.value for v in c.values) for c in conflicts] == [["Catherine Gomes", "Katherine Gomes"]]
    claims = [name("a", 0, "Marlon Reyes"), name("b", 60, "Marlen Reyes")]
    _, conflicts = _run(claims, rules)
    assert [c.kind for c in conflicts] == ["name_spelling"]


@pytest.mark.slow
def test_kinship_read_from_the_sentence(nlp, rules):
    text = "The victim, Marlon Reyes, died at the scene and his son, Marlen Reyes, was injured."
    claims = extract_people(nlp(text), Article(id="a", text=text), rules)
    assert {c.value: c.extra.get("kin") for c in claims if c.kind == "name"} == {
        "Marlon Reyes": None,
        "Marlen Reyes": "son",
    }


def test_a_name_cut_from_a_longer_word_is_no_name(rules):
    words = ["Luciano", "spoke", "."]
    doc = make_doc(words, ["PROPN", "VERB", "PUNCT"], [1, 1, 1], ["nsubj", "ROOT", "punct"], ["B-PERSON", "O", "O"])
    from checker.extract.people import _whole_words

    assert _whole_words(doc, 0, 7) and not _whole_words(doc, 0, 5)


def test_one_office_makes_one_person_of_two_first_names(rules):
    a, b = name("a", 30, "Herbert Hoover"), name("b", 30, "J. Edgar Hoover")
    claims = [a, b, title("a", a, "director", "fbi"), title("b", b, "director")]
    _, conflicts = _run(claims, rules)
    assert [(c.kind, sorted(v.value for v in c.values)) for c in conflicts] == [
        ("name_spelling", ["Herbert Hoover", "J. Edgar Hoover"])
    ]


def test_near_surnames_side_by_side_are_two_people(rules):
    # Both spellings in one article: no writer misspells a name next to itself.
    claims = [name("a", 0, "David Davis"), name("a", 40, "David Davies")]
    _, conflicts = _run(claims, rules)
    assert conflicts == []


def test_candidate_mentions_kept_only_when_they_match_a_person(rules):
    # "Bettie Page" tagged ORG joins the person named elsewhere; "Paige" beside it
    # is one letter off her surname; "Playboy" matches no one and is dropped.
    claims = [
        name("a", 0, "Bettie Page"),
        name("b", 0, "Bettie Page", candidate=True),
        name("b", 50, "Paige", candidate=True, det=False),
        name("b", 90, "Playboy", candidate=True, det=False),
    ]
    linked, conflicts = _run(claims, rules)
    assert sorted(c.value for c in linked) == ["Bettie Page", "Bettie Page", "Paige"]
    assert [sorted(v.value for v in c.values) for c in conflicts] == [["Bettie Page", "Paige"]]
    # "the 22-year-old Scot" is a common noun, not a misspelt Scott.
    claims = [name("a", 0, "Allan Scott"), name("a", 50, "Scot", candidate=True, det=True)]
    linked, _ = _run(claims, rules)
    assert [c.value for c in linked] == ["Allan Scott"]


def test_title_conflict_and_partial_title(rules):
    a1, a2, b = name("a", 30, "Jean-Noel Barrot"), name("a", 300, "Jean-Noel Barrot"), name("b", 30, "Jane Doe")
    b2 = name("b", 300, "Jane Doe")
    claims = [
        a1,
        a2,
        b,
        b2,
        title("a", a1, "foreign minister", "french"),
        title("a", a2, "prime minister", "french"),
        title("b", b, "general manager"),
    ]
    gm = title("b", b2, "president")
    gm.extra["offices"] = [["president", "office"], ["general manager", "office"]]
    claims.append(gm)
    _, conflicts = _run(claims, rules, {"a": "s1", "b": "s2"})
    assert [(c.kind, c.subject, sorted(v.value for v in c.values), c.disagreement) for c in conflicts] == [
        ("title", "jean-noel barrot", ["foreign minister", "prime minister"], "self")
    ]


# --- golden sentences (real model) ------------------------------------------------


def _match(c: Claim, e: dict) -> bool:
    if c.kind != e.get("kind", c.kind):
        return False
    if c.kind == "name":
        return "value" not in e or c.value == e["value"]
    if "person" in e and c.extra.get("person") != e["person"]:
        return False
    if "value" in e and c.value != e["value"]:
        return False
    return "former" not in e or bool(c.extra.get("former")) == e["former"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden_case_is_well_formed(case):
    assert case["text"] and case["expect"] or case["not"]
    for e in case["expect"] + case["not"]:
        assert e["kind"] in ("title", "name")


@pytest.mark.slow
def test_golden_accuracy_floor_and_no_false_titles(nlp, rules):
    found, total, wrong = golden_score(
        CASES, lambda case: extract_people(nlp(case["text"]), Article(id=case["id"], text=case["text"]), rules), _match
    )
    assert not wrong
    assert found / total >= FLOOR, f"{found}/{total} golden titles and names"


def _name_claims(doc: Doc, rules) -> list[Claim]:
    """The name claims extracted from a hand-built parse."""
    return [c for c in extract_people(doc, Article(id="a", text=doc.text), rules) if c.kind == "name"]


def test_a_titled_name_tagged_org_is_a_person(rules):
    # "The writer Anna Kowalczyk tweeted ." with the name tagged ORG.
    doc = make_doc(
        ["The", "writer", "Anna", "Kowalczyk", "tweeted", "."],
        pos=["DET", "NOUN", "PROPN", "PROPN", "VERB", "PUNCT"],
        heads=[3, 3, 3, 4, 4, 4],
        deps=["det", "compound", "compound", "nsubj", "ROOT", "punct"],
        ents=["O", "O", "B-ORG", "I-ORG", "O", "O"],
    )
    names = _name_claims(doc, rules)
    assert [(n.value, n.extra.get("candidate", False)) for n in names] == [("Anna Kowalczyk", False)]


def test_an_untitled_org_name_stays_a_candidate(rules):
    doc = make_doc(
        ["Anna", "Kowalczyk", "tweeted", "."],
        pos=["PROPN", "PROPN", "VERB", "PUNCT"],
        heads=[1, 2, 2, 2],
        deps=["compound", "nsubj", "ROOT", "punct"],
        ents=["B-ORG", "I-ORG", "O", "O"],
    )
    names = _name_claims(doc, rules)
    assert [(n.value, n.extra.get("candidate", False)) for n in names] == [("Anna Kowalczyk", True)]


def test_a_facility_name_as_a_subject_is_a_person_candidate(rules):
    # "Kathryn Moreira was killed ." tagged FAC: a subject, so a candidate.
    subject = make_doc(
        ["Kathryn", "Moreira", "was", "killed", "."],
        pos=["PROPN", "PROPN", "AUX", "VERB", "PUNCT"],
        heads=[1, 3, 3, 3, 3],
        deps=["compound", "nsubjpass", "auxpass", "ROOT", "punct"],
        ents=["B-FAC", "I-FAC", "O", "O", "O"],
    )
    names = _name_claims(subject, rules)
    assert [(n.value, n.extra.get("candidate")) for n in names] == [("Kathryn Moreira", True)]
    # "They met at Grand Central ." : a building where people meet is no person.
    place = make_doc(
        ["They", "met", "at", "Grand", "Central", "."],
        pos=["PRON", "VERB", "ADP", "PROPN", "PROPN", "PUNCT"],
        heads=[1, 1, 1, 4, 2, 1],
        deps=["nsubj", "ROOT", "prep", "compound", "pobj", "punct"],
        ents=["O", "O", "O", "B-FAC", "I-FAC", "O"],
    )
    assert _name_claims(place, rules) == []


def test_an_org_after_the_is_no_person(rules):
    # "The Fire Brigades Union said ." : "the" is listed as an honorific, but no person's.
    doc = make_doc(
        ["The", "Fire", "Brigades", "Union", "said", "."],
        pos=["DET", "PROPN", "PROPN", "PROPN", "VERB", "PUNCT"],
        heads=[3, 3, 3, 4, 4, 4],
        deps=["det", "compound", "compound", "nsubj", "ROOT", "punct"],
        ents=["B-ORG", "I-ORG", "I-ORG", "I-ORG", "O", "O"],
    )
    names = _name_claims(doc, rules)
    assert all(n.extra.get("candidate") for n in names)


def test_a_titled_org_named_again_untitled_stays_an_organisation(rules):
    # "The adviser Kowalczyk Partners said . Kowalczyk Partners declined ." : the second
    # untitled ORG mention says the first is a firm, whatever stands before it.
    words = ["The", "adviser", "Kowalczyk", "Partners", "said", ".", "Kowalczyk", "Partners", "declined", "."]
    doc = make_doc(
        words,
        pos=["DET", "NOUN", "PROPN", "PROPN", "VERB", "PUNCT", "PROPN", "PROPN", "VERB", "PUNCT"],
        heads=[3, 3, 3, 4, 4, 4, 7, 8, 8, 8],
        deps=["det", "compound", "compound", "nsubj", "ROOT", "punct", "compound", "nsubj", "ROOT", "punct"],
        ents=["O", "O", "B-ORG", "I-ORG", "O", "O", "B-ORG", "I-ORG", "O", "O"],
    )
    names = _name_claims(doc, rules)
    assert names and all(n.extra.get("candidate") for n in names)


def test_a_proper_noun_a_naming_verb_gives_is_a_name_without_a_person_to_match(nlp, rules):
    # A vessel's name: no person of the story matches it, the sentence says it is a name.
    for text, name in [
        ("The larger boat, a 10-metre dhow, is named the Salahaddin.", "Salahaddin"),
        ("The pirates used a dhow named Mirana.", "Mirana"),
    ]:
        claims = [c for c in extract_people(nlp(text), Article(id="a", text=text), rules) if c.kind == "name"]
        got = {c.value: c.extra.get("candidate", False) for c in claims}
        assert got.get(name) is False, got


def test_a_body_named_with_a_lowercase_head_noun_is_the_body_its_acronym_names(nlp, rules):
    """ "the UN Relief and Works agency": the entity stops before "agency", the body does not."""
    texts = {
        "a": "Mary Keane, the head of the UN Relief and Works agency, said the school was hit.",
        "b": "Mary Keane, director of operations in Gaza for UNRWA, said the school was hit.",
    }
    claims = []
    for aid, text in texts.items():
        claims += extract_people(nlp(text), Article(id=aid, text=text), rules)
    titles = [c for c in claims if c.kind == "title"]
    assert [c.extra["orgs"] for c in titles] == [["unrwa"], ["unrwa"]]
    stories = dict.fromkeys(texts, "s")
    conflicts = compare_people(claims_table(link_people(claims, stories, rules), stories), rules)
    assert [(c.kind, len(c.values)) for c in conflicts if c.kind == "title"] == [("title", 2)]


def test_a_lowercase_head_noun_that_makes_no_known_body_is_left_out(nlp, rules):
    text = "Ann Lee, head of the Acme Widgets agency, spoke on Monday."
    titles = [c for c in extract_people(nlp(text), Article(id="a", text=text), rules) if c.kind == "title"]
    assert titles and all("agency" not in org for c in titles for org in c.extra["orgs"])
