"""Render a run in two steps: a plain JSON-serialisable model, then Jinja2.

The model holds everything the page shows (summary, conflicts with each
quote cut into before / claim / after, skipped inputs, per-story tables), so
the view has no logic beyond layout and tests can check the model directly.
Every page is rendered with autoescape: article text is untrusted and must
never run as script in an editor's browser. The page is one self-contained
file: styles and script inline, no network.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

if TYPE_CHECKING:
    from checker.pipeline import RunResult

TEMPLATES = Path(__file__).parent / "templates"


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["tojson_safe"] = json_for_script
    return env


def json_for_script(obj: Any) -> str:
    """JSON that is safe inside a <script type="application/json"> element.

    ``<``, ``>`` and ``&`` are escaped as \\u003c etc. so article text such as
    ``</script><script>`` cannot close the element.
    """
    s = json.dumps(obj, ensure_ascii=False, sort_keys=True)
    return s.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _quote(text: str, entry: dict[str, Any]) -> dict[str, str]:
    s, e = entry["sentence_start"], entry["sentence_end"]
    a, b = entry["start"], entry["end"]
    s, e = min(s, a), max(e, b)
    return {"before": text[s:a], "match": text[a:b], "after": text[b:e]}


def report_model(result: RunResult, previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """The report's content: a plain dict, JSON-serialisable."""
    texts = {a.id: a.text for a in result.articles}
    arts = {a.id: a for a in result.articles}
    conflicts = []
    for c in result.conflicts:
        d = c.to_dict()
        outlets = set()
        for v in d["values"]:
            for entry in v["claims"]:
                entry["quote"] = _quote(texts.get(entry["article"], ""), entry)
                a = arts.get(entry["article"])
                entry["title"] = a.title if a else None
                entry["url"] = a.url if a else None
                outlets.add(entry.get("source") or entry["article"])
        d["outlets"] = sorted(outlets)
        conflicts.append(d)
    summary = {
        "articles": len(result.articles),
        "claims": len(result.claims),
        "stories": len(set(result.stories.values())),
        "conflicts": len(conflicts),
        "by_kind": dict(sorted(Counter(c["kind"] for c in conflicts).items())),
        "by_severity": dict(sorted(Counter(c["severity"] for c in conflicts).items())),
        "by_story": dict(sorted(Counter(c["story"] for c in conflicts).items())),
        "skipped": len(result.skipped),
    }
    return {
        "run": result.info,
        "summary": summary,
        "conflicts": conflicts,
        "skipped": [s.__dict__ | {"message": s.message()} for s in result.skipped],
        "previous": previous,
    }


def render_report(result: RunResult, previous: dict[str, Any] | None = None) -> str:
    """report.html for a run: one self-contained, escaped HTML page."""
    model = report_model(result, previous)
    return _env().get_template("report.html").render(m=model)
