"""Resolve who and what claims are about, across the articles of a story.

Person mentions ("Barrot", "Jean-Noel Barrot", "Mr Ging") are linked to one
person per story, so titles and name spellings can be compared per person.
Quantity subjects are normalized at extraction through the rules' synonym
and alias tables; only demonym counts ("12 Somalis") need their story.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from checker.models import Claim
    from checker.rules import Rules


def resolve_claims(claims: list[Claim], stories: dict[str, str], rules: Rules) -> list[Claim]:
    """Claims with person subjects linked within each story, and demonym counts
    ("12 Somalis") given the subject their story counts with that owner."""
    from checker.compare.quantities import resolve_demonyms
    from checker.people import link_people

    claims = link_people(claims, stories, rules)
    resolve_demonyms([(stories.get(c.article, ""), c) for c in claims if c.kind == "quantity"])
    return claims
