"""Score quantity extraction on hand-labelled sentences (tests/golden/quantities.jsonl).

Each golden line is one real sentence with every quantity it states. The
sentence is extracted as a one-sentence article; predictions are matched to
gold items by value (ranges by both ends), then the match is checked for
qualifier, unit and subject. quantulum3 alone is scored in the same run on
the same sentences, as the baseline the issue asks to beat.
"""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.models import Article

FIELDS = ("value", "value+qualifier", "value+unit", "value+subject")


@dataclass
class Tally:
    """True positives per field, and counts of predictions and gold items."""

    predicted: int = 0
    gold: int = 0
    tp: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))

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
    lines.append(f"\n{any_t.gold} gold quantities; predictions: " + ", ".join(f"{n} {t.predicted}" for n, t in tallies.items()))
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
                out.append(f"MISS {s['id']}: {g['text']!r} {g['value']} {g['qualifier']} {g['unit']} | {s['text'][:160]}")
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
