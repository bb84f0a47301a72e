"""--engine dask on a local cluster gives byte-for-byte the local engine's conflicts.json."""

from __future__ import annotations

import pytest

from checker.pipeline import run

pytestmark = [pytest.mark.slow, pytest.mark.corpus]


def test_dask_engine_equals_local_engine(corpus, tmp_path):
    distributed = pytest.importorskip("distributed", reason="dask[distributed] is not installed")
    inputs = [corpus / "ecbplus-dev" / "clusters"]
    local = run(inputs, out_dir=tmp_path / "local", store=tmp_path / "l.db", n_process=1)
    assert local.conflicts, "no conflicts: the comparison would prove little"
    # In-process workers keep the test light; the tasks still go through the
    # scheduler, pickling and the same code path as a real cluster.
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        remote = run(
            inputs,
            out_dir=tmp_path / "dask",
            store=tmp_path / "d.db",
            engine="dask",
            scheduler=cluster.scheduler_address,
        )
    assert remote.info["engine"] == "dask" and remote.info["cache"]["parsed"] == local.info["cache"]["parsed"]
    assert (tmp_path / "dask" / "conflicts.json").read_bytes() == (tmp_path / "local" / "conflicts.json").read_bytes()


def test_unreachable_scheduler_is_exit_code_6(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from checker.cli import app
    from tests.conftest import SEEDS

    monkeypatch.setattr("checker.engine.CONNECT_TIMEOUT", 2)
    res = CliRunner().invoke(
        app,
        [
            "run",
            str(SEEDS),
            "--engine",
            "dask",
            "--scheduler",
            "tcp://127.0.0.1:9",
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert res.exit_code == 6, res.output
    assert "[E306]" in res.output
