"""Score quantity extraction on hand-labelled sentences (tests/golden/quantities.jsonl).

Each golden line is one real sentence with every quantity it states. The
sentence is extracted as a one-sentence article; predictions are matched to
gold items by value (ranges by both ends), then the match is checked for
qualifier, unit and subject. quantulum3 alone is scored in the same run on
the same sentences, as the baseline the issue asks to beat.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.models import Article

FIELDS = ("value", "value+qualifier", "value+unit", "value+subject")
# The peer sets' units compared by meaning (``peer_same_meaning``), beside the strict name match.
NORMALISED = "value+unit normalised"


@dataclass
class Tally:
    """True positives per field, and counts of predictions and gold items."""

    predicted: int = 0
    gold: int = 0
    tp: dict[str, int] = field(default_factory=lambda: dict.fromkeys((*FIELDS, NORMALISED), 0))

    def prf(self, f: str) -> tuple[float, float, float]:
        """Precision, recall, F1 of one field."""
        tp = self.tp[f]
        p = tp / self.predicted if self.predicted else 0.0
        r = tp / self.gold if self.gold else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _num(v: Any) -> tuple[float, float] | None:
    if isinstance(v, (list, tuple)) and len(v) == 2:
        return float(v[0]), float(v[1])
    if isinstance(v, (int, float)):
        return float(v), float(v)
    return None


def same_value(a: Any, b: Any) -> bool:
    """Values equal within 0.5% (a range equals a range with the same ends)."""
    x, y = _num(a), _num(b)
    if x is None or y is None:
        return False
    return all(abs(p - q) <= max(abs(p), abs(q)) * 0.005 + 1e-9 for p, q in zip(x, y))


def _singular(w: str) -> str:
    w = w.lower().strip()
    if w in ("people", "persons"):
        return "people"
    for suf, rep in (("ies", "y"), ("men", "man"), ("ses", "s"), ("s", "")):
        if w.endswith(suf) and len(w) > len(suf) + 2:
            return w[: -len(suf)] + rep
    return w


def same_unit(pred: str | None, gold: str | None) -> bool:
    """Units equal after case and plural folding (null equals null)."""
    if not pred or not gold:
        return not pred and not gold
    return _singular(pred) == _singular(gold) or pred.lower() == gold.lower()


def _words(s: str | None) -> set[str]:
    return {_singular(w) for w in re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", (s or "").lower()) if len(w) > 1}


def same_subject(pred: str | None, gold: str | None, unit: str | None = None) -> bool:
    """Subjects meet when the gold head noun is among the predicted words, or they overlap by half."""
    p, g = _words(pred), _words(gold)
    if not p or not g:
        return False
    head = _singular((gold or "").split()[-1])
    if head in p:
        return True
    return len(p & g) / len(p | g) >= 0.5


def _match(preds: list[dict], gold: list[dict], tally: Tally) -> None:
    tally.predicted += len(preds)
    tally.gold += len(gold)
    used: set[int] = set()
    for g in gold:
        for i, p in enumerate(preds):
            if i in used or not same_value(p["value"], g["value"]):
                continue
            used.add(i)
            tally.tp["value"] += 1
            tally.tp["value+qualifier"] += p.get("qualifier", "=") == g.get("qualifier", "=")
            tally.tp["value+unit"] += same_unit(p.get("unit"), g.get("unit"))
            tally.tp["value+subject"] += same_subject(p.get("subject"), g.get("subject"))
            break


def checker_predictions(sentences: list[dict], rules: Any, nlp: Any) -> list[list[dict]]:
    """checker's quantity claims for each golden sentence."""
    from checker.extract.quantities import extract_quantities

    out = []
    texts = [s["text"] for s in sentences]
    for s, doc in zip(sentences, nlp.pipe(texts)):
        art = Article(id=s["id"], text=s["text"])
        out.append([c.to_dict() for c in extract_quantities(doc, art, rules)])
    return out


def quantulum_predictions(sentences: list[dict], rules: Any) -> list[list[dict]]:
    """quantulum3 alone on each sentence: value and unit (it has no hedges or subjects)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from quantulum3 import parser

    out = []
    for s in sentences:
        preds = []
        try:
            quants = parser.parse(s["text"])
        except Exception:  # the baseline is scored as it is, errors included
            quants = []
        for q in quants:
            unit = q.unit.name
            iso = rules.lookup("currency", unit) if unit else None
            if unit in ("dimensionless", ""):
                unit = None
            elif unit == "percentage":
                unit = "%"
            preds.append({"value": q.value, "qualifier": "=", "unit": iso or unit, "subject": None})
        out.append(preds)
    return out


def score(golden: Path | str, rules: Any = None, nlp: Any = None) -> dict[str, Tally]:
    """Tallies for checker and for quantulum3 alone over one golden file."""
    from checker.nlp import load_pipeline
    from checker.rules import load_rules

    rules = rules or load_rules()
    nlp = nlp or load_pipeline(rules)
    sentences = [json.loads(line) for line in Path(golden).read_text(encoding="utf-8").splitlines() if line.strip()]
    tallies = {"checker": Tally(), "quantulum3": Tally()}
    for name, preds in (
        ("checker", checker_predictions(sentences, rules, nlp)),
        ("quantulum3", quantulum_predictions(sentences, rules)),
    ):
        for s, p in zip(sentences, preds):
            _match(p, s["expect"], tallies[name])
    return tallies


def format_table(tallies: dict[str, Tally]) -> str:
    """A Markdown table: precision / recall / F1 per field per system."""
    lines = ["| system | field | precision | recall | F1 |", "| --- | --- | --- | --- | --- |"]
    for name, t in tallies.items():
        for f in FIELDS:
            p, r, f1 = t.prf(f)
            lines.append(f"| {name} | {f} | {p:.3f} | {r:.3f} | {f1:.3f} |")
    any_t = next(iter(tallies.values()))
    lines.append(
        f"\n{any_t.gold} gold quantities; predictions: " + ", ".join(f"{n} {t.predicted}" for n, t in tallies.items())
    )
    return "\n".join(lines)


def errors(golden: Path | str, rules: Any = None, nlp: Any = None) -> list[str]:
    """Human-readable misses and false alarms of checker, for tuning."""
    from checker.nlp import load_pipeline
    from checker.rules import load_rules

    rules = rules or load_rules()
    nlp = nlp or load_pipeline(rules)
    sentences = [json.loads(line) for line in Path(golden).read_text(encoding="utf-8").splitlines() if line.strip()]
    out = []
    for s, preds in zip(sentences, checker_predictions(sentences, rules, nlp)):
        used: set[int] = set()
        for g in s["expect"]:
            hit = next((i for i, p in enumerate(preds) if i not in used and same_value(p["value"], g["value"])), None)
            if hit is None:
                out.append(
                    f"MISS {s['id']}: {g['text']!r} {g['value']} {g['qualifier']} {g['unit']} | {s['text'][:160]}"
                )
                continue
            used.add(hit)
            p = preds[hit]
            bad = []
            if p["qualifier"] != g["qualifier"]:
                bad.append(f"q {p['qualifier']}!={g['qualifier']}")
            if not same_unit(p["unit"], g["unit"]):
                bad.append(f"unit {p['unit']}!={g['unit']}")
            if not same_subject(p["subject"], g["subject"]):
                bad.append(f"subj {p['subject']!r}!={g['subject']!r}")
            if bad:
                out.append(f"DIFF {s['id']}: {g['text']!r}: {'; '.join(bad)} | {s['text'][:120]}")
        for i, p in enumerate(preds):
            if i not in used:
                out.append(f"EXTRA {s['id']}: {p['display']!r} {p['value']} | {s['text'][:160]}")
    return out


# --- the peer's public test sets (../shared/corpus/quantities-peer) ------------------
#
# Four small sets published with CQE (Almasian et al., EMNLP 2023): sentences with every
# quantity's value and its unit named the way quantulum3's catalogue names units
# ("dollar", "pound sterling", "kilometre per hour", "year of age"). The published
# F1 of CQE and quantulum3 on each set, value / value+unit, from the same repository:
PEER_SETS = ("age", "currency", "dimension", "temperature")
PUBLISHED = {
    "CQE": {"age": (93.3, 93.3), "currency": (84.2, 79.6), "dimension": (86.5, 79.2), "temperature": (95.7, 92.8)},
    "quantulum3": {
        "age": (93.3, 84.4),
        "currency": (76.2, 32.5),
        "dimension": (83.6, 61.9),
        "temperature": (94.3, 74.3),
    },
}
AGE_RX = re.compile(r"\b(old|aged?|ages?|yo|y/o)\b", re.I)  # "yo": years old


def _peer_value(text: str) -> Any:
    """A peer value ("48200000", "10-20", "-5") as a number or a [low, high] range."""
    t = text.strip().replace(",", "")
    m = re.fullmatch(r"(-?[\d.]+(?:e[+-]?\d+)?)-(-?[\d.]+(?:e[+-]?\d+)?)", t)
    try:
        if m:
            return [float(m.group(1)), float(m.group(2))]
        return float(t)
    except ValueError:
        return None


def peer_sentences(path: Path | str) -> list[dict]:
    """One peer set in the golden format: text and expected value + unit name."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    out = []
    for i, s in enumerate(data):
        expect = []
        for q in s.get("quantities", []):
            v = _peer_value(str(q.get("value", "")))
            if v is not None:
                unit = q.get("normalized_unit")
                expect.append(
                    {"value": v, "unit": None if unit in (None, "", "-", "dimensionless") else unit, "qualifier": "="}
                )
        out.append({"id": f"{Path(path).stem}-{i}", "text": s["text"], "expect": expect})
    return out


def _unit_catalogue() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from quantulum3 import load

    return load.units("en_US")


def peer_unit(pred: dict, rules: Any, catalogue: Any) -> str | None:
    """checker's unit in the catalogue's naming, with what a rate is per ("dollar per share")."""
    base = _peer_base_unit(pred, rules, catalogue)
    per = (pred.get("scope") or {}).get("per")
    return f"{base} per {per}" if base and per else base


def _peer_base_unit(pred: dict, rules: Any, catalogue: Any) -> str | None:
    """checker's unit in the catalogue's naming: "USD" -> "dollar", "%" -> "percentage", "km" -> "kilometre".

    A number of years, months, weeks or days said with "old"/"aged" is an age ("year of age").
    """
    unit = pred.get("unit")
    if not unit:
        return None
    named = {
        "%": "percentage",
        "°C": "celsius",
        "°F": "fahrenheit",
        "degree": "degree",
        "mi": "mile",
        "nmi": "nautical mile",
        "ft": "foot",
        "lb": "pound-mass",
        "tonne": "metric ton",
        "mph": "mile per hour",
        "km/h": "kilometre per hour",
        "m²": "square metre",
        "km²": "square kilometre",
        "sq ft": "square foot",
        "sq mi": "square mile",
        "l": "litre",
        "ml": "millilitre",
    }
    if unit in named:
        return named[unit]
    # "50 cents" is 0.50 dollars to checker and 50 cents to the peer sets: the same amount.
    small = re.search(r"\b(cents?|pence|penny)\b", pred.get("display") or "", re.I)
    if small and unit in ("USD", "GBP", "EUR"):
        pred["value"] = [x * 100 for x in pred["value"]] if isinstance(pred["value"], list) else pred["value"] * 100
        return "penny" if unit == "GBP" else "cent"
    by_code = {u.currency_code: u.name for u in catalogue.names.values() if getattr(u, "currency_code", None)}
    if unit in by_code:
        return {"USD": "dollar", "GBP": "pound sterling"}.get(unit, by_code[unit])
    if re.fullmatch(r"[A-Z]{3}", unit):
        from babel import Locale

        name = Locale("en").currencies.get(unit)  # CLDR's English name of a code the catalogue lacks
        if name:
            return name.lower()
    if unit in ("year", "month", "week", "day") and AGE_RX.search(
        pred.get("sentence_text") or pred.get("display") or ""
    ):
        return f"{unit} of age"
    if unit in catalogue.names:
        return unit
    for table in (catalogue.symbols, catalogue.surfaces, catalogue.surfaces_lower, catalogue.symbols_lower):
        got = table.get(unit) or table.get(unit.lower())
        if got:
            return sorted(u.name for u in got)[0]
    return unit


def peer_same_unit(pred: str | None, gold: str | None) -> bool:
    """Strict: the peer's unit name is checker's in the catalogue's naming, after case and plural
    folding; "degree celsius" is "celsius" (the peer writes both)."""
    if same_unit(pred, gold):
        return True
    if not pred or not gold:
        return False
    return pred.lower().replace("degree ", "") == gold.lower().replace("degree ", "")


# Words the peer and checker both use for the same period in a rate ("per annum").
_PER_SYNONYMS = {"annum": "year", "yr": "year", "hr": "hour", "sec": "second", "min": "minute"}


def unit_meaning(name: str | None) -> tuple[str, str] | None:
    """What a unit name means, as a key two spellings of one unit share.

    ("currency", ISO code) for money: quantulum3's catalogue, then CLDR's English names and
    signs ("turkish lira", "₾"), then a bare ISO code; ("unit", catalogue name) for a unit
    quantulum3 knows under any of its names or symbols ("kilometres", "km", "metric ton" and
    "tonne" are one); ("count", "") for the peer's dimensionless count; ("noun", head) for
    anything else: a counted noun ("fighter jets" -> "jet"). None for no unit.
    """
    from checker.currency_names import currency_by_name, currency_by_sign

    if not name:
        return None
    n = unicodedata.normalize("NFKC", name.strip()).replace("μ", "µ")  # noqa: RUF001 - the micro sign the catalogue uses
    low = n.lower()
    if low in ("count", "dimensionless"):
        return ("count", "")
    cat = _unit_catalogue()
    u = cat.names.get(low)
    if u is None:
        got = (
            cat.surfaces_lower.get(low)
            or cat.surfaces_lower.get(_singular(low))
            or cat.symbols.get(n)
            or cat.symbols_lower.get(low)
        )
        if got and len({x.name for x in got}) == 1:
            u = next(iter(got))
    if u is not None and u.entity.name == "currency":
        code = getattr(u, "currency_code", None)
        if code:
            return ("currency", code)
    code = currency_by_name(low) or currency_by_name(_singular(low)) or currency_by_sign(n)
    if code:
        return ("currency", code)
    if re.fullmatch(r"[A-Z]{3}", n) and currency_by_name(n) is None:
        from checker.currency_names import _english_names

        if n in set(_english_names().values()):
            return ("currency", n)
    if u is not None and u.entity.name != "dimensionless":
        return ("unit", u.name)
    if u is not None and u.name == "count":
        return ("count", "")
    if u is not None:
        return ("unit", u.name)
    words = re.findall(r"[a-z]+", low)
    return ("noun", _singular(words[-1])) if words else ("noun", low)


@functools.lru_cache(maxsize=1)
def _inflect() -> Any:
    import inflect

    return inflect.engine()


def _noun_words(name: str) -> set[str]:
    """Each word of a noun phrase, as written and singular (inflect knows "houses" -> "house",
    which the suffix folding of ``_singular`` gets wrong)."""
    out: set[str] = set()
    for w in re.findall(r"[a-z]+", name.lower()):
        out |= {w, _singular(w), _inflect().singular_noun(w) or w}
    return out


def peer_same_meaning(pred: str | None, gold: str | None, counted: str | None = None) -> bool:
    """Normalised: the same unit by meaning, not by spelling.

    Money compares by ISO 4217 code (so "rupee" and "indian rupee" agree, "dollar" and
    "canadian dollar" do not); physical units by quantulum3's catalogue entry (so "km" and
    "kilometre" agree, "km" and "mile" do not); a rate part by part ("per annum" is "per
    year"). When the peer's unit is a counted noun ("fighter jet"), checker's counted noun
    agrees if it is one of its words ("jet"); the peer's "count" (a dimensionless number of
    times) agrees with no unit or a counted noun, never with a measure or money. ``counted`` is
    the noun as the claim's sentence wrote it, before checker folded it into a class ("houses"
    for "building"): the peer's counted noun agrees with it too.
    """
    if peer_same_unit(pred, gold):
        return True
    if not gold:
        return False
    g_parts = re.split(r"(?i) per ", gold)
    if not pred:
        return len(g_parts) == 1 and unit_meaning(gold) == ("count", "")
    p_parts = re.split(r"(?i) per ", pred)
    if len(p_parts) != len(g_parts):
        return False
    for i, (p, g) in enumerate(zip(p_parts, g_parts)):
        if i:
            p, g = _PER_SYNONYMS.get(p.lower(), p), _PER_SYNONYMS.get(g.lower(), g)
        if peer_same_unit(p, g):
            continue
        mp, mg = unit_meaning(p), unit_meaning(g)
        if mg is None or mp is None:
            return False
        if mg[0] == "count":
            if mp[0] not in ("noun", "count"):
                return False
        elif mg[0] == "noun":
            said = _noun_words(counted) if counted else set()
            if mp[0] != "noun" or (mp[1] not in _noun_words(g) and not (_noun_words(g.split()[-1]) & said)):
                return False
        elif mp != mg:
            return False
    return True


def _match_peer(preds: list[dict], gold: list[dict], tally: Tally) -> None:
    tally.predicted += len(preds)
    tally.gold += len(gold)
    used: set[int] = set()
    for g in gold:
        for i, p in enumerate(preds):
            if i in used or not same_value(p["value"], g["value"]):
                continue
            used.add(i)
            tally.tp["value"] += 1
            tally.tp["value+unit"] += peer_same_unit(p.get("peer_unit"), g.get("unit"))
            tally.tp[NORMALISED] += peer_same_meaning(
                p.get("peer_unit"), g.get("unit"), (p.get("extra") or {}).get("counted")
            )
            break


def score_peer(folder: Path | str, rules: Any = None, nlp: Any = None) -> dict[str, dict[str, Tally]]:
    """Tallies per peer set for checker and quantulum3 alone (value, value+unit)."""
    from checker.nlp import load_pipeline
    from checker.rules import load_rules

    rules = rules or load_rules()
    nlp = nlp or load_pipeline(rules)
    catalogue = _unit_catalogue()
    out: dict[str, dict[str, Tally]] = {}
    for name in PEER_SETS:
        path = Path(folder) / f"{name}.json"
        if not path.is_file():
            continue
        sentences = peer_sentences(path)
        tallies = {"checker": Tally(), "quantulum3": Tally()}
        ours = checker_predictions(sentences, rules, nlp)
        for s, preds in zip(sentences, ours):
            for p in preds:
                p["sentence_text"] = s["text"]
                p["peer_unit"] = peer_unit(p, rules, catalogue)
            _match_peer(preds, s["expect"], tallies["checker"])
        for s, preds in zip(sentences, quantulum_names(sentences)):
            _match_peer(preds, s["expect"], tallies["quantulum3"])
        out[name] = tallies
    return out


def quantulum_names(sentences: list[dict]) -> list[list[dict]]:
    """quantulum3 alone, its units named as its catalogue names them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from quantulum3 import parser

    out = []
    for s in sentences:
        try:
            quants = parser.parse(s["text"])
        except Exception:  # the baseline is scored as it is, errors included
            quants = []
        out.append(
            [{"value": q.value, "peer_unit": None if q.unit.name == "dimensionless" else q.unit.name} for q in quants]
        )
    return out


def format_peer_table(tallies: dict[str, dict[str, Tally]]) -> str:
    """A Markdown table: F1 per set, value / value+unit strict / value+unit normalised, checker and
    quantulum3 measured here; CQE and quantulum3 as published (value / value+unit, CQE's naming)."""
    lines = [
        "| set | checker value F1 | checker value+unit F1 strict / normalised | quantulum3 here (value / strict / normalised) "
        "| CQE (published) | quantulum3 (published) |",
        "| --- | ---: | ---: | --- | --- | --- |",
    ]
    for name, t in tallies.items():
        ours, q3 = t["checker"], t["quantulum3"]
        cqe, q3p = PUBLISHED["CQE"][name], PUBLISHED["quantulum3"][name]
        lines.append(
            f"| {name} | {100 * ours.prf('value')[2]:.1f} | {100 * ours.prf('value+unit')[2]:.1f} / {100 * ours.prf(NORMALISED)[2]:.1f} | "
            f"{100 * q3.prf('value')[2]:.1f} / {100 * q3.prf('value+unit')[2]:.1f} / {100 * q3.prf(NORMALISED)[2]:.1f} | "
            f"{cqe[0]} / {cqe[1]} | {q3p[0]} / {q3p[1]} |"
        )
    return "\n".join(lines)


def peer_errors(folder: Path | str, rules: Any = None, nlp: Any = None) -> list[str]:
    """checker's misses, extras and unit mismatches on the peer sets, for reading as classes."""
    from checker.nlp import load_pipeline
    from checker.rules import load_rules

    rules = rules or load_rules()
    nlp = nlp or load_pipeline(rules)
    catalogue = _unit_catalogue()
    out = []
    for name in PEER_SETS:
        path = Path(folder) / f"{name}.json"
        if not path.is_file():
            continue
        sentences = peer_sentences(path)
        for s, preds in zip(sentences, checker_predictions(sentences, rules, nlp)):
            for p in preds:
                p["sentence_text"] = s["text"]
                p["peer_unit"] = peer_unit(p, rules, catalogue)
            used: set[int] = set()
            for g in s["expect"]:
                hit = next(
                    (i for i, p in enumerate(preds) if i not in used and same_value(p["value"], g["value"])), None
                )
                if hit is None:
                    out.append(f"MISS {s['id']}: {g['value']} {g['unit']} | {s['text'][:160]}")
                    continue
                used.add(hit)
                pu = preds[hit]["peer_unit"]
                if not peer_same_unit(pu, g["unit"]):
                    same = peer_same_meaning(pu, g["unit"], (preds[hit].get("extra") or {}).get("counted"))
                    how = "UNIT~" if same else "UNIT"
                    out.append(f"{how} {s['id']}: {g['value']} {pu}!={g['unit']} | {s['text'][:120]}")
            for i, p in enumerate(preds):
                if i not in used:
                    out.append(f"EXTRA {s['id']}: {p['display']!r} {p['value']} | {s['text'][:160]}")
    return out
