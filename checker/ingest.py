"""Read files, folders and JSONL into Articles; report what could not be read.

Bad input never stops a run: each unreadable file, JSONL line or metadata
field becomes a ``Skipped`` entry with a one-line reason (printed, and listed
in the report) and the rest goes on. Ids and offsets follow DESIGN.md: the id
is the path relative to the folder given, and the text is kept exactly as
decoded.

Input is untrusted, so nothing here trusts a file to be what its name says:
the size is taken from ``stat`` before a byte is read and the read itself is
bounded (a 3 GB sparse file or ``/dev/zero`` costs nothing); only regular
files are opened, without blocking (a FIFO never hangs the run); symbolic
link loops, dangling links, sockets and devices in a folder are listed, not
followed; metadata fields have their types checked one by one; file names
that are not valid UTF-8 are shown with ``\\xNN`` escapes wherever they are
printed or stored; two articles with one id are kept apart, never merged.
"""

from __future__ import annotations

import codecs
import errno
import functools
import json
import logging
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.models import Article, Skipped
from checker.rules import PATTERN_TIMEOUT, BoilerplateRules, regex_module

TEXT_SUFFIXES = {".txt", ".md"}
HTML_SUFFIXES = {".html", ".htm"}
READ_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | {".jsonl"}
META_FILE = "meta.json"
DEFAULT_MAX_BYTES = 5_000_000
JSONL_FACTOR = 100  # a JSONL file holds many articles: it may be this many times larger
META_FACTOR = 10  # meta.json describes a whole folder
MAX_FIELD_CHARS = 2_000  # id, title, source, published, url, story: longer is not metadata
MAX_LINES_PER_FILE = 100  # bad records of one JSONL listed one by one; the rest in one line
MAX_DATE_CHARS = 100  # "Friday, Sep 10, 2010 | Updated 9:28 AM EDT" is 42; the date parser slows with length
TEXT_FIELDS = ("title", "source", "url")
# Byte-order marks, longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Control characters, and the bidirectional overrides that make a name display as another
# ("report\u202etxt.exe"): shown escaped in ids and messages.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


@dataclass
class Ingested:
    """What ingest produced: the articles, and the inputs it had to skip."""

    articles: list[Article] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    old_files: int = 0  # files left unread as older than ``since``
    # id -> (article, where it was read): finds a second article with one id.
    _ids: dict[str, tuple[Article, str]] = field(default_factory=dict, repr=False)

    def add(self, article: Article, where: str, line: int | None = None, skipped: list[Skipped] | None = None) -> None:
        """Add ``article``; one whose id is taken is kept apart (or dropped when identical), with a line.

        An id shared by two different articles (two JSONL lines, or two
        inputs) must never merge them: their claims would be counted twice
        and, worse, "Ten soldiers" against "Twelve soldiers" would be one
        article agreeing with itself. The second one gets ``id#2`` (``#3``...).
        The very same record twice (same text and metadata) is read once.
        """
        first = self._ids.get(article.id)
        if first is None:
            self._ids[article.id] = (article, f"{where}:{line}" if line else where)
            self.articles.append(article)
            return
        prev, prev_where = first
        lines = self.skipped if skipped is None else skipped
        if _same_record(prev, article):
            lines.append(
                Skipped(
                    where,
                    f"duplicate of article '{article.id}' at {prev_where} (same id, text and metadata); read once",
                    "E222",
                    line,
                )
            )
            return
        n = 2
        while f"{article.id}#{n}" in self._ids:
            n += 1
        new = f"{article.id}#{n}"
        lines.append(
            Skipped(
                where,
                f"article id '{article.id}' is already used at {prev_where}; this article is kept apart as '{new}'",
                "E222",
                line,
            )
        )
        article.id = new
        self._ids[new] = (article, f"{where}:{line}" if line else where)
        self.articles.append(article)


def _same_record(a: Article, b: Article) -> bool:
    return (a.text, a.title, a.source, a.published, a.url, a.story) == (
        b.text,
        b.title,
        b.source,
        b.published,
        b.url,
        b.story,
    )


def printable(name: str | os.PathLike) -> str:
    """``name`` as text that can always be printed, written as UTF-8 and stored.

    A file name is bytes: one that is not UTF-8 (Latin-1 ``caf\\xe9.txt``)
    reaches Python with surrogate escapes, which stderr, JSON, CSV, HTML and
    SQLite all refuse. Such bytes become ``\\xNN`` and control characters
    (a newline in a name would break the one-line messages) ``\\xNN`` too, so
    the result is deterministic, unambiguous and one line.
    """
    s = os.fspath(name)
    if isinstance(s, bytes):
        s = s.decode("utf-8", "surrogateescape")
    if _SURROGATE.search(s):
        try:
            s = s.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:  # a lone surrogate that is no escaped byte
            s = s.encode("utf-8", "backslashreplace").decode("utf-8")
    return _CONTROL.sub(_escape, s) if _CONTROL.search(s) else s


def _escape(m: re.Match) -> str:
    c = ord(m.group())
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def _valid_unicode(s: str) -> tuple[str, int]:
    """``s`` with lone surrogates (JSON allows ``"\\ud800"``) replaced by U+FFFD; and how many.

    One character for one, so offsets are unchanged; without this the text
    could not be hashed, stored or written out.
    """
    if not _SURROGATE.search(s):
        return s, 0
    return _SURROGATE.subn("\ufffd", s)


def _kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def read_bounded(path: Path, limit: int, display: str | None = None) -> tuple[bytes | None, Skipped | None]:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes, else why not.

    The size comes from ``stat`` before anything is read, and the read stops
    at ``limit + 1`` bytes whatever the size said (a file growing under us).
    The file is opened without blocking and checked again on the open
    descriptor, so a FIFO or device swapped in after the ``stat`` is not read.
    """
    display = display or printable(path)
    try:
        st = os.stat(path)
    except OSError as exc:
        return None, Skipped(display, _os_reason(exc), "E201")
    if not stat.S_ISREG(st.st_mode):
        return None, Skipped(display, f"{_kind(st.st_mode)}, not a regular file: not read", "E223")
    if st.st_size > limit:
        return None, Skipped(display, f"file is {st.st_size:,} bytes, over the {limit:,}-byte limit: not read", "E205")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        return None, Skipped(display, _os_reason(exc), "E201")
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None, Skipped(display, f"{_kind(st.st_mode)}, not a regular file: not read", "E223")
        chunks, got = [], 0
        while got <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
    except OSError as exc:
        return None, Skipped(display, _os_reason(exc), "E201")
    finally:
        os.close(fd)
    if got > limit:
        return None, Skipped(display, f"file grew past the {limit:,}-byte limit while being read: not read", "E205")
    return b"".join(chunks), None


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ENOENT:
        return "no such file or folder"
    if exc.errno == errno.ELOOP:
        return "symbolic link loop: not followed"
    return f"cannot read: {exc.strerror or exc}"


def _decode(data: bytes, display: str) -> tuple[str | None, Skipped | None]:
    """The text of ``data``: UTF-8 (BOM or not), or UTF-16/UTF-32 with a BOM.

    The BOM is not part of the text, so offsets index what follows it. A NUL
    anywhere (not only near the start) means binary: text editors never
    write one, and the rest of the program must not meet one.
    """
    encoding, bom = "utf-8", b""
    for mark, enc in BOMS:
        if data.startswith(mark):
            encoding, bom = enc, mark
            break
    if encoding == "utf-8" and b"\x00" in data:
        at = data.index(b"\x00")
        return None, Skipped(
            display, f"binary file (a NUL byte at offset {at:,}), not text", "E203", data[:at].count(b"\n") + 1
        )
    try:
        text = data[len(bom) :].decode(encoding)
    except UnicodeDecodeError as exc:
        start = exc.start + len(bom)
        if encoding == "utf-8":
            line = data[:start].count(b"\n") + 1
            return None, Skipped(display, f"not UTF-8 text: byte 0x{data[start]:02x} at offset {start}", "E204", line)
        return None, Skipped(
            display, f"not {encoding.upper()[:6]} text despite its byte-order mark: bad bytes at offset {start}", "E204"
        )
    if "\x00" in text:
        at = text.index("\x00")
        return None, Skipped(
            display, f"binary file (a NUL character at offset {at:,}), not text", "E203", text[:at].count("\n") + 1
        )
    if not text.strip():
        return None, Skipped(display, "empty file", "E202")
    return text, None


def _html_to_text(html: str) -> tuple[str, dict]:
    """Main text and metadata of an HTML page, via trafilatura.

    The publication date is taken from the page's metadata only (meta tags,
    structured data, the address): trafilatura's default extensive search
    would also take a date from the text and pass it off as the publication
    date. Where the metadata has none, htmldate's search of the whole page is
    kept as an estimate (``published_estimate``, basis ``html``).
    """
    import trafilatura

    from checker.resolve.dating import html_estimate

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
            return line.strip()[:MAX_FIELD_CHARS]
    return None


def _describe(v: Any) -> str:
    kind = {list: "a list", dict: "an object", bool: "true/false"}.get(type(v))
    if kind is None:
        kind = "a number" if isinstance(v, (int, float)) else type(v).__name__
    return kind


def _fields(rec: dict, where: str, line: int | None, skipped: list[Skipped], what: str = "") -> dict[str, str | None]:
    """The metadata fields of a JSONL record or meta.json entry, each checked on its own.

    ``title``, ``source``, ``url`` and ``published`` must be text (``id`` and
    ``story`` may also be whole numbers: archives number them). A field of
    another type, too long to be metadata, or a ``published`` that is no date
    is dropped with one line; the article itself is still read, since
    losing its text over a bad label would cost more than the label.
    """
    out: dict[str, str | None] = {}
    for key in ("id", "story", *TEXT_FIELDS, "published"):
        v = rec.get(key)
        if v is None or v == "":
            out[key] = None
            continue
        if key in ("id", "story") and isinstance(v, int) and not isinstance(v, bool):
            v = str(v)
        if not isinstance(v, str):
            try:
                shown = json.dumps(v, ensure_ascii=True)
            except (ValueError, RecursionError):
                shown = "..."
            shown = shown if len(shown) <= 40 else shown[:37] + "..."
            skipped.append(
                Skipped(where, f"{what}field '{key}' is {_describe(v)} ({shown}), not text: ignored", "E220", line)
            )
            out[key] = None
            continue
        v, _ = _valid_unicode(v)
        if len(v) > MAX_FIELD_CHARS:
            skipped.append(
                Skipped(
                    where,
                    f"{what}field '{key}' is {len(v):,} characters, over the {MAX_FIELD_CHARS:,} of metadata: ignored",
                    "E220",
                    line,
                )
            )
            out[key] = None
            continue
        if key == "published" and (len(v) > MAX_DATE_CHARS or not _is_date(v)):
            skipped.append(
                Skipped(
                    where,
                    f"{what}'published' {printable(v)[:60]!r} is not a date (expected e.g. 2024-11-05): ignored",
                    "E221",
                    line,
                )
            )
            out[key] = None
            continue
        out[key] = v
    return out


@functools.lru_cache(maxsize=4096)
def _is_date(text: str) -> bool:
    """Whether extraction will read ``text`` as a publication day (a night's articles share a few dates)."""
    from checker.dateparse import parse_published

    try:
        return parse_published(text) is not None
    except Exception:  # a date parser meeting hostile text: not a date, and not the run's end
        return False


def _json(text: str) -> Any:
    """``json.loads`` whose every failure is a ValueError (deep nesting included)."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    except ValueError as exc:
        if isinstance(exc, json.JSONDecodeError):
            raise
        raise ValueError("a number too long to read") from None  # Python's 4,300-digit cap


def _load_meta(folder: Path, skipped: list[Skipped], max_bytes: int) -> dict:
    p = folder / META_FILE
    display = printable(p)
    if not os.path.lexists(p):
        return {}
    data, err = read_bounded(p, max_bytes * META_FACTOR, display)
    if err is not None:
        skipped.append(Skipped(display, f"meta.json ignored: {err.reason}", "E208"))
        return {}
    try:
        text = data.decode("utf-8-sig")  # type: ignore[union-attr]
        meta = _json(text)
    except UnicodeDecodeError as exc:
        skipped.append(Skipped(display, f"meta.json ignored: not UTF-8 (byte at offset {exc.start})", "E208"))
        return {}
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        skipped.append(Skipped(display, f"meta.json ignored: {getattr(exc, 'msg', exc)}", "E208", line))
        return {}
    if not isinstance(meta, dict):
        skipped.append(
            Skipped(display, f"meta.json ignored: {_describe(meta)}, not an object of file name -> metadata", "E208")
        )
        return {}
    return meta


def _read_jsonl(text: str, display: str, out: Ingested, max_bytes: int) -> None:
    records = 0
    bad: list[Skipped] = []
    # Records end at "\n" only: str.splitlines() would also cut at U+2028, U+0085 and
    # friends, which JSON allows raw inside a string (json.dumps(ensure_ascii=False)).
    for n, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        if len(line) > max_bytes:
            bad.append(
                Skipped(
                    display,
                    f"record is {len(line):,} characters, over the {max_bytes:,} limit of one article",
                    "E205",
                    n,
                )
            )
            records += 1
            continue
        try:
            rec = _json(line)
        except ValueError as exc:
            bad.append(Skipped(display, f"malformed JSON: {getattr(exc, 'msg', exc)}", "E207", n))
            continue
        if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
            bad.append(Skipped(display, "record has no 'text' string", "E207", n))
            continue
        records += 1
        body, fixed = _valid_unicode(rec["text"])
        if not body.strip():
            bad.append(Skipped(display, "record has empty text", "E202", n))
            continue
        if "\x00" in body:
            bad.append(Skipped(display, "record text contains a NUL character: not text", "E203", n))
            continue
        if fixed:
            bad.append(
                Skipped(
                    display,
                    f"text has {fixed} invalid character(s) (lone surrogate escapes), read as U+FFFD",
                    "E225",
                    n,
                )
            )
        f = _fields(rec, display, n, bad)
        rid = printable(f["id"]) if f["id"] else f"{Path(display).name}#{n}"
        out.add(
            Article(
                id=rid,
                text=body,
                title=f["title"] or _headline(body),
                source=f["source"],
                published=f["published"],
                url=f["url"],
                story=f["story"],
                path=f"{display}:{n}",
            ),
            display,
            n,
            bad,
        )
    if records == 0 and bad:
        # A JSONL of something else (labels, logs): one line, not one per record.
        out.skipped.append(Skipped(display, "no article records (no line has a 'text' field)", "E209"))
    elif len(bad) > MAX_LINES_PER_FILE:
        # A million broken lines must not make a million-line report.
        out.skipped.extend(bad[:MAX_LINES_PER_FILE])
        rest = bad[MAX_LINES_PER_FILE:]
        codes = ", ".join(sorted({s.code for s in rest}))
        out.skipped.append(
            Skipped(
                display,
                f"{len(rest):,} more lines like these ({codes}) from line {rest[0].line} on, not listed",
                rest[0].code,
            )
        )
    else:
        out.skipped.extend(bad)


def _walk(root: Path, skipped: list[Skipped]) -> Iterator[Path]:
    """Every regular file under ``root`` (hidden names aside), in sorted order.

    Symbolic links to files are read; links to folders are not followed
    (a loop would never end), and dangling links, link loops, FIFOs, sockets
    and devices are each listed with a line instead of vanishing. Depth-first
    with a stack of its own, so a folder nested thousands deep is no
    RecursionError.
    """
    stack = [iter(_entries(root, skipped))]
    while stack:
        e = next(stack[-1], None)
        if e is None:
            stack.pop()
            continue
        p = Path(e.path)
        try:
            if e.is_symlink():
                try:
                    mode = os.stat(p).st_mode
                except OSError as exc:
                    why = f"symbolic link that cannot be followed ({exc.strerror})"
                    if exc.errno == errno.ELOOP:
                        why = "symbolic link loop"
                    elif exc.errno == errno.ENOENT:
                        why = "dangling symbolic link (its target is missing)"
                    skipped.append(Skipped(printable(p), f"{why}: skipped", "E223"))
                    continue
                if stat.S_ISDIR(mode):
                    skipped.append(Skipped(printable(p), "symbolic link to a folder: not followed", "E223"))
                    continue
            else:
                mode = e.stat(follow_symlinks=False).st_mode
                if stat.S_ISDIR(mode):
                    stack.append(iter(_entries(p, skipped)))
                    continue
        except OSError as exc:
            skipped.append(Skipped(printable(p), _os_reason(exc), "E201"))
            continue
        if not stat.S_ISREG(mode):
            skipped.append(Skipped(printable(p), f"{_kind(mode)}, not a regular file: skipped", "E223"))
            continue
        yield p


def _entries(folder: Path, skipped: list[Skipped]) -> list[os.DirEntry]:
    """The entries of ``folder`` not hidden, by name; a folder that cannot be listed is one line."""
    try:
        with os.scandir(folder) as it:
            return sorted((e for e in it if not e.name.startswith(".")), key=lambda e: e.name)
    except OSError as exc:
        skipped.append(Skipped(printable(folder), f"cannot read folder: {exc.strerror or exc}", "E201"))
        return []


def _plan(inputs: Iterable[str | Path], skipped: list[Skipped]) -> list[tuple[Path, str, Path]]:
    """(file, id, folder it was found in) for every readable input file."""
    plan: list[tuple[Path, str, Path]] = []
    for raw in inputs:
        root = Path(raw)
        if not root.exists():
            why = "no such file or folder"
            if os.path.lexists(root):
                why = "dangling symbolic link or link loop"
            skipped.append(Skipped(printable(raw), why, "E201"))
        elif root.is_dir():
            for p in _walk(root, skipped):
                if p.name == META_FILE:
                    continue
                if p.suffix.lower() not in READ_SUFFIXES:
                    skipped.append(
                        Skipped(printable(p), f"unsupported file type '{printable(p.suffix or p.name)}'", "E206")
                    )
                    continue
                plan.append((p, printable(p.relative_to(root).as_posix()), root))
        else:
            plan.append((root, printable(root.name), root.parent))
    # Two inputs giving one id: put the input's own name in front (DESIGN.md).
    seen: dict[str, int] = {}
    for _, rid, _ in plan:
        seen[rid] = seen.get(rid, 0) + 1
    return [(p, f"{printable(base.name)}/{rid}" if seen[rid] > 1 and base.name else rid, base) for p, rid, base in plan]


def read_inputs(
    inputs: Iterable[str | Path],
    boilerplate: BoilerplateRules | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    since: float | None = None,
) -> Ingested:
    """Read every input into Articles, recording each skipped file, line or field.

    With ``since`` (epoch seconds), files last modified before it are not
    read at all: a nightly ``--since last`` over a growing archive reads only
    the new files. Ids are still given over every file found, so an article's
    id does not depend on ``since``. A file reached twice (given twice, or
    through a link) is read once; ids two articles share are made distinct
    (``Ingested.add``).
    """
    out = Ingested()
    metas: dict[Path, dict] = {}
    files: dict[tuple[int, int], str] = {}
    for path, rid, _base in _plan(inputs, out.skipped):
        display = printable(path)
        try:
            st = path.stat()
        except OSError as exc:
            out.skipped.append(Skipped(display, _os_reason(exc), "E201"))
            continue
        if since is not None and st.st_mtime < since:
            out.old_files += 1
            continue
        if stat.S_ISREG(st.st_mode):
            if (st.st_dev, st.st_ino) in files:
                first = files[(st.st_dev, st.st_ino)]
                why = "given twice" if first == display else f"the same file as {first}"
                out.skipped.append(Skipped(display, f"{why}: read once", "E224"))
                continue
            files[(st.st_dev, st.st_ino)] = display
        jsonl = path.suffix.lower() == ".jsonl"
        data, err = read_bounded(path, max_bytes * JSONL_FACTOR if jsonl else max_bytes, display)
        if err is None:
            text, err = _decode(data, display)  # type: ignore[arg-type]
        if err is not None:
            out.skipped.append(err)
            continue
        if jsonl:
            _read_jsonl(text, display, out, max_bytes)  # type: ignore[arg-type]
            continue
        info: dict = {}
        if path.suffix.lower() in HTML_SUFFIXES:
            try:
                text, info = _html_to_text(text)  # type: ignore[arg-type]
            except ImportError:
                raise  # an install problem, not this file's: say it once, loudly
            except Exception as exc:  # a third-party parser meeting hostile markup
                out.skipped.append(
                    Skipped(display, f"HTML could not be parsed: {type(exc).__name__}: {exc}"[:300], "E226")
                )
                continue
            if not text.strip():
                out.skipped.append(Skipped(display, "no article text found in the HTML", "E202"))
                continue
        folder = path.parent
        if folder not in metas:
            metas[folder] = _load_meta(folder, out.skipped, max_bytes)
        entry = metas[folder].get(path.name)
        if entry is not None and not isinstance(entry, dict):
            where = printable(folder / META_FILE)
            out.skipped.append(
                Skipped(
                    where, f"entry for '{printable(path.name)}' is {_describe(entry)}, not an object: ignored", "E220"
                )
            )
        meta = (
            _fields(entry, printable(folder / META_FILE), None, out.skipped, f"'{printable(path.name)}': ")
            if isinstance(entry, dict)
            else {}
        )
        page = _fields(info, display, None, out.skipped, "HTML ") if info else {}
        out.add(
            Article(
                id=rid,
                text=text,  # type: ignore[arg-type]
                title=page.get("title") or _headline(text),  # type: ignore[arg-type]
                source=meta.get("source") or page.get("source"),
                published=meta.get("published") or page.get("published"),
                url=meta.get("url") or page.get("url"),
                story=meta.get("story"),
                path=display,
                published_estimate=None if meta.get("published") else info.get("published_estimate"),
                published_basis=None if meta.get("published") else info.get("published_basis"),
            ),
            display,
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

    Patterns run on ``regex`` with a time limit per line (rules.PATTERN_TIMEOUT).
    A pattern that runs out of time keeps that line as story text and is
    switched off for the rest of the run in this process, with one warning
    naming it: one bad pattern costs a night at most that limit per process,
    not that limit per line. (Load refuses the patterns that show this on
    test lines, so this is the net under that check.)
    """
    spans: list[tuple[int, int]] = []
    lines: list[tuple[int, int]] = []
    pos = 0
    rules_on = [p for p in rules.patterns if p.pattern not in _SWITCHED_OFF]
    key = tuple((p.pattern, p.extent) for p in rules_on)
    compiled, any_rx = _compile_boilerplate(key)
    if key in _SWITCHED_OFF:
        any_rx = None
    for line in text.splitlines(keepends=True):
        # One search per line for all patterns; most lines match none.
        found = _search(any_rx, line) if any_rx is not None else True
        if found is None:  # out of time: from now on every line is tried pattern by pattern
            _SWITCHED_OFF.add(key)
            any_rx = None
        if found is not False:
            lines.append((pos, pos + len(line)))
        pos += len(line)
    for (rx, extent), rule in zip(compiled, rules_on):
        for s, e in lines:
            found = _search(rx, text[s:e])
            if found is None:
                _switch_off(rule, text[s:e])
                break
            if not found:
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


def _search(rx: Any, line: str) -> bool | None:
    """Whether ``rx`` matches in ``line``; None when it ran out of time."""
    try:
        return rx.search(line, timeout=PATTERN_TIMEOUT) is not None
    except TimeoutError:
        return None


# Boilerplate patterns (and sets of them, searched as one) that ran out of time in this process.
_SWITCHED_OFF: set[Any] = set()


def _switch_off(rule: Any, line: str) -> None:
    _SWITCHED_OFF.add(rule.pattern)
    logging.getLogger("checker").warning(
        "[E109] %s: boilerplate pattern %r took over %s s on one line (%r...): switched off for the rest of "
        "this run; rewrite it",
        rule._where or "rules/boilerplate.yaml",
        rule.name,
        PATTERN_TIMEOUT,
        line[:40],
    )


@functools.lru_cache(maxsize=16)
def _compile_boilerplate(patterns: tuple[tuple[str, str], ...]) -> tuple[list[tuple[Any, str]], Any]:
    """Each pattern compiled (with ``regex``, for its time limit), and all of them as one alternation
    (None when back-references forbid it)."""
    rx_mod = regex_module()
    compiled = [(rx_mod.compile(p, rx_mod.IGNORECASE), extent) for p, extent in patterns]
    if not patterns or any(re.search(r"\\[1-9]|\(\?P=", p) for p, _ in patterns):
        return compiled, None
    try:
        return compiled, rx_mod.compile("|".join(f"(?:{p})" for p, _ in patterns), rx_mod.IGNORECASE)
    except rx_mod.error:  # e.g. a group name used twice
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
