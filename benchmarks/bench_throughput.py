"""Throughput, rerun and memory benchmark: raw spaCy vs ``checker run``, in one sitting.

    .venv/bin/python benchmarks/bench_throughput.py ../shared/corpus/bbc
    .venv/bin/python benchmarks/bench_throughput.py ../shared/corpus/bbc --limit 300 --scales 1,2

Runs, one after the other in child processes of this one:

1. raw spaCy: the same model, full pipeline as shipped, one process,
   ``nlp.pipe`` over every article text (nothing else);
2. ``checker run`` cold (fresh store, default settings: 2 processes);
3. the same ``checker run`` again (warm: everything in the store);
4. a rerun after adding 1% new articles (copies with a changed sentence);
5. cold ``checker run`` over the corpus repeated 2x and 4x (each copy with a
   small change, so nothing is cached), for peak memory.

Words are whitespace-separated tokens of the article texts, the same count
for every line. Wall times include Python start-up, model loading, compare
and report. Peak memory is the largest sum of RSS over the run's process
tree, sampled every 0.1 s. CPU seconds (user+sys of the whole tree) are
given too: on a shared machine they are steadier than wall time.
Prints a table, and writes the figures as JSON (``--json``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def corpus_texts(corpus: Path, limit: int | None) -> list[tuple[str, str]]:
    """(relative id, text) for the corpus's .txt files, as checker reads them."""
    files = sorted(
        p for p in corpus.rglob("*.txt") if not any(part.startswith(".") for part in p.relative_to(corpus).parts)
    )
    if limit:
        files = files[:limit]
    return [(p.relative_to(corpus).as_posix(), p.read_bytes().decode("utf-8-sig")) for p in files]


def words(texts: list[tuple[str, str]]) -> int:
    return sum(len(t.split()) for _, t in texts)


def write_corpus(texts: list[tuple[str, str]], dest: Path, copies: int = 1) -> None:
    """The texts under ``dest``; copy k > 0 gets a changed headline and closing line, so its hash differs."""
    for k in range(copies):
        for rid, text in texts:
            p = dest / (f"copy{k}" if copies > 1 else "") / rid
            p.parent.mkdir(parents=True, exist_ok=True)
            if k:
                first, _, rest = text.partition("\n")
                text = f"{first} (update {k})\n{rest.rstrip()}\n\nThis article was updated {k} times.\n"
            p.write_text(text, encoding="utf-8")


class TreeSampler:
    """Peak summed RSS of a process and its descendants, sampled in a thread."""

    def __init__(self, pid: int) -> None:
        import psutil

        self.proc = psutil.Process(pid)
        self.peak = 0
        self.peak_parent = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        import psutil

        while not self.stop.is_set():
            try:
                procs = [self.proc, *self.proc.children(recursive=True)]
                rss = 0
                for p in procs:
                    with contextlib.suppress(psutil.Error):
                        rss += p.memory_info().rss
                self.peak = max(self.peak, rss)
                self.peak_parent = max(self.peak_parent, self.proc.memory_info().rss)
            except psutil.Error:
                pass
            self.stop.wait(0.1)

    def finish(self) -> tuple[float, float]:
        self.stop.set()
        self.thread.join()
        return self.peak / 2**20, self.peak_parent / 2**20


def snapshot(work: Path) -> Path:
    """A copy of the checker package and rules/ to run from, so edits to the
    working tree during the benchmark cannot change the code (or the cache key)
    between the cold and the warm run."""
    code = work / "code"
    shutil.copytree(ROOT / "checker", code / "checker", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "rules", code / "rules")
    return code


CODE: Path = ROOT


def timed(cmd: list[str], **kw) -> dict:
    """Run ``cmd``; wall seconds, CPU seconds of its whole tree, peak RSS (MiB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    env = {**os.environ, "PYTHONPATH": str(CODE)}
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=CODE, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    sampler = TreeSampler(proc.pid)
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    peak, peak_parent = sampler.finish()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-3000:]}")
    return {
        "wall": round(wall, 2),
        "cpu": round(cpu, 2),
        "peak_mib": round(peak),
        "peak_parent_mib": round(peak_parent),
        "stdout": out.strip(),
    }


RAW = """
import sys, time, json
import spacy
from checker.nlp import model_name
texts = json.load(open(sys.argv[1], encoding="utf-8"))
nlp = spacy.load(model_name())
t0 = time.perf_counter()
for _ in nlp.pipe(texts):
    pass
print(json.dumps({"pipe_seconds": time.perf_counter() - t0, "pipes": nlp.pipe_names}))
"""


def checker_cmd(inputs: Path, store: Path, out: Path, extra: list[str] | None = None) -> list[str]:
    return [
        sys.executable,
        "-m",
        "checker.cli",
        "run",
        str(inputs),
        "--store",
        str(store),
        "--out",
        str(out),
        *(extra or []),
    ]


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", type=Path, help="folder of .txt articles (e.g. ../shared/corpus/bbc)")
    ap.add_argument("--limit", type=int, default=None, help="only the first N articles (a quick look)")
    ap.add_argument("--scales", default="1,2,4", help="corpus multiples for peak memory (default 1,2,4)")
    ap.add_argument("--processes", "-j", type=int, default=None, help="checker run -j (default: checker's, 2)")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument(
        "--code",
        type=Path,
        default=None,
        help="run this copy of the project (a folder with checker/ and rules/; default: a copy of this checkout)",
    )
    args = ap.parse_args(argv)

    texts = corpus_texts(args.corpus, args.limit)
    n_words = words(texts)
    work = Path(tempfile.mkdtemp(prefix="checker-bench-"))
    extra = ["-j", str(args.processes)] if args.processes else []
    res: dict = {"articles": len(texts), "words": n_words, "cpus": os.cpu_count(), "python": sys.version.split()[0]}
    global CODE
    CODE = args.code.resolve() if args.code else snapshot(work)
    try:
        print(f"corpus: {len(texts)} articles, {n_words:,} words; work folder {work}", flush=True)
        (work / "texts.json").write_text(json.dumps([t for _, t in texts]), encoding="utf-8")
        # Fail fast (a half-edited working tree) before the long runs.
        smoke = work / "smoke"
        write_corpus(texts[:3], smoke)
        timed(checker_cmd(smoke, work / "smoke.db", work / "smoke-out", ["-j", "1"]))
        raw = timed([sys.executable, "-c", RAW, str(work / "texts.json")])
        inner = json.loads(raw["stdout"].splitlines()[-1])
        res["raw_spacy"] = {
            **{k: v for k, v in raw.items() if k != "stdout"},
            "pipe_seconds": round(inner["pipe_seconds"], 2),
            "pipes": inner["pipes"],
            "wps": round(n_words / inner["pipe_seconds"]),
            "wps_wall": round(n_words / raw["wall"]),
        }
        print(
            f"raw spaCy (1 process, nlp.pipe only): {res['raw_spacy']['wps']:,} words/s "
            f"({inner['pipe_seconds']:.1f}s; {raw['wall']:.1f}s with start-up)",
            flush=True,
        )

        src = work / "x1"
        write_corpus(texts, src)
        store, out = work / "bench.db", work / "out"
        cold = timed(checker_cmd(src, store, out, extra))
        cold["wps"] = round(n_words / cold["wall"])
        res["cold"] = {k: v for k, v in cold.items() if k != "stdout"}
        res["ratio"] = round(cold["wps"] / res["raw_spacy"]["wps"], 2)
        print(
            f"checker run, cold: {cold['wps']:,} words/s ({cold['wall']:.1f}s wall, {cold['cpu']:.1f}s CPU, "
            f"peak {cold['peak_mib']} MiB) = {res['ratio']}x raw spaCy",
            flush=True,
        )

        warm = timed(checker_cmd(src, store, out, extra))
        res["warm"] = {k: v for k, v in warm.items() if k != "stdout"}
        res["warm_pct"] = round(100 * warm["wall"] / cold["wall"], 1)
        print(f"checker run, unchanged rerun: {warm['wall']:.1f}s = {res['warm_pct']}% of cold", flush=True)

        new = texts[: max(1, len(texts) // 100)]
        for rid, text in new:
            first, _, rest = text.partition("\n")
            p = src / "new" / rid
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(f"{first} (new)\n{rest.rstrip()}\n\nA new closing line.\n", encoding="utf-8")
        plus = timed(checker_cmd(src, store, out, extra))
        res["plus1pct"] = {**{k: v for k, v in plus.items() if k != "stdout"}, "new_articles": len(new)}
        res["plus1pct_pct"] = round(100 * plus["wall"] / cold["wall"], 1)
        print(
            f"checker run, +{len(new)} new articles (1%): {plus['wall']:.1f}s = {res['plus1pct_pct']}% of cold",
            flush=True,
        )

        res["memory"] = {
            "1": {
                "peak_mib": cold["peak_mib"],
                "peak_parent_mib": cold["peak_parent_mib"],
                "wall": cold["wall"],
                "articles": len(texts),
            }
        }
        for k in [int(s) for s in args.scales.split(",") if s.strip() and int(s) > 1]:
            dk = work / f"x{k}"
            write_corpus(texts, dk, copies=k)
            r = timed(checker_cmd(dk, work / f"bench{k}.db", work / f"out{k}", extra))
            res["memory"][str(k)] = {
                "peak_mib": r["peak_mib"],
                "peak_parent_mib": r["peak_parent_mib"],
                "wall": r["wall"],
                "articles": len(texts) * k,
            }
            shutil.rmtree(dk)
            print(
                f"checker run, {k}x corpus ({len(texts) * k} articles): peak {r['peak_mib']} MiB "
                f"(parent {r['peak_parent_mib']} MiB), {r['wall']:.1f}s",
                flush=True,
            )
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(res, indent=1))
    if args.json:
        args.json.write_text(json.dumps(res, indent=1) + "\n", encoding="utf-8")
    return res


if __name__ == "__main__":
    main()
