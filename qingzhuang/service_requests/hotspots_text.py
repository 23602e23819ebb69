"""Recurring problems in free text (未诉先办): near-duplicate clusters over weeks.

Pure functions over rows (no database), used by `qz requests hotspots-csv` and the bench on
messages_hot.csv; the in-product hotspot page groups by category + village instead.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from django.utils.translation import gettext

from qingzhuang.core.textcodec import decode_bytes
from qingzhuang.textclass import NearDupIndex

TIME_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d")


def _time(raw: str) -> dt.datetime | None:
    for fmt in TIME_FORMATS:
        try:
            return dt.datetime.strptime(raw.strip(), fmt)  # noqa: DTZ007 - only weeks are compared
        except ValueError:
            continue
    return None


_INDEX = NearDupIndex()  # default parameters; only its signature/banding functions are used


@lru_cache(maxsize=16384)
def _signature(text: str) -> bytes:
    """MinHash signature of one text, memoised: the hotspot page re-clusters the latest few
    thousand requests, and after a new request arrives all but one signature are known."""
    return _INDEX.signature(text).tobytes()


def cluster_texts(texts: list[str], *, threshold: float = 0.5) -> list[int]:
    """Cluster id per text: union-find over MinHash near-duplicate links (never all pairs).

    Texts are linked when they share an LSH band and their estimated Jaccard similarity is at
    least `threshold` — the same links a NearDupIndex query per text would find — but computed
    in one pass: identical signatures are merged first, then each band's buckets are paired.
    """
    n = len(texts)
    if n == 0:
        return []
    sigs = np.frombuffer(b"".join(_signature(t) for t in texts), dtype=np.uint16)
    sigs = sigs.reshape(n, _INDEX.num_perm)
    uniq, inverse = np.unique(sigs, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    m = len(uniq)
    parent = list(range(m))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    bands = np.stack([_INDEX._bands_of(sig) for sig in uniq]) if m > 1 else None
    for j in range(_INDEX.bands if bands is not None else 0):
        col = bands[:, j]  # type: ignore[index]
        order = np.argsort(col, kind="stable")
        vals = col[order]
        starts = np.flatnonzero(np.r_[True, vals[1:] != vals[:-1]])
        ends = np.r_[starts[1:], len(vals)]
        for lo, hi in zip(
            starts[ends - starts > 1].tolist(), ends[ends - starts > 1].tolist(), strict=True
        ):
            members = order[lo:hi]
            a, b = np.triu_indices(len(members), 1)
            a, b = members[a], members[b]
            sims = (uniq[a] == uniq[b]).mean(axis=1)
            for x, y in zip(
                a[sims >= threshold].tolist(), b[sims >= threshold].tolist(), strict=True
            ):
                rx, ry = find(x), find(y)
                if rx != ry:
                    parent[rx] = ry
    root = [find(i) for i in range(m)]
    return [root[u] for u in inverse.tolist()]


def clusters_from_csv(
    path: Path,
    *,
    text_column: str = "text",
    subject_column: str = "subject",
    time_column: str = "time",
    threshold: float = 0.5,
    min_count: int = 3,
    top: int = 20,
) -> dict[str, Any]:
    # UTF-8 with or without a BOM, or GBK as WPS/Excel save "CSV" on Chinese Windows
    text, _encoding = decode_bytes(path.read_bytes())
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    if not rows or text_column not in rows[0]:
        raise ValueError(gettext("CSV 中没有“%(column)s”列") % {"column": text_column})
    subjects = [r.get(subject_column, "") or "" for r in rows]
    # The subject names the problem; the body adds detail. Cluster on both.
    texts = [f"{s}。{r[text_column]}"[:400] for s, r in zip(subjects, rows, strict=True)]
    ids = cluster_texts(texts, threshold=threshold)
    groups: dict[int, list[int]] = {}
    for i, cid in enumerate(ids):
        groups.setdefault(cid, []).append(i)
    out = []
    for members in groups.values():
        if len(members) < min_count:
            continue
        times = [t for t in (_time(rows[i].get(time_column, "")) for i in members) if t]
        weeks = Counter(t.strftime("%G-W%V") for t in times)
        span = (max(times) - min(times)).days if times else 0
        out.append(
            {
                "count": len(members),
                "distinct_weeks": len(weeks),
                "span_days": span,
                "first": min(times).date().isoformat() if times else "",
                "last": max(times).date().isoformat() if times else "",
                "subject": subjects[members[0]][:60],
                "weeks": dict(sorted(weeks.items())),
            }
        )
    out.sort(key=lambda c: (c["count"], c["distinct_weeks"]), reverse=True)
    return {"rows": len(rows), "clusters": len(out), "top": out[:top]}
