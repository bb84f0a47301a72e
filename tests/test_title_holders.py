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
