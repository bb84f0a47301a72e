"""The story table in Chromium: the seed story's grid, a cell opening its quote, filters, hidden columns,
print, the page without script, and hostile article text that never runs.

Uses the browser fixtures of tests/test_browser.py (Debian's Chromium through Playwright).
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from checker import report
from checker.pipeline import run
from tests import test_browser
from tests.conftest import SEEDS
from tests.reportdata import synthetic_result
from tests.test_browser import PAYLOAD, VIEWPORT, payload_extractor
from tests.test_report import _jsonl

# The browser fixtures of test_browser.py (one Chromium per session, a fresh context per test).
browser = test_browser.browser
tab = test_browser.tab

pytestmark = pytest.mark.browser

NK = "004_8962125786f8b111.txt"
FR = "000_e4cda37d1f651d99.txt"


def open_story(t, path, story: str):
    page = t.open(path.as_uri() + "#story=" + quote(story))
    page.wait_for_selector("#story-view:not([hidden])[data-complete='1'] table.story-table")
    return page


def cell(page, subject: str, column: str):
    """The cell of a row (by subject) under a column (by its key)."""
    i = page.locator("#story-view thead th").evaluate_all(
        "(ths, key) => ths.findIndex(th => th.dataset.column === key)", column
    )
    assert i > 0, f"no column {column}"
    return page.locator(f'#story-view tbody tr[data-subject="{subject}"]').first.locator(f"xpath=./*[{i + 1}]")


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    out = tmp_path_factory.mktemp("seeds-table")
    res = run([SEEDS], out_dir=out, store=None, n_process=1)
    return out / "report.html", res


@pytest.mark.slow
def test_seed_story_table(tab, seeds):
    path, res = seeds
    (story,) = set(res.stories.values())
    page = open_story(tab, path, story)
    # North Korean troops: 10,000 / 11,000 / 12,000 under the article that gives them, each with who said it.
    troops = cell(page, "north korean troops", NK)
    assert troops.locator(".entry .entry-value").all_inner_texts() == ["10,000", "11,000", "12,000"]
    assert "US State Department" in troops.inner_text() and "Zelenskyy" in troops.inner_text()
    assert "in-conflict" in troops.get_attribute("class")
    assert cell(page, "north korean troops", FR).locator(".entry-value").all_inner_texts() == ["about 11,000"]
    # The hint: 11,000 is what most gave, 10,000 and 12,000 stand alone.
    assert troops.locator(".entry").evaluate_all("es => es.map(e => e.dataset.role)") == [
        "outlier",
        "majority",
        "outlier",
    ]
    assert troops.locator(".entry", has_text="12,000").locator(".role-badge").inner_text() == "outlier"
    assert "agree on 11,000" in page.locator('#story-view tr[data-subject="north korean troops"] th').inner_text()
    # Barrot's two titles, and the two spellings of Sybiha, all in their conflicts.
    titles = page.locator(
        '#story-view tr[data-kind="title"][data-subject="jean-noel barrot"] .entry.conflict .entry-value'
    ).all_inner_texts()
    assert "French Foreign Minister" in titles and "French Prime Minister" in titles
    assert page.locator('#story-view tr[data-subject="jean-noel barrot"]').count() == 2  # a title row and a name row
    spellings = page.locator(
        '#story-view tr[data-kind="name"][data-subject="andrii syhiha"] .entry.conflict .entry-value'
    ).all_inner_texts()
    assert spellings == ["Andrii Syhiha", "Sybiha"]
    # Agreeing cells are plain.
    zel = page.locator('#story-view tr[data-kind="title"][data-subject="volodymyr zelenskyy"]')
    assert zel.locator("td.in-conflict").count() == 0 and zel.locator(".entry").count() == 2

    # A click on a value opens its article at the quote.
    twelve = troops.locator(".entry", has_text="12,000")
    start, end = int(twelve.get_attribute("data-start")), int(twelve.get_attribute("data-end"))
    twelve.click()
    page.wait_for_selector("#article-view:not([hidden])")
    cur = page.locator("#article-text mark.current")
    assert cur.inner_text() == "12,000" and (
        int(cur.get_attribute("data-start")),
        int(cur.get_attribute("data-end")),
    ) == (start, end)
    assert "this-conflict" in cur.get_attribute("class")
    page.keyboard.press("Escape")
    assert page.locator("#article-view").is_hidden() and page.locator("#story-view").is_visible()
    # A plain cell opens its article too, nothing marked as this conflict.
    zel.locator(".entry").first.click()
    page.wait_for_selector("#article-view:not([hidden])")
    assert page.locator("#article-text mark.current").inner_text() == "Ukrainian President"
    assert page.locator("#article-text mark.this-conflict").count() == 0
    page.keyboard.press("Escape")

    # The flag opens the conflict in the list; the conflict links back to the table.
    troops.locator("a.cell-flag").click()
    page.wait_for_selector("#story-view", state="hidden")
    cid = next(c.id for c in res.conflicts if c.subject == "north korean troops")
    assert page.evaluate("document.documentElement.dataset.selected") == cid
    page.locator("#detail a.story-table-link").click()
    page.wait_for_selector("#story-view:not([hidden])")
    # And the story facet in the summary leads there from the list.
    page.click("#story-back")
    assert page.locator("#story-view").is_hidden() and page.locator("#app").is_visible()
    page.locator(f'#summary a.story-table-link[data-story="{story}"]').click()
    page.wait_for_selector("#story-view:not([hidden])")
    tab.assert_clean()


def _wide(tmp_path):
    """A story of 30 articles, one outlet each (the size the issue asks to stay fast)."""
    res = synthetic_result(120, seed=21, n_stories=1)
    path = tmp_path / "report.html"
    path.write_text(report.render_report(res), encoding="utf-8")
    return path, res


def test_filter_hide_columns_and_print(tab, tmp_path):
    path, res = _wide(tmp_path)
    page = open_story(tab, path, "story-000")
    rows = page.locator("#story-view tbody tr[data-subject]")
    n = rows.count()
    assert n > 100
    # Sticky headers: the column heads stay at the top of the scrolled table.
    page.locator("#story-scroll").evaluate("s => s.scrollTop = 2000")
    head = page.locator("#story-view thead th").nth(1)
    assert abs(head.bounding_box()["y"] - page.locator("#story-scroll").bounding_box()["y"]) < 3
    # The text filter keeps the rows that mention every word.
    page.fill("#story-q", "north korean troops")
    shown = rows.evaluate_all("rs => rs.filter(r => !r.hidden).map(r => r.dataset.subject)")
    assert shown and all("north korean troops" in s for s in shown)
    page.fill("#story-q", "")
    page.check("#story-only")
    assert rows.evaluate_all("rs => rs.filter(r => !r.hidden).every(r => r.classList.contains('has-conflict'))")
    page.uncheck("#story-only")
    page.select_option("#story-kind", "date")
    assert set(rows.evaluate_all("rs => rs.filter(r => !r.hidden).map(r => r.dataset.kind)")) == {"date"}
    page.select_option("#story-kind", "")
    # Hide a column with its ×, bring it back from the column list.
    first = page.locator("#story-view thead th").nth(1)
    col = first.get_attribute("data-column")
    first.locator("button.col-hide").click()
    assert first.is_hidden()
    assert rows.evaluate_all("rs => rs.every(r => r.cells[1].hidden)")
    assert "1 hidden" in page.locator("#story-columns summary").inner_text()
    page.click("#story-columns summary")
    page.click("#column-list button")
    assert first.is_visible() and first.get_attribute("data-column") == col
    # Print: the table, whole, without the tools; not the conflict list.
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    page.emulate_media(media="print")
    assert page.locator("#story-view table").is_visible()
    assert page.locator("#story-tools").is_hidden() and page.locator("#summary").is_hidden()
    assert page.locator("#print .conflict-card").count() == 0
    pdf = page.pdf(landscape=True)
    assert pdf[:4] == b"%PDF"
    tab.assert_clean()


def test_story_table_without_javascript(browser, tmp_path):
    path, res = _wide(tmp_path)
    ctx = browser.new_context(viewport=VIEWPORT, java_script_enabled=False)
    try:
        page = ctx.new_page()
        page.goto(path.as_uri())
        table = page.locator("#static-tables table.story-table").first
        assert table.is_visible()
        assert table.locator("tbody tr").count() > 100
        assert table.locator("td.in-conflict").count() > 0
        # The summary's link goes to the static table.
        page.locator("#summary a.story-table-link").first.click()
        assert page.evaluate("location.hash") == "#t-0"
    finally:
        ctx.close()


def test_untrusted_text_in_the_table_never_runs(tab, tmp_path):
    evil = [
        {
            "id": f"e{i}</script><script>window.__pwned='id'</script>",
            "story": "s<img src=x onerror=window.__pwned='story'>",
            "source": f"Outlet {i} <img src=x onerror=window.__pwned='outlet'>",
            "published": "2024-11-05",
            "url": "javascript:window.__pwned='url'",
            "text": f"Headline {PAYLOAD}\n{PAYLOAD} Pirates seized {n} boats. {PAYLOAD} Officials said {m} people were rescued. {PAYLOAD}",
        }
        for i, (n, m) in enumerate([(12, 300), (20, 300), (12, 450)])
    ]
    src = _jsonl(tmp_path / "evil.jsonl", evil)
    res = run([src], out_dir=tmp_path / "evil", extractor=payload_extractor, store=None, n_process=1)
    html = (tmp_path / "evil" / "report.html").read_text()
    assert "<script>window.__pwned" not in html
    (story,) = set(res.stories.values())
    page = open_story(tab, tmp_path / "evil" / "report.html", story)
    entries = page.locator("#story-view .entry")
    assert entries.count() >= 6
    for i in range(entries.count()):
        entries.nth(i).click()
        page.wait_for_selector("#article-view:not([hidden])")
        page.keyboard.press("Escape")
    page.fill("#story-q", "<script>")
    page.click("#story-columns summary")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    # The payload is on screen, as text.
    assert "<script>window.__pwned='script'" in page.locator("#story-view tbody").inner_text()
    assert page.locator("#story-view a[href^='javascript:' i]").count() == 0
    tab.assert_clean()
    # And through the story picker, hash and all.
    page.select_option("#story-select", story)
    assert json.loads(page.evaluate("JSON.stringify(document.documentElement.dataset.story)")) == story
    tab.assert_clean()
