from __future__ import annotations

import random

import pytest

from qingzhuang.textclass.neardup import NearDupIndex, containment, jaccard, normalise

A = "关于A市A2区景蓉华苑物业管理混乱的问题，物业公司扬言退出小区，请相关部门尽快处理停车费问题。"


def test_finds_reformatted_copy_but_not_unrelated_text() -> None:
    index = NearDupIndex()
    index.add("r1", A)
    index.add("r2", "县城道路施工噪音扰民，夜里十二点还在打桩，希望环保部门管一管。")
    hits = index.query("  " + A.replace("，", ",") + "！！", threshold=0.8)
    assert [k for k, _ in hits] == ["r1"]
    assert hits[0][1] == pytest.approx(1.0)
    assert index.query("学校食堂饭菜价格太贵，学生吃不饱。") == []


def test_estimate_tracks_exact_jaccard() -> None:
    b = A[:-12] + "另外小区门禁也经常损坏没人修。"
    index = NearDupIndex(num_perm=128, bands=32)
    index.add(1, A)
    hits = index.query(b, threshold=0.0)
    assert hits and abs(hits[0][1] - jaccard(A, b)) < 0.2


def test_many_keys_use_sorted_tables_and_tail() -> None:
    rng = random.Random(3)
    alphabet = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动"
    index = NearDupIndex()
    docs = ["".join(rng.choice(alphabet) for _ in range(60)) for _ in range(6000)]
    for i, d in enumerate(docs):
        index.add(i, d)
    assert len(index) == 6000
    for j in (5, 4500, 5999):  # before and after the last table rebuild
        assert index.query(docs[j])[0] == (j, 1.0)


def test_containment_is_asymmetric() -> None:
    upper = A * 3 + "各乡镇要认真贯彻落实，确保按时完成任务。"
    assert containment(A, upper) == 1.0
    assert containment(upper, A) < 0.9
    assert containment("", upper) == 0.0
    assert normalise("Ａ Ｂ，c") == "abc"
