"""Extract claims from parsed articles: one spaCy pass, then one module per kind.

Each kind's extractor takes the parsed ``Doc`` of a whole article and returns
``Claim`` objects whose offsets index the article text exactly as read.
Sentences inside boilerplate spans (donation appeals, link lists) are skipped
by every extractor through ``Article.is_checked``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from checker.extract.quantities import extract_quantities

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from checker.models import Article, Claim
    from checker.rules import Rules

Extractor = Callable[["Doc", "Article", "Rules"], list["Claim"]]


def extractors() -> dict[str, Extractor]:
    """Every claim kind's extractor, by kind; modules register here."""
    table: dict[str, Extractor] = {"quantity": extract_quantities}
    try:
        from checker.extract.people import extract_people

        table["person"] = extract_people
    except ImportError:
        pass
    try:
        from checker.extract.dates import extract_dates

        table["date"] = extract_dates
    except ImportError:
        pass
    try:
        from checker.extract.places import extract_places

        table["location"] = extract_places
    except ImportError:
        pass
    return table


def extract_doc(doc: Doc, article: Article, rules: Rules, kinds: Iterable[str] | None = None) -> list[Claim]:
    """All claims of the requested kinds in one parsed article, in text order."""
    if article.skip_spans is None:
        from checker.ingest import boilerplate_spans

        article.skip_spans = boilerplate_spans(article.text, rules.boilerplate)
    wanted = set(kinds) if kinds else None
    claims: list[Claim] = []
    for kind, fn in extractors().items():
        if wanted is None or kind in wanted or (kind == "person" and wanted & {"title", "name"}):
            claims.extend(fn(doc, article, rules))
    claims.sort(key=lambda c: (c.start, c.end, c.kind))
    return claims


def parse_articles(
    nlp: Language, articles: list[Article], n_process: int = 1, batch_size: int = 32
) -> Iterator[tuple[Article, Doc]]:
    """Parse articles with ``nlp.pipe`` (in ``n_process`` processes), in order."""
    texts = ((a.text, a) for a in articles)
    for doc, art in nlp.pipe(texts, as_tuples=True, n_process=n_process, batch_size=batch_size):
        yield art, doc
