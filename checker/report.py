"""Render a run in two steps: a plain JSON-serialisable model, then Jinja2.

The model holds everything the page shows (summary, conflicts with each
quote cut into before / claim / after, the texts of the articles they quote
with every claim's offsets, skipped inputs, decisions), so the view has no
logic beyond layout and tests can check the model directly.

The page is one self-contained file: styles and script inline, no network.
The script renders the conflict list from the model embedded as JSON; a
server-rendered copy of the first conflicts keeps the page readable without
script. Article and rule text is untrusted: every page is rendered with
autoescape, the embedded JSON cannot close its element, the script writes
data only as text nodes, and a Content-Security-Policy lets only the page's
own script (by hash) run.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import math
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from checker.models import stable_id

if TYPE_CHECKING:
    import pandas as pd

    from checker.pipeline import RunResult

TEMPLATES = Path(__file__).parent / "templates"
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
# Conflicts the page renders on the server (readable without script, printable).
STATIC_LIMIT = 200
# Story tables rendered on the server: whole stories, most conflicts first, while their
# cell entries stay within this budget (the first story always, whatever its size).
STATIC_TABLE_LIMIT = 2000
# Placeholder ``checker serve`` replaces with its <meta> tags (API, CSRF token).
SERVE_SLOT = "<!--checker:serve-->"


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["tojson_safe"] = lambda obj: Markup(json_for_script(obj))
    env.filters["safe_url"] = safe_url
    return env


def json_for_script(obj: Any) -> str:
    """JSON that is safe inside a <script type="application/json"> element.

    ``<``, ``>`` and ``&`` are escaped as \\u003c etc. so article text such as
    ``</script><script>`` cannot close the element.
    """
    s = json.dumps(obj, ensure_ascii=False, sort_keys=True)
    return (
        s.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def safe_url(url: Any) -> str | None:
    """``url`` when it is an http(s) address, else None (no javascript: or data: links)."""
    if not isinstance(url, str):
        return None
    u = url.strip()
    try:
        scheme = urlsplit(u).scheme.lower()
    except ValueError:
        return None
    return u if scheme in ("http", "https") else None


def _finite(obj: Any) -> Any:
    """A copy of ``obj`` with infinite and NaN floats as None (JSON has neither)."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


def _quote(text: str, entry: dict[str, Any]) -> dict[str, str]:
    s, e = entry["sentence_start"], entry["sentence_end"]
    a, b = entry["start"], entry["end"]
    s, e = min(s, a), max(e, b)
    return {"before": text[s:a], "match": text[a:b], "after": text[b:e]}


def run_key(info: dict[str, Any]) -> str:
    """The key the page keeps its decisions under: the store's run id and the run's start.

    Every store numbers its runs from 1, and reports opened from disk share one
    browser storage, so the id alone could mix two stores' runs.
    """
    rid = info.get("id")
    when = stable_id(str(info.get("started", "")), *map(str, info.get("inputs") or []))
    return f"{rid}-{when}" if isinstance(rid, (str, int)) else when


def _changes(info: dict[str, Any]) -> dict[str, Any] | None:
    """The run's "since the previous run" section (from the store), in one shape for the view.

    None when the run has no previous run to compare with.
    """
    ch = info.get("changes")
    if not isinstance(ch, dict):
        return None

    def entries(key: str) -> list[dict[str, Any]]:
        v = ch.get(key) or []
        if not isinstance(v, list):
            return []
        return [dict(x) if isinstance(x, dict) else {"id": str(x)} for x in v]

    prev = info.get("previous") if isinstance(info.get("previous"), dict) else None
    prev_id = (prev or {}).get("id", ch.get("previous_run"))
    if prev_id is None and prev is None:
        return None
    href = (prev or {}).get("report")
    # A relative path to the previous report, or an http(s) address; nothing else becomes a link.
    if href is not None and (not isinstance(href, str) or (urlsplit(href).scheme and not safe_url(href))):
        href = None
    unchanged = ch.get("unchanged")
    return {
        "new": [e["id"] for e in entries("new")],
        "changed": entries("changed"),
        "resolved": entries("resolved"),
        "unchanged": len(unchanged) if isinstance(unchanged, list) else int(unchanged or 0),
        "not_rechecked": (ch.get("counts") or {}).get("not_rechecked", 0),
        "previous": {
            "id": prev_id,
            "started": (prev or {}).get("started"),
            "href": href,
            "conflicts": (prev or {}).get("conflicts"),
        },
    }


def _conflict_dict(c: Any) -> dict[str, Any]:
    """``Conflict.to_dict()`` without ``asdict``'s deep copies (too slow for 5,000 conflicts), floats made JSON-safe."""
    d = {
        k: getattr(c, k)
        for k in ("id", "kind", "subject", "story", "severity", "explanation", "disagreement", "hint", "status")
    }
    d["decision"] = _finite(dict(c.decision)) if c.decision else None
    d["values"] = [
        {
            "value": v.value,
            "low": _finite(v.low),
            "high": _finite(v.high),
            "role": v.role,
            "claims": [_claim_copy(e) for e in v.claims],
        }
        for v in c.values
    ]
    return d


def _claim_copy(e: dict[str, Any]) -> dict[str, Any]:
    d = dict(e)
    for k in ("low", "high"):
        if isinstance(d.get(k), float) and not math.isfinite(d[k]):
            d[k] = None
    return d


def review_status(decision: dict[str, Any] | None) -> str:
    """open / confirmed / dismissed / follow_up: what the review filter sees."""
    if (
        not decision
        or decision.get("reopened")
        or decision.get("status") not in ("confirmed", "dismissed", "follow_up")
    ):
        return "open"
    return decision["status"]


def report_model(
    result: RunResult, previous: dict[str, Any] | None = None, claims: pd.DataFrame | None = None
) -> dict[str, Any]:
    """The report's content: a plain dict, JSON-serialisable.

    ``claims`` is the run's claim table (built from ``result`` when not given):
    each story's table (``tables``) comes from it, as ``checker table`` does.
    """
    arts = {a.id: a for a in result.articles}
    urls = {a.id: safe_url(a.url) for a in result.articles}
    conflicts = []
    quoted: dict[str, list[dict[str, Any]]] = {}
    for c in result.conflicts:
        d = _conflict_dict(c)
        outlets: set[str] = set()
        dates: set[str] = set()
        for i, v in enumerate(d["values"]):
            for entry in v["claims"]:
                a = arts.get(entry["article"])
                entry["quote"] = _quote(a.text if a else "", entry)
                entry["title"] = a.title if a else None
                entry["url"] = urls.get(entry["article"])
                entry["source"] = entry.get("source") or (a.outlet if a else entry["article"])
                entry["published"] = entry.get("published") or (a.published if a else None)
                outlets.add(entry["source"])
                if entry["published"]:
                    dates.add(str(entry["published"]))
                quoted.setdefault(entry["article"], []).append(
                    {"start": entry["start"], "end": entry["end"], "conflict": d["id"], "value": i}
                )
        d["outlets"] = sorted(outlets)
        d["dates"] = sorted(dates)
        d["review"] = review_status(d.get("decision"))
        conflicts.append(d)
    tables = _tables(result, claims)
    in_tables = {aid for t in tables.values() for col in t["columns"] for aid in col["articles"]}
    articles = _articles(result, quoted, in_tables)
    by_sev = Counter(c["severity"] for c in conflicts)
    summary = {
        "articles": len(result.articles),
        "claims": len(result.claims),
        "stories": len(set(result.stories.values())),
        "conflicts": len(conflicts),
        "outlets": len({o for c in conflicts for o in c["outlets"]}),
        "by_kind": dict(sorted(Counter(c["kind"] for c in conflicts).items())),
        "by_severity": {k: by_sev[k] for k in sorted(by_sev, key=lambda s: (SEVERITY_ORDER.get(s, 9), s))},
        "by_story": dict(sorted(Counter(c["story"] for c in conflicts).items(), key=lambda kv: (-kv[1], kv[0]))),
        "by_status": dict(sorted(Counter(c.get("status") or "new" for c in conflicts).items())),
        "by_review": dict(sorted(Counter(c["review"] for c in conflicts).items())),
        "skipped": len(result.skipped),
    }
    run = _finite(dict(result.info))
    run["key"] = run_key(result.info)
    return {
        "run": run,
        "changes": _changes(result.info),
        "summary": summary,
        "conflicts": conflicts,
        "articles": articles,
        "skipped": [s.__dict__ | {"message": s.message()} for s in result.skipped],
        "previous": previous,
        "tables": tables,
        "stories": _story_list(result, tables, summary["by_story"]),
    }


def _tables(result: RunResult, claims: pd.DataFrame | None) -> dict[str, dict[str, Any]]:
    """Every story's table (normalize.story_tables), conflicts marked."""
    from checker.normalize import claims_table, story_tables

    df = claims if claims is not None else claims_table(result.claims, result.stories)
    return story_tables(df, result.conflicts)


def _story_list(result: RunResult, tables: dict[str, dict[str, Any]], by_story: dict[str, int]) -> list[dict[str, Any]]:
    """Every story with a table: most conflicts first, then most articles (the order of the story picker)."""
    members = Counter(result.stories.get(a.id, "") for a in result.articles)
    out = [
        {
            "id": sid,
            "articles": members.get(sid, 0),
            "conflicts": by_story.get(sid, 0),
            "columns": len(t["columns"]),
            "rows": len(t["rows"]),
        }
        for sid, t in tables.items()
    ]
    return sorted(out, key=lambda s: (-s["conflicts"], -s["articles"], s["id"]))


def _articles(
    result: RunResult, quoted: dict[str, list[dict[str, Any]]], also: set[str] = frozenset()
) -> dict[str, dict[str, Any]]:
    """The texts of the articles quoted in conflicts or shown in a story table (``also``), each with all its claims' offsets."""
    wanted = set(quoted) | set(also)
    claims_by_article: dict[str, list[Any]] = {}
    for cl in result.claims:
        if cl.article in wanted:
            claims_by_article.setdefault(cl.article, []).append(cl)
    out = {}
    for a in result.articles:
        if a.id not in wanted:
            continue
        in_conflict = {(q["start"], q["end"]): q for q in quoted.get(a.id, ())}
        marks = []
        for cl in claims_by_article.get(a.id, []):
            q = in_conflict.pop((cl.start, cl.end), None)
            marks.append(
                {
                    "start": cl.start,
                    "end": cl.end,
                    "kind": cl.kind,
                    "subject": cl.subject,
                    "conflict": q["conflict"] if q else None,
                }
            )
        # Quoted claims the claim list does not hold (e.g. a model built by hand).
        marks.extend(
            {"start": q["start"], "end": q["end"], "kind": None, "subject": None, "conflict": q["conflict"]}
            for q in in_conflict.values()
        )
        marks.sort(key=lambda m: (m["start"], m["end"]))
        out[a.id] = {
            "id": a.id,
            "title": a.title,
            "source": a.outlet,
            "published": a.published,
            "url": safe_url(a.url),
            "text": a.text,
            "marks": marks,
        }
        if a.published_estimate and not a.published:  # estimated (checker/resolve/dating.py): shown as such
            out[a.id] |= {"published_estimate": a.published_estimate, "published_basis": a.published_basis}
    return out


@lru_cache(maxsize=4)
def _asset(name: str) -> str:
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    if "</script" in text.lower() or "</style" in text.lower():
        raise ValueError(f"{name} must not contain a closing script or style tag")
    return text


def _hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def content_security_policy(script: str, style: str) -> str:
    """The page's policy: only its own inline script and style (by hash) apply; nothing loads."""
    return (
        f"default-src 'none'; script-src '{_hash(script)}'; style-src '{_hash(style)}'; "
        "img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'"
    )


def static_conflicts(conflicts: list[dict[str, Any]], limit: int = STATIC_LIMIT) -> list[dict[str, Any]]:
    """The conflicts rendered on the server: most severe first, at most ``limit``."""
    order = sorted(conflicts, key=lambda c: (SEVERITY_ORDER.get(c["severity"], 9), c["story"], c["subject"], c["id"]))
    return order[:limit]


# A quoted claim in the page's data: one array in this order (the names are in the data too).
CLAIM_FIELDS = ("article", "start", "end", "attribution", "low", "high", "before", "match", "after", "display", "extra")


def page_data(model: dict[str, Any]) -> dict[str, Any]:
    """What the page's script reads: the model, lighter.

    A quoted claim's title, URL, outlet and date are its article's, so they are
    given once per article (``sources``); each quoted claim is an array in
    ``CLAIM_FIELDS`` order naming its article by index (``display`` null when it
    is the quoted text, ``extra`` holding scope or an outlet or date that differs
    from the article's); lists the script can rebuild (a conflict's outlets and
    dates, its review status) are left out, and the article texts go apart
    (``article_bundle``). At 5,000 conflicts the page is half the size, and
    the browser reads it in half the time.
    """
    arts = model["articles"]
    ids = sorted(arts)
    index = {aid: i for i, aid in enumerate(ids)}
    sources = {
        aid: {k: a[k] for k in ("title", "source", "published", "url")}
        | {k: a[k] for k in ("published_estimate", "published_basis") if a.get(k)}
        for aid, a in arts.items()
    }
    conflicts = []
    for c in model["conflicts"]:
        slim = {k: v for k, v in c.items() if k not in ("values", "outlets", "dates", "review")}
        slim["values"] = []
        for v in c["values"]:
            claims = []
            for e in v["claims"]:
                meta = sources.get(e["article"], {})
                quote = e.get("quote") or {"before": "", "match": e.get("text", ""), "after": ""}
                display = e.get("display") or e.get("text")
                extra = {k: e[k] for k in ("source", "published") if e.get(k) != meta.get(k)}
                if e.get("scope"):
                    extra["scope"] = e["scope"]
                claims.append(
                    [
                        index.get(e["article"], e["article"]),
                        e["start"],
                        e["end"],
                        e.get("attribution"),
                        e.get("low"),
                        e.get("high"),
                        quote["before"],
                        quote["match"],
                        quote["after"],
                        None if display == quote["match"] else display,
                        extra or 0,
                    ]
                )
            slim["values"].append({k: v.get(k) for k in ("value", "low", "high", "role")} | {"claims": claims})
        conflicts.append(slim)
    # The run's own copies of the changes and skipped inputs are in the model already.
    run = {k: v for k, v in model["run"].items() if k not in ("changes", "skipped", "previous")}
    return {k: v for k, v in model.items() if k not in ("articles", "conflicts", "previous", "run", "tables")} | {
        "run": run,
        "conflicts": conflicts,
        "sources": sources,
        "article_ids": ids,
        "claim_fields": list(CLAIM_FIELDS),
    }


def table_bundle(model: dict[str, Any]) -> dict[str, Any]:
    """The story tables as the page's script reads them (parsed only when a table is opened).

    Columns are ``[key, outlet known, [article index...], published]``; rows
    ``[key, kind, subject, [conflict ids], [hints], cells]``; each cell null or a
    list of entries in ``ENTRY_FIELDS`` order, articles by their index in
    ``article_ids``, as in the conflicts' data.
    """
    from checker.normalize import ENTRY_FIELDS

    index = {aid: i for i, aid in enumerate(sorted(model["articles"]))}
    stories = {}
    for sid, t in model.get("tables", {}).items():
        cols = [
            [c["key"], int(c["outlet"]), [index.get(a, a) for a in c["articles"]], c["published"]] for c in t["columns"]
        ]
        rows = []
        for r in t["rows"]:
            # ENTRY_FIELDS order, spelled out: this runs once per value of a night's claims.
            cells = [
                None
                if cell is None
                else [
                    [
                        e["value"],
                        e["attribution"],
                        index.get(e["article"], e["article"]),
                        e["start"],
                        e["end"],
                        e["conflict"],
                        e["role"],
                        e["count"],
                    ]
                    for e in cell
                ]
                for cell in r["cells"]
            ]
            rows.append([r["key"], r["kind"], r["subject"], r["conflicts"], r["hints"], cells])
        stories[sid] = {"columns": cols, "rows": rows}
    return {"entry_fields": list(ENTRY_FIELDS), "stories": stories}


def static_tables(model: dict[str, Any], limit: int = STATIC_TABLE_LIMIT) -> list[dict[str, Any]]:
    """The story tables rendered on the server, in the story picker's order, within ``limit`` cell entries."""
    out, used = [], 0
    for s in model.get("stories", []):
        t = model["tables"].get(s["id"])
        if t is None:
            continue
        size = sum(len(c) for r in t["rows"] for c in r["cells"] if c)
        if out and used + size > limit:
            break
        out.append(t)
        used += size
    return out


# Article texts above this size are embedded gzip-compressed (decoded when an article is opened).
PLAIN_ARTICLES_LIMIT = 1_000_000


def article_bundle(model: dict[str, Any]) -> tuple[str, str]:
    """(encoding, payload) of the article texts with their claim marks: JSON, or gzip+base64 when large."""
    arts = {aid: {"text": a["text"], "marks": a["marks"]} for aid, a in model["articles"].items()}
    text = json_for_script(arts)
    if len(text) <= PLAIN_ARTICLES_LIMIT:
        return "json", text
    raw = json.dumps(arts, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return "gzip+base64", base64.b64encode(gzip.compress(raw, compresslevel=6, mtime=0)).decode("ascii")


def render_html(
    model: dict[str, Any], static_limit: int = STATIC_LIMIT, static_table_limit: int = STATIC_TABLE_LIMIT
) -> str:
    """report.html from a report model."""
    script, style = _asset("report.js"), _asset("report.css")
    encoding, articles = article_bundle(model)
    static = static_conflicts(model["conflicts"], static_limit)
    return (
        _env()
        .get_template("report.html")
        .render(
            m=model,
            page=page_data(model),
            articles=Markup(articles),
            articles_encoding=encoding,
            tables=Markup(json_for_script(table_bundle(model))),
            static=static,
            static_ids={c["id"] for c in static},
            static_tables=static_tables(model, static_table_limit),
            story_anchor={s["id"]: f"t-{i}" for i, s in enumerate(model.get("stories", []))},
            script=Markup(script),
            style=Markup(style),
            csp=content_security_policy(script, style),
            serve_slot=Markup(SERVE_SLOT),
        )
    )


def render_report(result: RunResult, previous: dict[str, Any] | None = None, claims: pd.DataFrame | None = None) -> str:
    """report.html for a run: one self-contained, escaped HTML page (``claims``: the run's claim table, if built)."""
    return render_html(report_model(result, previous, claims))
