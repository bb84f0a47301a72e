"""Titles whose holder is a pronoun, a possessor or nobody named, numbered titles, and
sentences that start at a line break: the forms unseen news uses to state an office."""

from __future__ import annotations

from checker.extract.people import extract_people
from checker.models import Article


def _titles(nlp, rules, text: str) -> dict[str, tuple[str, int | None]]:
    claims = extract_people(nlp(text), Article(id="a", text=text), rules)
    return {c.subject: (c.value, c.extra.get("ordinal")) for c in claims if c.kind == "title"}


def test_a_pronoun_subject_holds_the_title_of_the_person_just_named(nlp, rules):
    text = "John Smith was appointed in May. He is the new director of the museum."
    assert _titles(nlp, rules, text)["john smith"][0] == "director"


def test_a_role_held_for_someone_is_an_unnamed_holder(nlp, rules):
    titles = _titles(nlp, rules, "Smith's lawyer said the case was weak. My agent told me to wait.")
    assert titles["unnamed lawyer"][0] == "lawyer" and titles["unnamed agent"][0] == "agent"
    assert "smith" not in titles


def test_the_appointer_does_not_get_the_office(nlp, rules):
    titles = _titles(nlp, rules, "Obama appointed Regina Benjamin as surgeon general.")
    assert titles == {"regina benjamin": ("surgeon general", None)}


def test_a_numbered_title_keeps_its_ordinal(nlp, rules):
    assert _titles(nlp, rules, "Peter Capaldi will be the 12th Doctor, the BBC said.")["peter capaldi"] == (
        "doctor",
        12,
    )
    assert _titles(nlp, rules, "Matt Smith is the 11th Doctor.")["matt smith"] == ("doctor", 11)


def test_a_capitalised_line_after_an_unpunctuated_line_starts_a_sentence(nlp):
    doc = nlp("Sheffield Star\nThe mayor resigned on Monday.")
    assert [s.text.strip() for s in doc.sents] == ["Sheffield Star", "The mayor resigned on Monday."]


def test_a_title_line_keeps_its_name_together(nlp, rules):
    titles = _titles(nlp, rules, "The president said nothing.\nMayor Tom Jones\nspoke at noon.")
    assert titles["tom jones"][0] == "mayor"


def test_a_copula_gives_its_subject_the_attribute_title_whatever_the_subject(nlp, rules):
    # A named subject, an unnamed description and a pronoun, each with a modal or a
    # perfect, and an infinitive clause after the title that is not part of it.
    assert _titles(nlp, rules, "Peter Capaldi will be the 12th actor to play the Doctor.")["peter capaldi"] == (
        "actor",
        12,
    )
    unnamed = _titles(nlp, rules, "The 55-year-old Glasgow-born star will be the 12th actor to play the Doctor.")
    assert unnamed["unnamed actor"] == ("actor", 12)
    assert (
        _titles(nlp, rules, "The veteran coach will be the new manager of Arsenal.")["unnamed manager"][0] == "manager"
    )
    pronoun = _titles(
        nlp, rules, "Jane Smith was elected in May. She became the third leader of the party to come from Wales."
    )
    assert pronoun["jane smith"] == ("leader", 3)
    assert _titles(nlp, rules, "John Smith has been the mayor of the town since 2001.")["john smith"][0] == "mayor"


def test_a_raising_verb_passes_its_subject_to_the_copula_but_a_wish_does_not(nlp, rules):
    assert (
        _titles(nlp, rules, "John Smith is expected to become the next chief executive.")["john smith"][0]
        == "chief executive"
    )
    assert "john smith" not in _titles(nlp, rules, "John Smith wants to be president.")
