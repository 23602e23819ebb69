"""The one-pass clustering links exactly the texts a NearDupIndex query per text would link."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from qingzhuang.service_requests.hotspots_text import cluster_texts
from qingzhuang.textclass import NearDupIndex


def _reference(texts: list[str], threshold: float) -> list[int]:
    """The incremental definition: query the index of earlier texts, union every match."""
    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
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


def _partition(ids: list[int]) -> list[tuple[int, ...]]:
    groups: dict[int, list[int]] = {}
    for i, cid in enumerate(ids):
        groups.setdefault(cid, []).append(i)
    return sorted(tuple(g) for g in groups.values())


def test_hand_made_texts() -> None:
    road = "幸福路12号门口的路灯坏了三天了，晚上一片漆黑，老人出门很危险，请尽快维修"
    texts = [
        road,
        "垃圾站的垃圾好几天没人清运，臭味很大",
        road.replace("三天", "四天"),  # near duplicate
        "",
        road,  # exact duplicate
        "",
        "垃圾站的垃圾好几天没人清运，臭味很大！！",  # same after normalisation
    ]
    assert _partition(cluster_texts(texts)) == [(0, 2, 4), (1, 6), (3, 5)]
    assert cluster_texts([]) == []


@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.8])
def test_same_clusters_as_the_incremental_index(shared_data: Path, threshold: float) -> None:
    with (shared_data / "requests" / "messages_hot.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))[:1500]
    texts = [f"{r['subject']}。{r['text']}"[:400] for r in rows]
    got = _partition(cluster_texts(texts, threshold=threshold))
    assert got == _partition(_reference(texts, threshold))
    assert any(len(g) > 1 for g in got)  # the sample does contain near duplicates
