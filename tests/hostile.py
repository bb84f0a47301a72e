"""A hostile-input corpus, built on the fly in a temporary folder (nothing big is committed).

``build(root)`` writes a folder of inputs a careless or hostile user could
hand checker (broken records, wrong field types, odd file names, special
files, sparse multi-gigabyte files, UTF-16, late NULs, formula payloads) and
returns the ``Case`` each must give: the file (and line) named, the error
code, or that it is read. tests/test_hostile.py runs it through ``read_inputs``
(fast) and through ``checker run`` (once, with the model). The README's
"Hostile input" table lists the same cases.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from checker.ingest import printable

SPARSE = 3 * 1024**3  # 3 GB, sparse: costs no disk, and must cost no reading
TEN = "Ten soldiers were killed in the attack on Monday, officials said."
TWELVE = "Twelve soldiers were killed in the attack on Monday, officials said."
FORMULA_ID = "=cmd|' /C calc'!A0"
FORMULA_SOURCE = '=HYPERLINK("http://example.invalid","x")'
RTL_TEXT = "Ceasefire talks\nالمسؤولون قالوا إن 40 شخصا قتلوا. Officials\u200b said 40\u200d people died."
SEPARATORS_TEXT = "Storm\u2028The storm\x85cut power\x1cto 21 homes."  # line breaks to splitlines(), not to JSONL
HUGE_CHARS = 1_000_001  # one over spaCy's max_length


@dataclass
class Case:
    """One hostile input and what it must give."""

    name: str  # what it is, for test ids and the README table
    path: str  # the path as checker prints it (printable form)
    code: str | None  # the error code of its one line; None: read without a line
    line: int | None = None  # the JSONL line named
    id: str | None = None  # for inputs that are read: the article id


def _jsonl_records() -> list[tuple[str, object, str | None, str | None]]:
    """(name, record or raw line, code, article id when read)."""
    nested = "[" * 100_000
    return [
        ("duplicate id, first", {"id": "dup", "story": "soldiers", "source": "Wire A", "text": TEN}, None, "dup"),
        (
            "duplicate id, other text",
            {"id": "dup", "story": "soldiers", "source": "Wire B", "text": TWELVE},
            "E222",
            "dup#2",
        ),
        (
            "duplicate record, same text",
            {"id": "dup", "story": "soldiers", "source": "Wire A", "text": TEN},
            "E222",
            None,
        ),
        ("story as a list", {"id": "r4", "story": ["x", "y"], "text": "Four people were hurt."}, "E220", "r4"),
        ("title as an object", {"id": "r5", "title": {"a": 1}, "text": "Five people were hurt."}, "E220", "r5"),
        ("source as a number", {"id": "r6", "source": 3, "text": "Six people were hurt."}, "E220", "r6"),
        ("url as a list", {"id": "r7", "url": ["http://a"], "text": "Seven people were hurt."}, "E220", "r7"),
        ("id as a list", {"id": ["x"], "text": "Eight people were hurt."}, "E220", "batch.jsonl#8"),
        ("published as a number", {"id": "r9", "published": 12345, "text": "Nine people were hurt."}, "E220", "r9"),
        ("published not a date", {"id": "r10", "published": "banana", "text": "Ten people were hurt."}, "E221", "r10"),
        ("lone surrogate in text", '{"id": "r11", "text": "Eleven people \\ud800 were hurt."}', "E225", "r11"),
        ("malformed JSON", "{not json", "E207", None),
        ("JSON nested 100,000 deep", nested, "E207", None),
        ("a 5,000-digit number", '{"id": "r14", "n": ' + "9" * 5000 + ', "text": "x"}', "E207", None),
        ("record without text", {"id": "r15"}, "E207", None),
        ("NUL in text", {"id": "r16", "text": "Sixteen\u0000people."}, "E203", None),
        ("empty text", {"id": "r17", "text": "   "}, "E202", None),
        (
            "formula id and outlet",
            {"id": FORMULA_ID, "source": FORMULA_SOURCE, "text": "The blast hurt 19 people."},
            None,
            FORMULA_ID,
        ),
        ("RTL and zero-width text", {"id": "rtl", "source": "@SUM(1+1)", "text": RTL_TEXT}, None, "rtl"),
        ("U+2028, U+0085, U+001C raw inside a string", {"id": "sep", "text": SEPARATORS_TEXT}, None, "sep"),
    ]


def build(root: Path, *, huge: bool = True) -> tuple[list[str], list[Case]]:
    """Write the corpus under ``root``; return (the inputs to give checker, the cases)."""
    d = root / "corpus"
    d.mkdir(parents=True)
    cases: list[Case] = []

    def case(name: str, rel: str | Path, code: str | None, line: int | None = None, aid: str | None = None) -> None:
        cases.append(Case(name, printable(d / rel), code, line, aid))

    (d / "good.txt").write_text(
        "Flood toll rises\nRescue workers said 200 people died in Valencia on Tuesday.\n", encoding="utf-8"
    )
    case("plain article", "good.txt", None, aid="good.txt")

    lines = []
    for n, (name, rec, code, aid) in enumerate(_jsonl_records(), start=1):
        lines.append(rec if isinstance(rec, str) else json.dumps(rec, ensure_ascii=False))
        case(f"JSONL: {name}", "batch.jsonl", code, n, aid)
    (d / "batch.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (d / "other.jsonl").write_text(
        json.dumps({"id": "dup", "text": "Nine soldiers were hurt."}) + "\n", encoding="utf-8"
    )
    case("id clash across inputs", "other.jsonl", "E222", 1, "dup#3")

    (d / "meta").mkdir()
    (d / "meta" / "a.txt").write_text("Storm\nThe storm destroyed 30 homes.\n", encoding="utf-8")
    (d / "meta" / "meta.json").write_text(
        json.dumps({"a.txt": {"story": ["x"], "published": "not a date", "source": "Outlet"}}), encoding="utf-8"
    )
    case("meta.json story as a list", "meta/meta.json", "E220")
    case("meta.json published not a date", "meta/meta.json", "E221")
    case("article beside a bad meta.json entry", "meta/a.txt", None, aid="meta/a.txt")
    (d / "deep").mkdir()
    (d / "deep" / "b.txt").write_text("Fire\nThe fire burned 12 homes.\n", encoding="utf-8")
    (d / "deep" / "meta.json").write_text("[" * 100_000, encoding="utf-8")
    case("meta.json nested 100,000 deep", "deep/meta.json", "E208")
    case("article beside a broken meta.json", "deep/b.txt", None, aid="deep/b.txt")

    # File names: Latin-1 bytes (not UTF-8), a newline, an unsupported type in Latin-1.
    latin = os.fsdecode(b"caf\xe9.txt")
    (d / latin).write_text("Cafe closes\nThe cafe employed 14 people.\n", encoding="utf-8")
    case("Latin-1 bytes in a file name", latin, None, aid="caf\\xe9.txt")
    (d / "two\nlines.txt").write_text("Odd name\nThe shop sold 15 books.\n", encoding="utf-8")
    case("a newline in a file name", "two\nlines.txt", None, aid="two\\x0alines.txt")
    (d / os.fsdecode(b"r\xe9sum\xe9.pdf")).write_bytes(b"%PDF-1.4")
    case("unsupported type, Latin-1 name", os.fsdecode(b"r\xe9sum\xe9.pdf"), "E206")

    # Special files in the folder.
    os.mkfifo(d / "fifo.txt")
    case("FIFO in a folder", "fifo.txt", "E223")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(str(d / "sock.txt"))
        case("socket in a folder", "sock.txt", "E223")
    except OSError:  # path too long for AF_UNIX on this machine
        pass
    finally:
        sock.close()
    os.symlink("loop2.txt", d / "loop1.txt")
    os.symlink("loop1.txt", d / "loop2.txt")
    case("symbolic link loop", "loop1.txt", "E223")
    case("symbolic link loop (other end)", "loop2.txt", "E223")
    os.symlink("nowhere.txt", d / "dangling.txt")
    case("dangling symbolic link", "dangling.txt", "E223")
    os.symlink(d, d / "self")
    case("symbolic link to a folder (here: a loop)", "self", "E223")
    os.symlink("good.txt", d / "link_to_good.txt")
    case("a link to a file already read", "link_to_good.txt", "E224")

    # Size: checked before a byte is read.
    for name in ("sparse.txt", "sparse.jsonl"):
        with open(d / name, "wb") as f:
            f.truncate(SPARSE)
        case(f"3 GB sparse file ({name})", name, "E205")
    with open(d / "toobig.txt", "wb") as f:
        f.truncate(5_000_001)
    case("5 MB + 1 byte", "toobig.txt", "E205")

    # Encodings.
    text16 = "Quake\nThe quake killed 16 people in Izmir.\n"
    (d / "utf16le.txt").write_bytes(b"\xff\xfe" + text16.encode("utf-16-le"))
    case("UTF-16 LE with BOM", "utf16le.txt", None, aid="utf16le.txt")
    (d / "utf16be.txt").write_bytes(b"\xfe\xff" + text16.replace("16", "18").encode("utf-16-be"))
    case("UTF-16 BE with BOM", "utf16be.txt", None, aid="utf16be.txt")
    (d / "utf32.txt").write_bytes(b"\xff\xfe\x00\x00" + text16.replace("16", "19").encode("utf-32-le"))
    case("UTF-32 LE with BOM", "utf32.txt", None, aid="utf32.txt")
    (d / "utf8bom.txt").write_bytes(b"\xef\xbb\xbf" + text16.replace("16", "17").encode("utf-8"))
    case("UTF-8 with BOM", "utf8bom.txt", None, aid="utf8bom.txt")
    (d / "utf16odd.txt").write_bytes(b"\xff\xfe" + "Broken".encode("utf-16-le") + b"\x41")
    case("UTF-16 BOM, odd byte count", "utf16odd.txt", "E204")
    (d / "latenul.txt").write_bytes(b"a" * 9000 + b"\x00" + b"b")
    case("NUL after the first 8 KB", "latenul.txt", "E203", 1)
    (d / "binary.txt").write_bytes(b"\x00\x01\x02abc")
    case("binary", "binary.txt", "E203", 1)
    (d / "latin1.txt").write_bytes("line one\ncaf\xe9 au lait\n".encode("latin-1"))
    case("not UTF-8 text", "latin1.txt", "E204", 2)
    (d / "empty.txt").write_bytes(b"")
    case("empty file", "empty.txt", "E202")
    (d / "blank.txt").write_bytes(b" \n\t\n")
    case("whitespace only", "blank.txt", "E202")
    (d / "picture.png").write_bytes(b"\x89PNG")
    case("unsupported type", "picture.png", "E206")
    inputs = [str(d)]
    if huge:  # read, then refused by the parser: only ``checker run`` gives its line (E299, by id)
        (d / "huge.txt").write_text(
            "Long\n" + "word " * ((HUGE_CHARS - 5) // 5) + "w" * ((HUGE_CHARS - 5) % 5), encoding="utf-8"
        )
    # Given directly on the command line.
    if os.path.exists("/dev/zero"):
        inputs.append("/dev/zero")
        cases.append(Case("/dev/zero given directly", "/dev/zero", "E223"))
    os.mkfifo(root / "direct.fifo")
    inputs.append(str(root / "direct.fifo"))
    cases.append(Case("a FIFO given directly", str(root / "direct.fifo"), "E223"))
    missing = root / os.fsdecode(b"gone-\xe9.txt")
    inputs.append(str(missing))
    cases.append(Case("a missing path with a Latin-1 name", printable(missing), "E201"))
    return inputs, cases
