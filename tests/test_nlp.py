"""The pipeline's lookup-table attribute ruler annotates exactly as spaCy's own."""

from pathlib import Path

import pytest

from checker.nlp import FastAttributeRuler, fast_attribute_ruler, model_name

SEEDS = Path(__file__).resolve().parent.parent / "examples" / "seeds"
# Words the model's multi-word and word-specific rules are about, in context.
ODD = (
    "I ain't gonna pay, y'all know it. We're gon na win. She doesn't, he can't, they won't. "
    "'Tis the season; o'clock; whaddya want?  Two  spaces and a tab\there. US$5 bn."
)


def annotations(doc):
    return [(t.text, t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_, t.ent_type_) for t in doc]


@pytest.fixture(scope="module")
def pair():
    import spacy

    plain = spacy.load(model_name())
    fast = spacy.load(model_name())
    fast_attribute_ruler(fast)
    return plain, fast


def test_pipeline_uses_the_table(pair):
    plain, fast = pair
    assert "attribute_ruler" in plain.pipe_names
    assert "attribute_ruler" not in fast.pipe_names
    idx = fast.pipe_names.index("checker_attribute_ruler")
    assert fast.pipe_names[idx - 1] == "parser" and fast.pipe_names[idx + 1] == "lemmatizer"


def test_same_annotations_as_spacy(pair):
    plain, fast = pair
    texts = [p.read_text(encoding="utf-8-sig") for p in sorted(SEEDS.glob("*.txt"))] + [ODD]
    for a, b in zip(plain.pipe(texts), fast.pipe(texts), strict=True):
        assert annotations(a) == annotations(b)


def test_multi_word_rules_apply(pair):
    _, fast = pair
    doc = fast("We're gon na win.")
    lemmas = {t.text: t.lemma_ for t in doc}
    assert lemmas["gon"] == "go" and lemmas["na"] == "to"


def test_unsupported_pattern_keeps_spacys_ruler():
    import spacy

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"LENGTH": 3}]], {"POS": "NOUN"})
    with pytest.raises(ValueError):
        FastAttributeRuler(ruler)
    fast_attribute_ruler(nlp)
    assert nlp.pipe_names == ["attribute_ruler"]


def test_pickles_for_spawned_processes(pair):
    """nlp.pipe(n_process=...) pickles the pipeline where processes are spawned."""
    import pickle

    _, fast = pair
    ruler = fast.get_pipe("checker_attribute_ruler")
    again = pickle.loads(pickle.dumps(ruler))

    def tagged():
        doc = fast.make_doc("We're gon na win, y'all.")
        for name in ("tok2vec", "tagger", "parser"):
            doc = fast.get_pipe(name)(doc)
        return doc

    a, b = ruler(tagged()), again(tagged())
    assert [(t.pos_, t.lemma_, str(t.morph)) for t in a] == [(t.pos_, t.lemma_, str(t.morph)) for t in b]
    assert [t.lemma_ for t in b if t.text in ("gon", "na")] == ["go", "to"]
