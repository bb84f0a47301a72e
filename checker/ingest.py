"""Read files, folders and JSONL into Articles; report what could not be read.

Bad input never stops a run: each unreadable file or JSONL line becomes a
``Skipped`` entry with a one-line reason (printed, and listed in the report)
and the rest goes on. Ids and offsets follow DESIGN.md: the id is the path
relative to the folder given, and the text is kept exactly as decoded.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from checker.models import Article, Skipped
from checker.rules import BoilerplateRules

TEXT_SUFFIXES = {".txt", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
READ_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | {".jsonl"}
META_FILE = "meta.json"
DEFAULT_MAX_BYTES = 5_000_000


@dataclass
class Ingested:
    """What ingest produced: the articles, and the inputs it had to skip."""

    articles: list[Article] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    old_files: int = 0  # files left unread as older than ``since``


def _decode(path: Path, data: bytes, display: str, max_bytes: int) -> tuple[str | None, Skipped | None]:
    if len(data) > max_bytes:
        return None, Skipped(display, f"file is {len(data):,} bytes, over the {max_bytes:,}-byte limit", "E205")
    if not data.strip():
        return None, Skipped(display, "empty file", "E202")
    if b"\x00" in data[:8192]:
        return None, Skipped(display, "binary file (contains NUL bytes), not text", "E203")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, Skipped(display, f"not UTF-8 text: byte 0x{data[exc.start]:02x} at offset {exc.start}", "E204", line)


def _html_to_text(html: str) -> tuple[str, dict]:
    """Main text and metadata of an HTML page, via trafilatura.

    The publication date is taken from the page's metadata only (meta tags,
    structured data, the address): trafilatura's default extensive search
    would also take a date from the text and pass it off as the publication
    date. Where the metadata has none, htmldate's search of the whole page is
    kept as an estimate (``published_estimate``, basis ``html``).
    """
    import trafilatura

    from checker.dating import html_estimate

    text = trafilatura.extract(html, include_comments=False, include_tables=False) or ""
    meta = trafilatura.extract_metadata(html, extensive=False)
    info: dict = {}
    if meta is not None:
        info = {"title": meta.title, "source": meta.sitename, "published": meta.date, "url": meta.url}
    if not info.get("published"):
        found = html_estimate(html)
        if found:
            info.update(published_estimate=found, published_basis="html")
    if info.get("title") and not text.startswith(info["title"]):
        text = f"{info['title']}\n{text}"
    return text, info


def _headline(text: str) -> str | None:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return None


def _load_meta(folder: Path, skipped: list[Skipped], display: str) -> dict:
    p = folder / META_FILE
    if not p.is_file():
        return {}
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        skipped.append(Skipped(display, f"meta.json ignored: {exc}", "E208", line))
        return {}
    return data if isinstance(data, dict) else {}


def _read_jsonl(path: Path, text: str, display: str, out: Ingested, id_prefix: str) -> None:
    records = 0
    bad: list[Skipped] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            bad.append(Skipped(display, f"malformed JSON: {exc.msg}", "E207", n))
            continue
        if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
            bad.append(Skipped(display, "record has no 'text' string", "E207", n))
            continue
        records += 1
        if not rec["text"].strip():
            bad.append(Skipped(display, "record has empty text", "E202", n))
            continue
        rid = rec.get("id")
        rid = str(rid) if rid not in (None, "") else f"{Path(display).name}#{n}"
        out.articles.append(
            Article(
                id=id_prefix + rid,
                text=rec["text"],
                title=rec.get("title") or _headline(rec["text"]),
                source=rec.get("source"),
                published=rec.get("published"),
                url=rec.get("url"),
                story=rec.get("story"),
                path=f"{display}:{n}",
            )
        )
    if records == 0 and bad:
        # A JSONL of something else (labels, logs): one line, not one per record.
        out.skipped.append(Skipped(display, "no article records (no line has a 'text' field)", "E209"))
    else:
        out.skipped.extend(bad)


def _walk(root: Path) -> Iterator[Path]:
    for p in sorted(root.rglob("*")):
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts):
            yield p


def _plan(inputs: Iterable[str | Path], skipped: list[Skipped]) -> list[tuple[Path, str, Path]]:
    """(file, id, folder it was found in) for every readable input file."""
    plan: list[tuple[Path, str, Path]] = []
    for raw in inputs:
        root = Path(raw)
        if not root.exists():
            skipped.append(Skipped(str(raw), "no such file or folder", "E201"))
        elif root.is_dir():
            for p in _walk(root):
                rel = p.relative_to(root).as_posix()
                if p.name == META_FILE:
                    continue
                if p.suffix.lower() not in READ_SUFFIXES:
                    skipped.append(Skipped(str(p), f"unsupported file type '{p.suffix or p.name}'", "E206"))
                    continue
                plan.append((p, rel, root))
        else:
            plan.append((root, root.name, root.parent))
    # Two inputs giving one id: put the input's own name in front (DESIGN.md).
    seen: dict[str, int] = {}
    for _, rid, _ in plan:
        seen[rid] = seen.get(rid, 0) + 1
    return [
        (p, f"{base.name}/{rid}" if seen[rid] > 1 and base.name else rid, base) for p, rid, base in plan
    ]


def read_inputs(
    inputs: Iterable[str | Path],
    boilerplate: BoilerplateRules | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    since: float | None = None,
) -> Ingested:
    """Read every input into Articles, recording each skipped file or line.

    With ``since`` (epoch seconds), files last modified before it are not
    read at all: a nightly ``--since last`` over a growing archive reads only
    the new files. Ids are still given over every file found, so an article's
    id does not depend on ``since``.
    """
    out = Ingested()
    metas: dict[Path, dict] = {}
    for path, rid, _base in _plan(inputs, out.skipped):
        display = str(path)
        if since is not None:
            try:
                if path.stat().st_mtime < since:
                    out.old_files += 1
                    continue
            except OSError:
                pass  # reading it reports the problem
        try:
            data = path.read_bytes()
        except OSError as exc:
            out.skipped.append(Skipped(display, f"cannot read: {exc.strerror}", "E201"))
            continue
        if path.suffix.lower() == ".jsonl":
            text, err = _decode(path, data, display, max_bytes * 100)
            if err:
                out.skipped.append(err)
                continue
            _read_jsonl(path, text, display, out, "")
            continue
        text, err = _decode(path, data, display, max_bytes)
        if err:
            out.skipped.append(err)
            continue
        info: dict = {}
        if path.suffix.lower() in HTML_SUFFIXES:
            text, info = _html_to_text(text)
            if not text.strip():
                out.skipped.append(Skipped(display, "no article text found in the HTML", "E202"))
                continue
        folder = path.parent
        if folder not in metas:
            metas[folder] = _load_meta(folder, out.skipped, str(folder / META_FILE))
        meta = metas[folder].get(path.name) or {}
        if not isinstance(meta, dict):
            meta = {}
        out.articles.append(
            Article(
                id=rid,
                text=text,
                title=info.get("title") or _headline(text),
                source=meta.get("source") or info.get("source"),
                published=meta.get("published") or info.get("published"),
                url=meta.get("url") or info.get("url"),
                story=meta.get("story"),
                path=display,
                published_estimate=None if meta.get("published") else info.get("published_estimate"),
                published_basis=None if meta.get("published") else info.get("published_basis"),
            )
        )
    if boilerplate is not None:
        for a in out.articles:
            a.skip_spans = boilerplate_spans(a.text, boilerplate)
    return out


_LIST_LINE = re.compile(r"^\s*([-*•–—]|\d+[.)])\s+")


def boilerplate_spans(text: str, rules: BoilerplateRules) -> list[tuple[int, int]]:
    """Spans of ``text`` that rules/boilerplate.yaml marks as not the story.

    ``line`` covers the matching line; ``block`` the line and the list lines
    ("- ...") right after it (a "Read also" list); ``rest`` everything from the
    matching line to the end (donation appeals close an article).
    """
    spans: list[tuple[int, int]] = []
    lines: list[tuple[int, int]] = []
    pos = 0
    compiled, any_rx = _compile_boilerplate(tuple((p.pattern, p.extent) for p in rules.patterns))
    for line in text.splitlines(keepends=True):
        # One search per line for all patterns; most lines match none.
        if any_rx is None or any_rx.search(line):
            lines.append((pos, pos + len(line)))
        pos += len(line)
    for rx, extent in compiled:
        for s, e in lines:
            if not rx.search(text[s:e]):
                continue
            if extent == "rest":
                spans.append((s, len(text)))
            elif extent == "block":
                end = e
                for s2, e2 in _lines_after(text, e):
                    if _LIST_LINE.match(text[s2:e2]) or not text[s2:e2].strip():
                        end = e2
                    else:
                        break
                spans.append((s, end))
            else:
                spans.append((s, e))
    return _merge(spans)


@functools.lru_cache(maxsize=16)
def _compile_boilerplate(patterns: tuple[tuple[str, str], ...]) -> tuple[list[tuple[re.Pattern, str]], re.Pattern | None]:
    """Each pattern compiled, and all of them as one alternation (None when back-references forbid it)."""
    compiled = [(re.compile(p, re.IGNORECASE), extent) for p, extent in patterns]
    if not patterns or any(re.search(r"\\[1-9]|\(\?P=", p) for p, _ in patterns):
        return compiled, None
    try:
        return compiled, re.compile("|".join(f"(?:{p})" for p, _ in patterns), re.IGNORECASE)
    except re.error:  # e.g. a group name used twice
        return compiled, None


def _lines_after(text: str, pos: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each line of ``text`` from offset ``pos`` on."""
    for line in text[pos:].splitlines(keepends=True):
        yield pos, pos + len(line)
        pos += len(line)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out
