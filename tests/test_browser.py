"""The report in a real browser: Debian's Chromium driven by Playwright.

One browser for the session, a fresh context (empty localStorage) per test.
Covers: filter, search, sort, open a conflict, read the article, mark with
the mouse and the keyboard, reload and see the mark, export and import the
decisions; the same through ``checker serve``, then a second run that
carries the decisions; untrusted text full of script that never runs; the
page without JavaScript; the story table (the seed story's grid, a cell
opening its quote, filters, hidden columns, print, no script, hostile text).

``CHECKER_SCREENSHOTS=docs pytest -m browser -k screenshots`` saves the
README's screenshots (from the ECB+ corpus when it is beside the project).
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from urllib.parse import quote

import pytest

from checker import report
from checker.decisions import apply_decisions, import_decisions, latest_decisions
from checker.pipeline import run
from tests.chromium import ARGS, CHROMIUM
from tests.conftest import ROOT, SEEDS
from tests.reportdata import regex_extractor, synthetic_result
from tests.test_report import ARTICLES, _jsonl

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1366, "height": 800}
# Each payload announces itself if it ever runs.
PAYLOADS = [
    "<script>window.__pwned='script';document.title='PWNED'</script>",
    "</script><script>window.__pwned='close-script'</script>",
    "<img src=x onerror=\"window.__pwned='img'\">",
    "<svg onload=window.__pwned='svg'></svg>",
    "\"><img src=x onerror=window.__pwned='attr'>",
    "'><a href=\"javascript:window.__pwned='link'\">click</a>",
    "<iframe srcdoc=\"<script>parent.__pwned='iframe'</script>\"></iframe>",
    "<!--<script>window.__pwned='comment'</script>-->",
    "<style>@import 'x'</style><math><mtext><table><mglyph><style><img src=x onerror=window.__pwned='mxss'>",
    "{{constructor.constructor('window.__pwned=1')()}}",
]
PAYLOAD = " ".join(PAYLOADS)
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not at /usr/bin/chromium (apt-get install -y chromium)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')"
    )
    pw = sync_api.sync_playwright().start()
    b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
    yield b
    b.close()
    pw.stop()


class Watched:
    """A page and what it did that it should not have: errors, dialogs, policy violations."""

    def __init__(self, context):
        self.context = context
        self.page = context.new_page()
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.add_init_script(WATCH)
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("console", lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None)

        def dialog(d):
            self.dialogs.append(d.message)
            d.dismiss()

        self.page.on("dialog", dialog)

    def open(self, url: str):
        self.page.goto(url)
        self.page.wait_for_selector("html[data-ready='1']", state="attached", timeout=15000)
        return self.page

    def assert_clean(self):
        p = self.page
        assert p.evaluate("window.__pwned") is None
        assert p.title() != "PWNED"
        assert p.evaluate("window.__csp") == []
        assert self.dialogs == []
        assert self.errors == []


@pytest.fixture
def tab(browser):
    ctx = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    yield Watched(ctx)
    ctx.close()


def shot(page, name: str, from_toolbar: bool = False) -> None:
    """Save a screenshot for the docs when CHECKER_SCREENSHOTS names a folder."""
    folder = os.environ.get("CHECKER_SCREENSHOTS")
    if folder:
        # Clicks scroll the page; show it as an editor would: from the top, or scrolled to the toolbar.
        page.evaluate(
            "t => { const s = document.getElementById('summary'); window.scrollTo(0, t ? s.offsetTop + s.offsetHeight : 0); }",
            from_toolbar,
        )
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


def rows(page):
    return page.locator("#list .row")


def shown(page) -> int:
    return int(page.locator("#shown").inner_text().split()[1])


def saved_on_server(page, cid: str, status: str) -> None:
    """Wait until the server has answered that it saved this mark."""
    page.wait_for_function(f"() => document.documentElement.dataset.lastSaved === {json.dumps(cid + ':' + status)}")


def press(page, key: str) -> None:
    """A key for the page itself (not for a field that has focus)."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press(key)


# --- from disk --------------------------------------------------------------------


def test_report_from_disk_filter_open_mark_reload_export(tab, tmp_path):
    res = synthetic_result(60, seed=11)
    model = report.report_model(res)
    path = tmp_path / "report.html"
    path.write_text(report.render_html(model), encoding="utf-8")
    page = tab.open(path.as_uri())
    by_id = {c["id"]: c for c in model["conflicts"]}

    assert shown(page) == 60
    assert page.locator("#save-mode").inner_text().startswith("Decisions are kept in this browser")
    # Filter by kind: every row left is of that kind, and the count says how many.
    page.select_option("#f-kind", "title")
    n_titles = model["summary"]["by_kind"]["title"]
    assert shown(page) == n_titles
    assert set(rows(page).evaluate_all("rs => rs.map(r => r.dataset.kind)")) == {"title"}
    # Facets in the summary filter too; clicking again clears.
    page.select_option("#f-kind", "")
    page.click('#summary button[data-facet="severity"][data-value="high"]')
    assert set(rows(page).evaluate_all("rs => rs.map(r => r.dataset.severity)")) == {"high"}
    page.click('#summary button[data-facet="severity"][data-value="high"]')
    assert shown(page) == 60
    # Search matches quotes, outlets and subjects.
    page.fill("#q", "north korean troops")
    expect = [c for c in model["conflicts"] if "north korean troops" in c["subject"]]
    assert shown(page) == len(expect) > 0
    page.click("#reset")
    assert shown(page) == 60
    # Sort: most values first.
    page.select_option("#sort", "values")
    counts = [len(by_id[i]["values"]) for i in rows(page).evaluate_all("rs => rs.map(r => r.dataset.id)")]
    assert counts[0] == max(len(c["values"]) for c in model["conflicts"])
    # A fixed random order, the same on every reload, for reviewing a fair sample.
    page.select_option("#sort", "sample")
    sample = rows(page).evaluate_all("rs => rs.map(r => r.dataset.id)")
    assert shown(page) == 60 and sample != sorted(sample)
    page.select_option("#sort", "severity")

    # Keyboard: j / k move the selection.
    press(page, "j")
    first = page.evaluate("document.documentElement.dataset.selected")
    press(page, "j")
    second = page.evaluate("document.documentElement.dataset.selected")
    press(page, "k")
    assert first != second and page.evaluate("document.documentElement.dataset.selected") == first

    # Open a quantity conflict: values side by side, quotes with the claim marked, a number line.
    qc = next(c for c in model["conflicts"] if c["kind"] == "quantity")
    page.select_option("#f-kind", "quantity")
    page.fill("#q", qc["subject"])
    page.locator(f'#list .row[data-id="{qc["id"]}"]').click()
    card = page.locator(f'#detail .conflict-card[data-id="{qc["id"]}"]')
    assert card.locator(".values > .value").count() == len(qc["values"])
    q = qc["values"][0]["claims"][0]
    claim = card.locator(f'.claim[data-article="{q["article"]}"][data-start="{q["start"]}"]').first
    assert claim.locator("mark").inner_text() == q["quote"]["match"]
    assert q["source"] in claim.inner_text() and q["published"] in claim.inner_text()
    assert ("according to " + q["attribution"] if q["attribution"] else "no one cited") in claim.inner_text()
    assert card.locator("svg.numberline circle, svg.numberline rect").count() == sum(
        len(v["claims"]) for v in qc["values"]
    )
    # The whole article, every claim marked, the quoted one current.
    claim.locator("button.read").click()
    page.wait_for_selector("#article-view:not([hidden])")
    assert page.locator("#article-text mark.current").inner_text() == q["quote"]["match"]
    assert page.locator("#article-text mark").count() == len(model["articles"][q["article"]]["marks"])
    assert page.locator("#article-text").inner_text() == model["articles"][q["article"]]["text"]
    page.keyboard.press("Escape")
    assert page.locator("#article-view").is_hidden()

    # Mark it confirmed with a note, by mouse; dismiss another by keyboard.
    page.fill("#who", "Ana")
    page.locator("#who").dispatch_event("change")
    page.fill("#note", "ministry confirmed 12")
    page.click('#detail button[data-mark="confirmed"]')
    assert page.locator(f'#list .row[data-id="{qc["id"]}"]').get_attribute("data-review") == "confirmed"
    page.click("#reset")
    press(page, "j")
    other = page.evaluate("document.documentElement.dataset.selected")
    assert other != qc["id"]
    press(page, "x")
    assert page.evaluate("document.documentElement.dataset.lastDecision") == f"{other}:dismissed"

    # Reload: the marks are still there (this browser keeps them for this run).
    page.reload()
    page.wait_for_selector("html[data-ready='1']", state="attached")
    assert shown(page) == 59  # the dismissed one is hidden by default
    page.fill("#q", qc["subject"])
    page.locator(f'#list .row[data-id="{qc["id"]}"]').click()
    panel = page.locator("#detail .decision")
    assert "Confirmed" in panel.inner_text() and "by Ana" in panel.inner_text()
    assert page.input_value("#note") == "ministry confirmed 12"
    page.click("#reset")
    page.select_option("#f-review", "dismissed")
    assert rows(page).evaluate_all("rs => rs.map(r => r.dataset.id)") == [other]
    shot(page, "report-offline")

    # Export, then import into a store: the next run carries them.
    with page.expect_download() as dl:
        page.click("#export")
    f = tmp_path / "decisions.json"
    dl.value.save_as(f)
    doc = json.loads(f.read_text())
    assert {(d["conflict"], d["status"], d["who"]) for d in doc["decisions"]} == {
        (qc["id"], "confirmed", "Ana"),
        (other, "dismissed", "Ana"),
    }
    db = tmp_path / "checker.db"
    assert import_decisions(f, db).added == 2
    assert latest_decisions(db)[qc["id"]]["note"] == "ministry confirmed 12"
    carried = {c.id: c.decision for c in apply_decisions(res.conflicts, db) if c.decision}
    assert carried[other]["status"] == "dismissed" and not carried[other]["reopened"]
    tab.assert_clean()


def test_without_javascript_the_page_still_reads(browser, tmp_path):
    res = synthetic_result(12, seed=2)
    path = tmp_path / "report.html"
    path.write_text(report.render_report(res), encoding="utf-8")
    ctx = browser.new_context(viewport=VIEWPORT, java_script_enabled=False)
    try:
        page = ctx.new_page()
        page.goto(path.as_uri())
        assert page.locator("#static article.conflict").count() == 12
        assert page.locator("#static article.conflict mark").first.is_visible()
        assert page.locator("#app").is_hidden() and page.locator("#toolbar").is_hidden()
        pdf = page.pdf()
        assert pdf[:4] == b"%PDF" and len(pdf) > 10_000
    finally:
        ctx.close()


def test_print_lists_the_filtered_conflicts(tab, tmp_path):
    res = synthetic_result(40, seed=4)
    path = tmp_path / "report.html"
    path.write_text(report.render_report(res), encoding="utf-8")
    page = tab.open(path.as_uri())
    page.select_option("#f-kind", "date")
    n = shown(page)
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    page.emulate_media(media="print")
    cards = page.locator("#print .conflict-card")
    assert cards.count() == n and cards.first.is_visible()
    assert set(cards.evaluate_all("cs => cs.map(c => c.dataset.kind)")) == {"date"}
    assert page.locator("#app").is_hidden()
    tab.assert_clean()


# --- served ------------------------------------------------------------------------


@pytest.fixture
def served(tmp_path):
    from checker.serve import make_server

    src = _jsonl(tmp_path / "in.jsonl", ARTICLES)
    reports = tmp_path / "reports"
    db = reports / "checker.db"
    run([src], out_dir=reports / "night-1", extractor=regex_extractor, store=db, n_process=1)
    server = make_server(reports, db, port=0, quiet=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server, src, reports, db
    server.shutdown()
    server.server_close()


def test_served_mark_reload_and_next_run(tab, served):
    server, src, reports, db = served
    base = f"http://127.0.0.1:{server.server_address[1]}"
    page = tab.open(base + "/r/night-1/")
    page.wait_for_function("() => document.querySelector('#save-mode').textContent.includes('server')")
    page.select_option("#f-kind", "quantity")
    boats = page.locator("#list .row", has_text="boats")
    boats.click()
    cid = boats.get_attribute("data-id")
    page.fill("#who", "Ben")
    page.fill("#note", "navy says 12; the 20 counts two fleets")
    page.click('#detail button[data-mark="confirmed"]')
    saved_on_server(page, cid, "confirmed")
    saved = latest_decisions(db)[cid]
    assert (saved["status"], saved["who"], saved["note"]) == (
        "confirmed",
        "Ben",
        "navy says 12; the 20 counts two fleets",
    )
    # Dismiss the other one with the keyboard.
    people = page.locator("#list .row", has_text="people")
    people.click()
    pid = people.get_attribute("data-id")
    press(page, "x")
    saved_on_server(page, pid, "dismissed")
    assert latest_decisions(db)[pid]["status"] == "dismissed"
    assert page.locator(f'#list .row[data-id="{pid}"]').get_attribute("data-review") == "dismissed"
    shot(page, "serve-marked")

    # Reload: the marks come back from the server.
    page.reload()
    page.wait_for_selector("html[data-ready='1']", state="attached")
    page.wait_for_function(
        f"() => document.querySelector('#list .row[data-id=\"{cid}\"]').dataset.review === 'confirmed'"
    )
    assert page.locator(f'#list .row[data-id="{pid}"]').count() == 0  # dismissed: hidden by default
    page.locator(f'#list .row[data-id="{cid}"]').click()
    assert "by Ben" in page.locator("#detail .decision").inner_text()

    # Run again: the new report carries the decisions, with or without the server.
    run([src], out_dir=reports / "night-2", extractor=regex_extractor, store=db, n_process=1)
    page.goto(base + "/")
    page.click('a[href="/r/night-2/"]')
    page.wait_for_selector("html[data-ready='1']", state="attached")
    assert page.locator(f'#list .row[data-id="{cid}"]').get_attribute("data-review") == "confirmed"
    page.select_option("#f-review", "dismissed")
    assert rows(page).evaluate_all("rs => rs.map(r => r.dataset.id)") == [pid]
    assert page.locator("#changes").is_visible()
    offline = tab.context.new_page()
    offline.goto((reports / "night-2" / "report.html").as_uri())
    offline.wait_for_selector("html[data-ready='1']", state="attached")
    assert offline.locator(f'#list .row[data-id="{cid}"]').get_attribute("data-review") == "confirmed"
    tab.assert_clean()


# --- untrusted text ------------------------------------------------------------------


def payload_extractor(articles, rules, **kw):
    """Claims whose subjects and attributions carry the payload, as rule-derived text could."""
    ext = regex_extractor(articles, rules, **kw)
    for c in ext.claims:
        c.subject = c.subject + " " + PAYLOAD
        c.attribution = "the ministry " + PAYLOAD
        c.display = c.display + PAYLOAD
    return ext


def _visit_everything(page):
    """Every conflict, every quote's article, the print view, a search: all text on screen."""
    n = shown(page)
    page.select_option("#f-review", "*")
    for _ in range(n):
        press(page, "j")
        for b in page.locator("#detail button.read").all()[:2]:
            b.click()
            page.wait_for_selector("#article-view:not([hidden])")
            page.keyboard.press("Escape")
    page.fill("#q", "<script>")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    page.click("#help-button")
    assert page.locator("a[href^='javascript:' i]").count() == 0
    return n


def test_untrusted_text_never_runs(tab, tmp_path):
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
    reports = tmp_path / "reports"
    db = reports / "checker.db"
    res = run([src], out_dir=reports / "evil", extractor=payload_extractor, store=db, n_process=1)
    assert len(res.conflicts) == 2
    html = (reports / "evil" / "report.html").read_text()
    assert "<script>window.__pwned" not in html
    page = tab.open((reports / "evil" / "report.html").as_uri())
    assert _visit_everything(page) == 2
    # The payload is on screen as text.
    press(page, "j")
    assert "<script>window.__pwned='script'" in page.locator("#detail").inner_text()
    tab.assert_clean()

    # The same page served, and one built by hand with the payload in every field.
    from checker.serve import make_server

    (reports / "synthetic").mkdir()
    (reports / "synthetic" / "report.html").write_text(
        report.render_report(synthetic_result(8, seed=9, payload=PAYLOAD))
    )
    server = make_server(reports, db, port=0, quiet=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        for ref in ("r/evil", "r/synthetic"):
            page = tab.open(f"{base}/{ref}/")
            _visit_everything(page)
            tab.assert_clean()
        page = tab.open(base + "/r/evil/")
        page.fill("#who", "<img src=x onerror=window.__pwned='who'>")
        page.fill("#q", "")
        press(page, "j")
        page.fill("#note", PAYLOAD)
        page.click('#detail button[data-mark="follow_up"]')
        saved_on_server(page, page.evaluate("document.documentElement.dataset.selected"), "follow_up")
        page.reload()
        page.wait_for_selector("html[data-ready='1']", state="attached")
        press(page, "j")
        page.wait_for_function("() => document.querySelector('#note').value.length > 0")
        assert page.input_value("#note") == PAYLOAD
        page.goto(base + "/")
        tab.assert_clean()
    finally:
        server.shutdown()
        server.server_close()


# --- screenshots for the docs ----------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("CHECKER_SCREENSHOTS"), reason="set CHECKER_SCREENSHOTS=docs to save screenshots"
)
def test_screenshots(tab, tmp_path, corpus):
    """The README's pictures, from a real run over the ECB+ corpus, served with two decisions."""
    from checker.serve import make_server

    reports = tmp_path / "reports"
    db = reports / "checker.db"
    res = run([corpus / "ecbplus-dev" / "clusters"], out_dir=reports / "ecb", store=db, n_process=1)
    server = make_server(reports, db, port=0, quiet=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page = tab.open(f"http://127.0.0.1:{server.server_address[1]}/r/ecb/")
        page.fill("#who", "Ana")
        quantity = next(c for c in res.conflicts if c.kind == "quantity" and len(c.values) >= 3)
        page.fill("#q", quantity.subject)
        page.locator(f'#list .row[data-id="{quantity.id}"]').click()
        page.fill("#note", "Checked with the agency: the later figure is right.")
        page.click('#detail button[data-mark="confirmed"]')
        saved_on_server(page, quantity.id, "confirmed")
        page.click("#reset")
        page.locator(f'#list .row[data-id="{quantity.id}"]').click()
        page.evaluate("document.getElementById('flash').hidden = true")
        shot(page, "report")
        page.locator("#detail .claim button.read").first.click()
        page.wait_for_selector("#article-view:not([hidden])")
        shot(page, "report-article")
        page.keyboard.press("Escape")
        page.select_option("#f-kind", "title" if any(c.kind == "title" for c in res.conflicts) else "quantity")
        press(page, "j")
        shot(page, "report-filtered", from_toolbar=True)
        # The story table of the selected conflict's story.
        page.click("#reset")
        page.click("#open-table")
        page.wait_for_selector("#story-view[data-complete='1']")
        shot(page, "report-story-table")
    finally:
        server.shutdown()
        server.server_close()
    seeds = run([ROOT / "examples" / "seeds"], out_dir=tmp_path / "seeds", store=tmp_path / "seeds.db", n_process=1)
    page = tab.open((tmp_path / "seeds" / "report.html").as_uri())
    troops = next(c for c in seeds.conflicts if c.kind == "quantity")
    page.locator(f'#list .row[data-id="{troops.id}"]').click()
    shot(page, "report-seeds")


# --- the story table -----------------------------------------------------------------
# The seed story's grid, a cell opening its quote, filters, hidden columns, print, the
# page without script, and hostile article text that never runs in the table either.

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
        '#story-view tr[data-kind="title"][data-subject="jean-noel barrot"] .entry-conflict .entry-value'
    ).all_inner_texts()
    assert "French Foreign Minister" in titles and "French Prime Minister" in titles
    assert page.locator('#story-view tr[data-subject="jean-noel barrot"]').count() == 2  # a title row and a name row
    spellings = page.locator(
        '#story-view tr[data-kind="name"][data-subject="andrii syhiha"] .entry-conflict .entry-value'
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
