"""Recurring problems in free text (未诉先办): near-duplicate clusters over weeks.

Pure functions over rows (no database), used by `qz requests hotspots-csv` and the bench on
messages_hot.csv; the in-product hotspot page groups by category + village instead.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

from qingzhuang.textclass import NearDupIndex

TIME_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d")


def _time(raw: str) -> dt.datetime | None:
    for fmt in TIME_FORMATS:
        try:
            return dt.datetime.strptime(raw.strip(), fmt)  # noqa: DTZ007 - only weeks are compared
        except ValueError:
            continue
    return None


def cluster_texts(texts: list[str], *, threshold: float = 0.5) -> list[int]:
    """Cluster id per text: union-find over MinHash near-duplicate links (never all pairs)."""
    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    index = NearDupIndex()
    for i, text in enumerate(texts):
        for key, _sim in index.query(text, threshold=threshold):
            a, b = find(i), find(int(key))  # type: ignore[call-overload]
            if a != b:
                parent[a] = b
        index.add(i, text)
    return [find(i) for i in range(len(texts))]


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
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if not rows or text_column not in rows[0]:
        raise ValueError(f"CSV 中没有“{text_column}”列")
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
