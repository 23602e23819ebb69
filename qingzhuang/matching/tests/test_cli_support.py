import csv

import pytest

from qingzhuang.matching.cli_support import compare_csv, compare_rows


def test_compare_rows_adds_score_and_same_and_keeps_other_columns():
    rows = [
        {
            "id": "7",
            "left_label": "有效灌溉面积",
            "left_unit": "亩",
            "left_path": "三、农田水利",
            "right_label": "有效灌溉面积",
            "right_unit": "公顷",
            "right_path": "四、农业 > 有效灌溉面积",
        },
        {
            "id": "8",
            "left_label": "小学数",
            "left_unit": "所",
            "left_path": "",
            "right_label": "耕地面积",
            "right_unit": "亩",
            "right_path": "",
        },
    ]
    out = list(compare_rows(rows))
    assert [r["id"] for r in out] == ["7", "8"]
    assert [r["same"] for r in out] == ["1", "0"]
    assert float(out[0]["score"]) > float(out[1]["score"])
    assert len(out[0]["score"].split(".")[1]) == 4


def test_compare_csv_reads_bom_and_writes_rows(tmp_path):
    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text(
        "left_label,left_unit,left_path,right_label,right_unit,right_path,note\n"
        "乡村户数,户,,（一）乡村 户 数,万户,,x\n",
        encoding="utf-8-sig",
    )
    assert compare_csv(src, dst).rows == 1
    with open(dst, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["note"] == "x" and rows[0]["same"] == "1"


def test_compare_csv_reports_missing_columns_in_plain_chinese(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("left_label,right_label\na,b\n", encoding="utf-8")
    with pytest.raises(ValueError, match="缺少必需的列：left_unit"):
        compare_csv(src, tmp_path / "out.csv")
