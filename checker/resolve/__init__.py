"""Resolve: who and what claims are about, across the articles of a story.

The stage between extract and compare, one module per question:

- ``stories``: which articles tell the same story (TF-IDF of salient entities
  and nouns, blocking, average linkage; never across years or a 14-day gap);
- ``dating``: when an undated article was published, as far as its page or
  text says (datelines, stated dates, htmldate), so stories of different
  years stay apart;
- ``people``: person mentions ("Barrot", "Jean-Noel Barrot", "Mr Ging")
  linked to one person per story, so titles and spellings compare per person;
- ``align``: which claims of a story state the same fact, scored by a fitted
  model (``alignment.json``), so compare judges within a fact;
- ``training``: fitting that model on labelled stories and editors' decisions.

Quantity subjects are normalized at extraction through the rules' synonym
and alias tables; only demonym counts ("12 Somalis") need their story, here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from checker.models import Claim
    from checker.rules import Rules


def resolve_claims(claims: list[Claim], stories: dict[str, str], rules: Rules) -> list[Claim]:
    """Claims with person subjects linked within each story, demonym counts
    ("12 Somalis") given the subject their story counts with that owner, and
    figures for a named part of a count marked partial."""
    from checker.compare.quantities import mark_named_parts, resolve_demonyms, spread_sole_owner
    from checker.resolve.people import link_people

    claims = link_people(claims, stories, rules)
    pairs = [(stories.get(c.article, ""), c) for c in claims if c.kind == "quantity"]
    resolve_demonyms(pairs)
    spread_sole_owner(pairs)
    # After the owners spread: a part and the figure it names share the subject.
    mark_named_parts(pairs)
    return claims
