"""Extraction engines: the store-aware driver (no model) and the local process pool (model)."""

from __future__ import annotations

from collections import Counter

import pytest

from checker import engine as eng
from checker.engine import ArticleResult, EngineError, extract_all, run_engine
from checker.models import Article
from checker.store import Store


def _fake_engine(calls):
    def fake(articles, rules, engine="local", model=None, n_process=2, scheduler=None, kinds=None, timeout=None):
        calls.append([a.id for a in articles])
        for a in articles:
            claim = {
                "article": a.id,
                "start": 0,
                "end": 2,
                "text": a.text[:2],
                "sentence_start": 0,
                "sentence_end": 5,
                "kind": "quantity",
                "subject": "things",
                "value": [1.0, 2.0],
                "source": a.outlet,
                "published": a.published,
            }
            yield [ArticleResult(a.id, a.content_hash, [claim], {"e:" + a.text.split()[0].lower(): 2})]

    return fake


def test_extract_all_uses_the_store_and_extracts_each_text_once(tmp_path, monkeypatch, rules):
    calls: list[list[str]] = []
    monkeypatch.setattr(eng, "run_engine", _fake_engine(calls))
    arts = [
        Article("a.txt", "Kyiv said 12 things.", source="A"),
        Article("b.txt", "Kyiv said 12 things.", source="B", published="2024-11-01"),  # a wire copy
        Article("c.txt", "Seoul said 11 things."),
    ]
    with Store(tmp_path / "c.db") as st:
        got = extract_all(arts, rules, store=st)
        assert calls == [["a.txt", "c.txt"]]
        assert (got.parsed, got.reused) == (2, 0)
        # Each article keeps its own id, outlet and date; values come back as JSON lists.
        assert [(c.article, c.source, c.published) for c in got.claims] == [
            ("a.txt", "A", None),
            ("b.txt", "B", "2024-11-01"),
            ("c.txt", "c.txt", None),
        ]
        assert got.claims[0].value == [1.0, 2.0]
        assert got.fingerprints["c.txt"] == Counter({"e:seoul": 2})
        calls.clear()
        again = extract_all([*arts, Article("d.txt", "Paris said 3 things.")], rules, store=st)
        assert calls == [["d.txt"]] and (again.parsed, again.reused) == (1, 2)
        assert [c.to_dict() for c in again.claims[:3]] == [c.to_dict() for c in got.claims]


def test_extract_all_without_a_store_gives_the_same_claims(monkeypatch, rules, tmp_path):
    monkeypatch.setattr(eng, "run_engine", _fake_engine([]))
    arts = [Article("a.txt", "Kyiv said 12 things."), Article("c.txt", "Seoul said 11 things.")]
    plain = extract_all(arts, rules)
    with Store(tmp_path / "c.db") as st:
        stored = extract_all(arts, rules, store=st)
    assert [c.to_dict() for c in plain.claims] == [c.to_dict() for c in stored.claims]


def test_unknown_engine_and_missing_scheduler_are_errors(rules):
    arts = [Article("a.txt", "x")]
    with pytest.raises(EngineError, match="E308"):
        run_engine(arts, rules, engine="spark")
    with pytest.raises(EngineError, match="E305") as err:
        next(run_engine(arts, rules, engine="dask", scheduler=None))
    assert err.value.exit_code == 6


@pytest.mark.slow
@pytest.mark.corpus
def test_two_processes_give_what_one_gives(corpus, rules, monkeypatch):
    import os

    from checker.ingest import read_inputs

    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    files = sorted((corpus / "bbc" / "business").glob("*.txt"))[:20]
    arts = read_inputs(files, rules.boilerplate).articles
    one = [r for batch in eng.run_local(arts, rules, n_process=1) for r in batch]
    two = [r for batch in eng.run_local(arts, rules, n_process=2) for r in batch]
    assert sorted(one, key=lambda r: r.article) == sorted(two, key=lambda r: r.article)
    assert sum(len(r.claims) for r in one) > 20
    assert "OPENBLAS_NUM_THREADS" not in os.environ  # set for the workers only


def test_batches_shrink_towards_the_end_and_cover_every_article():
    items = list(range(1411))
    batches = eng._batches(items, 32, 2)
    assert [x for b in batches for x in b] == items
    sizes = [len(b) for b in batches]
    assert sizes[0] == 32 and sizes == sorted(sizes, reverse=True)
    assert sizes[-1] == eng.MIN_BATCH and sum(s < 32 for s in sizes) >= 4


@pytest.mark.slow
def test_an_article_that_breaks_extraction_is_skipped_and_the_run_goes_on(tmp_path, monkeypatch):
    """A bug on one odd text must not sink the night: the article is listed as skipped."""
    import checker.extract as extract_pkg
    from checker.pipeline import run
    from tests.conftest import SEEDS

    real = extract_pkg.extract_doc

    def flaky(doc, art, rules, kinds=None):
        if art.id.startswith("000_"):
            raise RuntimeError("boom")
        return real(doc, art, rules, kinds)

    monkeypatch.setattr(extract_pkg, "extract_doc", flaky)
    db = tmp_path / "c.db"
    result = run([SEEDS], out_dir=tmp_path / "o", store=db, n_process=1)
    assert [(s.path, s.code) for s in result.skipped] == [("000_e4cda37d1f651d99.txt", "E299")]
    assert result.claims and all(c.article.startswith("004_") for c in result.claims)
    monkeypatch.setattr(extract_pkg, "extract_doc", real)
    again = run([SEEDS], out_dir=tmp_path / "p", store=db, n_process=1)
    # The failure was stored neither as claims nor as its story's result.
    assert {k: again.info["cache"][k] for k in ("parsed", "reused")} == {"parsed": 1, "reused": 1}
    assert not again.skipped
    assert {c.article for c in again.claims} == {c.article for c in run([SEEDS], store=tmp_path / "fresh.db").claims}


def test_time_budget_interrupts_python_work_and_puts_the_handler_back():
    import signal
    import time

    before = signal.getsignal(signal.SIGALRM)
    t0 = time.monotonic()
    with pytest.raises(eng.ArticleTimeout), eng.time_budget(0.2):
        time.sleep(5)
    assert time.monotonic() - t0 < 2
    assert signal.getsignal(signal.SIGALRM) == before
    with eng.time_budget(None):  # no budget: nothing fires
        time.sleep(0.01)
    # ArticleTimeout is not an Exception: an extractor's "except Exception" cannot swallow it.
    assert not issubclass(eng.ArticleTimeout, Exception)


def test_an_article_budget_grows_with_its_length():
    short, long = Article(id="a", text="x" * 10), Article(id="b", text="x" * 3 * eng.BUDGET_CHARS)
    assert eng.article_budget(short, 120) == 120 and eng.article_budget(long, 120) == 360
    assert eng.article_budget(short, None) is None and eng.article_budget(short, 0) is None


@pytest.mark.slow
def test_an_article_over_its_time_budget_is_skipped_and_listed_in_process(tmp_path, monkeypatch):
    import time

    import checker.extract as extract_pkg
    from checker.pipeline import run
    from tests.conftest import SEEDS

    real = extract_pkg.extract_doc

    def slow(doc, art, rules, kinds=None):
        if art.id.startswith("000_"):
            time.sleep(120)
        return real(doc, art, rules, kinds)

    monkeypatch.setattr(extract_pkg, "extract_doc", slow)
    t0 = time.monotonic()
    result = run([SEEDS], out_dir=tmp_path / "o", store=tmp_path / "c.db", n_process=1, article_timeout=30)
    assert time.monotonic() - t0 < 110
    assert [(s.path, s.code) for s in result.skipped] == [("000_e4cda37d1f651d99.txt", "E211")]
    assert "time budget" in result.skipped[0].message()
    assert result.claims and all(c.article.startswith("004_") for c in result.claims)
    assert result.info["skipped"][0]["code"] == "E211"


@pytest.mark.slow
def test_an_article_over_its_time_budget_is_skipped_in_a_worker_process(rules, monkeypatch):
    import time

    from tests.slow_worker import init_slow_worker

    monkeypatch.setattr(eng, "_init_worker", init_slow_worker)
    arts = [
        Article(id=f"a{k:02d}", text=f"Officials said {k + 3} people were hurt in Leeds on Monday.") for k in range(24)
    ]
    arts[5] = Article(id="slow", text="SLOW. Officials said 40 people were hurt in York.")
    t0 = time.monotonic()
    results = [r for batch in eng.run_local(arts, rules, n_process=2, timeout=10) for r in batch]
    assert time.monotonic() - t0 < 110
    by_id = {r.article: r for r in results}
    assert set(by_id) == {a.id for a in arts}
    assert by_id["slow"].error_code == "E211" and not by_id["slow"].claims
    assert all(not r.error and r.claims for r in results if r.article != "slow")


@pytest.mark.slow
def test_a_worker_stuck_past_the_alarm_is_killed_and_its_batch_goes_on_without_the_article(rules, monkeypatch):
    import time

    from tests.slow_worker import init_slow_worker

    monkeypatch.setattr(eng, "_init_worker", init_slow_worker)
    monkeypatch.setattr(eng, "STUCK_GRACE", 5.0)
    monkeypatch.setattr(eng, "WATCH_SECONDS", 0.5)
    arts = [
        Article(id=f"a{k:02d}", text=f"Officials said {k + 3} people were hurt in Leeds on Monday.") for k in range(24)
    ]
    arts[4] = Article(id="stuck", text="STUCK. Officials said 40 people were hurt in York.")
    t0 = time.monotonic()
    results = [r for batch in eng.run_local(arts, rules, n_process=2, timeout=10) for r in batch]
    assert time.monotonic() - t0 < 400
    by_id = {r.article: r for r in results}
    assert sorted(by_id) == sorted(a.id for a in arts) and len(results) == len(arts)
    assert by_id["stuck"].error_code == "E211" and "worker was stopped" in by_id["stuck"].error
    assert [(r.article, r.error) for r in results if r.article != "stuck" and (r.error or not r.claims)] == []
