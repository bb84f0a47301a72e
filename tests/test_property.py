"""Extraction never raises on odd text (hypothesis).

Very long sentences, numbers with thousands of digits, mixed scripts and
stray markup: a nightly run must not die on one strange article.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.extract.numbers import parse_digits, parse_fraction, parse_words, rounding_unit
from checker.extract.quantities import find_mentions

pieces = st.sampled_from(
    [
        "about",
        "more than",
        "$",
        "£",
        "€",
        "e",
        "p",
        "bn",
        "m",
        "%",
        " per cent",
        "-",
        "–",
        " to ",
        " and ",
        "between ",
        "million",
        "thousand",
        "half",
        "two-thirds",
        "a dozen",
        "½",
        ",",
        ".",
        " ",
        "\n",
        "<b>",
        "</script>",
        "Київ",
        "北京",
        "٣٤",
        "𝟙𝟚",
        "\u200b",
        "\ufeff",
        "9" * 400,
        "0.000001",
        "1,000,000,000,000,000,000,000",
        "eleven thousand",
        "twenty-five",
        "7.3-magnitude",
        "2.15pm",
        "2012–13",
        "AK-47",
        "troops",
        "people",
        "killed",
    ]
)
odd_text = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(pieces, st.integers(min_value=-(10**30), max_value=10**30).map(str)), max_size=60).map("".join),
)


@given(odd_text)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_find_mentions_never_raises(rules, text):
    for m in find_mentions(text, rules):
        assert 0 <= m.start <= m.end <= len(text)
        assert text[m.start : m.end] == m.text


@given(st.text(max_size=60))
@settings(max_examples=300, deadline=None)
def test_number_parsers_never_raise(text):
    parse_words(text)
    parse_fraction(text)
    try:
        v = parse_digits(text)
    except ValueError:
        return
    rounding_unit(text, v)


@pytest.mark.slow
@given(odd_text)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
def test_whole_extraction_never_raises(nlp, rules, text):
    from checker.extract import extract_doc
    from checker.models import Article

    art = Article(id="odd", text=text)
    for c in extract_doc(nlp(text), art, rules):
        assert 0 <= c.start <= c.end <= len(text)
        assert text[c.start : c.end] == c.text
        assert c.low is None or c.high is None or c.low <= c.high


@pytest.mark.parametrize("text", ["0/0", "3/0", "1 2/0"])
def test_a_fraction_over_zero_is_refused_not_a_crash(text):
    with pytest.raises(ValueError):
        parse_digits(text)
