"""Story grouping at scale: time and peak memory at 20,000 and 100,000 articles.

    .venv/bin/python benchmarks/bench_stories.py ../shared/corpus/bbc
    .venv/bin/python benchmarks/bench_stories.py ../shared/corpus/bbc --scales 2000,20000 --ref HEAD~1
    .venv/bin/python benchmarks/bench_stories.py ../shared/corpus/bbc --e2e 20000

Parsing 100,000 articles is too slow for a benchmark, so the grouping stage
is measured on fingerprints: the BBC corpus is parsed once (cached in
``--cache``) into one fingerprint per sentence, and each benchmark article is
a varied copy of a BBC article: a random subset of its sentences (half to
all, in shuffled order) plus one sentence of another article, published on
one of seven days. Its fingerprint is the sum of its sentences'.

Each scale runs ``checker.resolve.stories.cluster`` in a fresh child process and
reports the wall and CPU time of the call and the child's peak RSS (``ru_maxrss``,
so the fingerprints held before grouping are in it; their RSS is given
apart). How well copies stay together: the share of BBC articles whose
copies all fall in one group. ``--ref REF`` runs the same on
``checker/resolve/stories.py`` as of a git revision (under ``--mem-gb`` of address
space, so a grouping that blows up fails instead of swapping).

``--e2e N`` also writes N short JSONL articles (two sentences of one BBC
article plus one random sentence, as a hostile night might bring) and times a
whole ``checker run`` on them (no store), with the peak RSS of its process
tree and the story stage's seconds from its log.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def sentence_fingerprints(corpus: Path, cache: Path, processes: int = 2) -> list[dict]:
    """[{id, sentences: [{text, fp}]}] for the corpus, parsed once and cached."""
    if cache.exists():
        return json.loads(cache.read_text(encoding="utf-8"))
    from checker.ingest import read_inputs
    from checker.models import Article
    from checker.nlp import load_pipeline
    from checker.resolve.stories import fingerprint
    from checker.rules import load_rules

    articles = read_inputs([corpus]).articles
    nlp = load_pipeline(load_rules())
    out = []
    t0 = time.perf_counter()
    for doc, art in nlp.pipe(((a.text, a) for a in articles), as_tuples=True, n_process=processes, batch_size=16):
        sents = []
        for sent in doc.sents:
            sub = sent.as_doc()
            fp = fingerprint(sub, Article(id=art.id, text=sub.text))
            if sent.text.strip():
                sents.append({"text": sent.text.strip(), "fp": dict(fp)})
        out.append({"id": art.id, "sentences": sents})
    print(f"parsed {len(articles)} articles in {time.perf_counter() - t0:.0f} s -> {cache}", file=sys.stderr)
    cache.write_text(json.dumps(out), encoding="utf-8")
    return out


def varied(base: list[dict], n: int, seed: int = 7) -> tuple[dict[str, Counter], dict[str, str], dict[str, str]]:
    """n varied copies: (fingerprints, dates, id -> the BBC article it copies)."""
    rng = random.Random(seed)
    base = [b for b in base if b["sentences"]]
    fps: dict[str, Counter] = {}
    dates: dict[str, str] = {}
    origin: dict[str, str] = {}
    for k in range(n):
        b = base[k % len(base)]
        sents = b["sentences"]
        pick = rng.sample(sents, max(1, round(len(sents) * rng.uniform(0.5, 1.0))))
        other = rng.choice(base)["sentences"]
        pick.append(rng.choice(other))
        fp: Counter = Counter()
        for s in pick:
            fp.update(s["fp"])
        aid = f"a{k:06d}"
        fps[aid] = fp
        dates[aid] = f"2024-11-0{1 + rng.randrange(7)}"
        origin[aid] = b["id"]
    return fps, dates, origin


CHILD = """
import json, resource, sys, time, types, subprocess
sys.path[:0] = [{root!r}, {bench!r}]
from bench_stories import sentence_fingerprints, varied
from pathlib import Path
ref = {ref!r}
if ref:
    try:  # checker/resolve/stories.py since the resolve package; checker/stories.py before
        src = subprocess.check_output(["git", "-C", {root!r}, "show", ref + ":checker/resolve/stories.py"], text=True, stderr=subprocess.DEVNULL)
    except subprocess.CalledProcessError:
        src = subprocess.check_output(["git", "-C", {root!r}, "show", ref + ":checker/stories.py"], text=True)
    stories = types.ModuleType("stories_ref")
    exec(compile(src, "stories_ref", "exec"), stories.__dict__)
    if {mem!r}:
        lim = int({mem!r} * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (lim, lim))
else:
    from checker.resolve import stories
base = sentence_fingerprints(Path({corpus!r}), Path({cache!r}))
fps, dates, origin = varied(base, {n!r})
del base
import numpy, scipy.sparse  # imported before the measure, as in a run
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
ru = resource.getrusage(resource.RUSAGE_SELF)
cpu0 = ru.ru_utime + ru.ru_stime
t0 = time.perf_counter()
try:
    groups = stories.cluster(fps, dates=dates)
    error = None
except MemoryError:
    groups, error = [], "MemoryError"
seconds = time.perf_counter() - t0
ru = resource.getrusage(resource.RUSAGE_SELF)
cpu = ru.ru_utime + ru.ru_stime - cpu0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
where = {{}}
for g in groups:
    for a in g:
        where[a] = id(g)
by_origin = {{}}
for a, o in origin.items():
    by_origin.setdefault(o, set()).add(where.get(a))
whole = sum(len(s) == 1 for s in by_origin.values()) / len(by_origin)
sizes = sorted((len(g) for g in groups), reverse=True)
print(json.dumps({{"articles": len(fps), "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "peak_mib": round(peak),
    "before_mib": round(before), "groups": len(groups), "largest": sizes[:3], "copies_whole": round(whole, 3),
    "error": error}}))
"""


def run_scale(args: argparse.Namespace, n: int, ref: str | None) -> dict:
    code = CHILD.format(
        root=str(ROOT),
        bench=str(ROOT / "benchmarks"),
        ref=ref,
        mem=args.mem_gb if ref else None,
        corpus=str(args.corpus),
        cache=str(args.cache),
        n=n,
    )
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=args.timeout)
    if proc.returncode != 0:
        return {
            "articles": n,
            "error": proc.stderr.strip().splitlines()[-1] if proc.stderr else f"exit {proc.returncode}",
            "wall": round(time.perf_counter() - t0, 1),
        }
    return json.loads(proc.stdout.strip().splitlines()[-1])


def end_to_end(args: argparse.Namespace, base: list[dict], n: int) -> dict:
    """A whole ``checker run`` on n short JSONL articles; wall time, peak RSS of the tree, story seconds."""
    from bench_throughput import TreeSampler

    rng = random.Random(11)
    base = [b for b in base if len(b["sentences"]) >= 2]
    with tempfile.TemporaryDirectory(prefix="bench-stories-") as tmp:
        src = Path(tmp) / "night.jsonl"
        with src.open("w", encoding="utf-8") as f:
            for k in range(n):
                b = base[k % len(base)]
                i = rng.randrange(len(b["sentences"]) - 1)
                text = " ".join(
                    [
                        b["sentences"][i]["text"],
                        b["sentences"][i + 1]["text"],
                        rng.choice(rng.choice(base)["sentences"])["text"],
                    ]
                )
                rec = {
                    "id": f"n{k:06d}",
                    "text": text,
                    "source": f"outlet{k % 50}",
                    "published": f"2024-11-0{1 + k % 7}",
                }
                f.write(json.dumps(rec) + "\n")
        cmd = [sys.executable, "-m", "checker", "-v", "run", str(src), "--out", str(Path(tmp) / "out"), "--no-store"]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        sampler = TreeSampler(proc.pid)
        out, err = proc.communicate()
        wall = time.perf_counter() - t0
        peak, peak_parent = sampler.finish()
    m = re.search(r"stories: .*\(([\d.]+)s\)", err)
    return {
        "articles": n,
        "exit": proc.returncode,
        "wall": round(wall, 1),
        "peak_mib": round(peak),
        "peak_parent_mib": round(peak_parent),
        "stories_seconds": float(m.group(1)) if m else None,
        "tail": err.strip().splitlines()[-3:] + out.strip().splitlines()[-1:],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--scales", default="20000,100000", help="comma-separated article counts")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "checker-bench-sentences.json")
    ap.add_argument("--ref", help="also run checker/resolve/stories.py as of this git revision")
    ap.add_argument("--mem-gb", type=float, default=6.0, help="address-space cap for --ref (GiB)")
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--e2e", type=int, default=0, help="also time a whole checker run on this many short articles")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    base = sentence_fingerprints(args.corpus, args.cache)
    print(f"{len(base)} BBC articles, {sum(len(b['sentences']) for b in base)} sentences", file=sys.stderr)
    results = []
    for n in (int(s) for s in args.scales.split(",") if s):
        for ref in [None, args.ref] if args.ref else [None]:
            r = run_scale(args, n, ref) | {"code": ref or "this checkout"}
            results.append(r)
            print(json.dumps(r), flush=True)
    if args.e2e:
        r = end_to_end(args, base, args.e2e)
        results.append({"e2e": r})
        print(json.dumps({"e2e": r}), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
