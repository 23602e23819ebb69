"""Near-duplicate engine on messages_hot: clusters found, time, and a 100k-key scale run.

.venv/bin/python bench/neardup.py [--data ../shared/data] [--threshold 0.8] [--scale 100000]
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import time
from pathlib import Path

from qingzhuang.textclass._text import join_subject
from qingzhuang.textclass.neardup import NearDupIndex

ROOT = Path(__file__).resolve().parents[1]


def clusters(index: NearDupIndex, texts: list[str], threshold: float) -> list[list[int]]:
    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, t in enumerate(texts):
        for key, _ in index.query(t, threshold=threshold):
            parent[find(int(key))] = find(i)  # type: ignore[call-overload]
    groups: dict[int, list[int]] = {}
    for i in range(len(texts)):
        groups.setdefault(find(i), []).append(i)
    return [g for g in groups.values() if len(g) > 1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--scale", type=int, default=100_000, help="0 to skip the scale run")
    args = ap.parse_args()
    with open(args.data / "requests" / "messages_hot.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    texts = [join_subject(r["subject"], r["text"]) for r in rows]
    start = time.perf_counter()
    index = NearDupIndex()
    for i, t in enumerate(texts):
        index.add(i, t)
    built = time.perf_counter() - start
    start = time.perf_counter()
    groups = clusters(index, texts, args.threshold)
    queried = time.perf_counter() - start
    print(f"messages_hot: {len(texts)} messages, index {built:.2f}s, all queries {queried:.2f}s")
    print(
        f"  {len(groups)} near-duplicate clusters (Jaccard ≥ {args.threshold}), "
        f"{sum(map(len, groups))} messages in them, largest {max(map(len, groups), default=0)}"
    )
    for g in sorted(groups, key=len, reverse=True)[:3]:
        print(f"  e.g. {len(g)} × {rows[g[0]]['subject'][:40]!r}")
    if args.scale:
        rng = random.Random(7)
        start = time.perf_counter()
        big = NearDupIndex()
        for i in range(args.scale):
            base = texts[i % len(texts)]
            cut = rng.randrange(max(1, len(base) // 2))  # vary each copy so texts differ
            big.add(i, base[cut:] + str(i))
        built = time.perf_counter() - start
        start = time.perf_counter()
        hits = sum(len(big.query(texts[j], threshold=args.threshold)) for j in range(200))
        q_ms = (time.perf_counter() - start) / 200 * 1000
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"scale: {args.scale} keys indexed in {built:.1f}s, arrays {big.nbytes() / 2**20:.1f} MiB "
            f"(~{big.nbytes() / args.scale:.0f} B/key), peak RSS {rss:.0f} MiB, "
            f"query {q_ms:.2f} ms ({hits} hits for 200 queries)"
        )


if __name__ == "__main__":
    main()
