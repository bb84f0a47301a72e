"""Resolve who and what claims are about, across the articles of a story.

Person mentions ("Barrot", "Jean-Noel Barrot", "Mr Ging") are linked to one
person per story, so titles and name spellings can be compared per person.
Quantity subjects are already normalized at extraction through the rules'
synonym and alias tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from checker.models import Claim
    from checker.rules import Rules


def resolve_claims(claims: list[Claim], stories: dict[str, str], rules: Rules) -> list[Claim]:
    """Claims with person subjects linked within each story."""
    try:
        from checker.people import link_people
    except ImportError:
        return claims
    return link_people(claims, stories, rules)
