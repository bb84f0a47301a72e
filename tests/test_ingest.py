"""Reading inputs: ids, metadata, and bad input that is skipped, never fatal."""

from __future__ import annotations

import json

from checker.ingest import boilerplate_spans, read_inputs
from checker.rules import load_rules
from tests.conftest import ROOT


def test_folder_ids_are_relative_paths_and_meta_is_read(tmp_path):
    (tmp_path / "story").mkdir()
    (tmp_path / "story" / "a.txt").write_text("Headline\nBody text.", encoding="utf-8")
    (tmp_path / "story" / "meta.json").write_text(
        json.dumps({"a.txt": {"source": "Outlet", "published": "2024-11-05"}})
    )
    ing = read_inputs([tmp_path])
    assert [a.id for a in ing.articles] == ["story/a.txt"]
    a = ing.articles[0]
    assert (a.source, a.published, a.title) == ("Outlet", "2024-11-05", "Headline")
    assert ing.skipped == []


def test_a_file_given_directly_is_its_own_name_and_clashes_get_a_prefix(tmp_path):
    for d in ("x", "y"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "same.txt").write_text(f"Text {d}", encoding="utf-8")
    ing = read_inputs([tmp_path / "x", tmp_path / "y"])
    assert sorted(a.id for a in ing.articles) == ["x/same.txt", "y/same.txt"]
    ing = read_inputs([tmp_path / "x" / "same.txt"])
    assert ing.articles[0].id == "same.txt"


def test_bad_files_are_skipped_with_one_line_each(tmp_path):
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02abc")
    (tmp_path / "latin1.txt").write_bytes("line one\ncaf\xe9 au lait\n".encode("latin-1"))
    (tmp_path / "good.txt").write_text("A good article.", encoding="utf-8")
    (tmp_path / "picture.png").write_bytes(b"\x89PNG")
    ing = read_inputs([tmp_path, tmp_path / "missing.txt"])
    assert [a.id for a in ing.articles] == ["good.txt"]
    codes = {s.path.split("/")[-1]: (s.code, s.line) for s in ing.skipped}
    assert codes["empty.txt"][0] == "E202"
    assert codes["binary.txt"][0] == "E203"
    assert codes["latin1.txt"] == ("E204", 2)
    assert codes["picture.png"][0] == "E206"
    assert codes["missing.txt"][0] == "E201"
    for s in ing.skipped:
        assert "\n" not in s.message() and s.path in s.message()


def test_huge_file_is_skipped(tmp_path):
    (tmp_path / "big.txt").write_text("x" * 2000, encoding="utf-8")
    ing = read_inputs([tmp_path], max_bytes=1000)
    assert ing.articles == [] and ing.skipped[0].code == "E205"


def test_jsonl_records_and_malformed_lines(tmp_path):
    p = tmp_path / "batch.jsonl"
    p.write_text(
        "\n".join(
            [
                json.dumps({"id": "a1", "text": "First.", "source": "Wire", "story": "s1"}),
                "{not json",
                json.dumps({"id": "a2"}),
                json.dumps({"id": "a3", "text": "Third.", "published": "2024-01-02"}),
            ]
        ),
        encoding="utf-8",
    )
    ing = read_inputs([p])
    assert [a.id for a in ing.articles] == ["a1", "a3"]
    assert ing.articles[0].story == "s1" and ing.articles[0].source == "Wire"
    assert sorted((s.code, s.line) for s in ing.skipped) == [("E207", 2), ("E207", 3)]


def test_jsonl_of_labels_is_skipped_once(tmp_path):
    p = tmp_path / "expected.jsonl"
    p.write_text(json.dumps({"cluster": "x", "evidence": []}) + "\n" + json.dumps({"cluster": "y"}) + "\n")
    ing = read_inputs([p])
    assert ing.articles == [] and [s.code for s in ing.skipped] == ["E209"]


def test_html_main_text_is_extracted(tmp_path):
    body = "<p>" + " ".join(["The council approved 12 new schools for the district on Monday."] * 8) + "</p>"
    (tmp_path / "page.html").write_text(
        f"<html><head><title>Schools plan</title></head><body><nav>Menu</nav><article>{body}</article></body></html>",
        encoding="utf-8",
    )
    ing = read_inputs([tmp_path])
    assert len(ing.articles) == 1
    assert "12 new schools" in ing.articles[0].text


def test_boilerplate_spans_cover_link_lists_and_appeals():
    rules = load_rules(ROOT / "rules")
    text = (ROOT / "examples" / "seeds" / "000_e4cda37d1f651d99.txt").read_text(encoding="utf-8")
    spans = boilerplate_spans(text, rules.boilerplate)
    start = text.index("Read also:")
    assert spans and spans[0][0] == start and spans[-1][1] == len(text)
    assert "Sybiha met in Paris" in text[: spans[0][0]]


def test_since_leaves_older_files_unread(tmp_path, monkeypatch):
    import os
    from pathlib import Path

    (tmp_path / "old.txt").write_text("Old news\n\nIt happened long ago.\n", encoding="utf-8")
    (tmp_path / "new.txt").write_text("New news\n\nIt happened today.\n", encoding="utf-8")
    os.utime(tmp_path / "old.txt", (1_000_000_000, 1_000_000_000))
    import checker.ingest

    read: list[str] = []
    real = checker.ingest.read_bounded

    def counting(path, *args):
        read.append(Path(path).name)
        return real(path, *args)

    monkeypatch.setattr(checker.ingest, "read_bounded", counting)
    ing = read_inputs([tmp_path], since=1_500_000_000)
    assert [a.id for a in ing.articles] == ["new.txt"] and ing.old_files == 1
    assert read == ["new.txt"]
    assert [a.id for a in read_inputs([tmp_path]).articles] == ["new.txt", "old.txt"]
