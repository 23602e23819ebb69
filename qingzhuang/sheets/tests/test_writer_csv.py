"""Filling CSV forms: encoding, delimiter, quoting and untouched lines survive byte for byte."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest

from qingzhuang.sheets.writer import (
    SKIP_FORMULA,
    CellWrite,
    WriteError,
    write_filled,
    write_filled_report,
)

ROWS = [
    ["村名", "户数（户）", "人口（人）", "备注"],
    ["城关村", "", "", "含,逗号"],
    ["河口村", "", "", '说"明'],
]


def make_csv(path: Path, encoding: str, delimiter: str = ",", newline: str = "\r\n") -> Path:
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter, lineterminator=newline).writerows(ROWS)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def read_rows(path: Path, encoding: str, delimiter: str = ",") -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as fh:
        return list(csv.reader(fh, delimiter=delimiter))


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_values_land_and_encoding_is_kept(tmp_path: Path, encoding: str) -> None:
    src = make_csv(tmp_path / "form.csv", encoding)
    out = tmp_path / "out.csv"
    writes = [
        CellWrite(None, "B2", 312),
        CellWrite(None, "C2", Decimal("1045.50")),
        CellWrite(None, "B3", 88.0),
        CellWrite(None, "C3", 0.1),
    ]
    report = write_filled_report(src, out, writes, src_format="csv")
    assert report.written == 4
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    rows = read_rows(out, encoding)
    assert rows[1] == ["城关村", "312", "1045.5", "含,逗号"]
    assert rows[2] == ["河口村", "88", "0.1", '说"明']
    src_lines = src.read_bytes().split(b"\r\n")
    assert raw.split(b"\r\n")[0] == src_lines[0]  # untouched header: identical bytes


def test_gbk_source_stays_gbk(tmp_path: Path) -> None:
    src = make_csv(tmp_path / "form.csv", "gbk")
    out = write_filled(src, tmp_path / "o.csv", [CellWrite(None, "A2", "新村")], src_format="csv")
    text = out.read_bytes().decode("gbk")
    assert text.splitlines()[1].startswith("新村,")
    with pytest.raises(UnicodeDecodeError):
        out.read_bytes().decode("utf-8")


def test_tab_delimiter_and_lf_endings_are_kept(tmp_path: Path) -> None:
    src = make_csv(tmp_path / "form.csv", "utf-8", delimiter="\t", newline="\n")
    out = write_filled(src, tmp_path / "o.csv", [CellWrite(None, "B2", 5)], src_format="csv")
    raw = out.read_bytes()
    assert b"\r\n" not in raw
    assert read_rows(out, "utf-8", "\t")[1][:2] == ["城关村", "5"]


def test_unwritten_rows_are_byte_identical(tmp_path: Path) -> None:
    src = tmp_path / "form.csv"
    src.write_bytes('村名,户数\r\n"城关村" ,  \r\n"河口村",\r\n'.encode())
    out = write_filled(src, tmp_path / "o.csv", [CellWrite(None, "B3", 7)], src_format="csv")
    assert out.read_bytes() == '村名,户数\r\n"城关村" ,  \r\n"河口村",7\r\n'.encode()


def test_formula_injection_is_neutralised_but_numbers_are_not(tmp_path: Path) -> None:
    src = make_csv(tmp_path / "form.csv", "utf-8")
    writes = [
        CellWrite(None, "D2", '=HYPERLINK("http://x")'),
        CellWrite(None, "D3", "+1"),
        CellWrite(None, "B2", -5),
        CellWrite(None, "C2", "@SUM(A1)"),
        CellWrite(None, "C3", "-3"),
    ]
    out = write_filled(src, tmp_path / "o.csv", writes, src_format="csv")
    rows = read_rows(out, "utf-8")
    assert rows[1][3] == '\'=HYPERLINK("http://x")'
    assert rows[2][3] == "'+1"
    assert rows[1][1] == "-5"
    assert rows[1][2] == "'@SUM(A1)"
    assert rows[2][2] == "'-3"


def test_rows_and_columns_beyond_the_end_are_added(tmp_path: Path) -> None:
    src = tmp_path / "form.csv"
    src.write_bytes("村名,户数\n城关村,".encode())  # no newline at the end
    writes = [CellWrite(None, "A4", "新村"), CellWrite(None, "B4", 3), CellWrite(None, "E2", 1)]
    out = write_filled(src, tmp_path / "o.csv", writes, src_format="csv")
    rows = read_rows(out, "utf-8")
    assert rows == [["村名", "户数"], ["城关村", "", "", "", "1"], ["", ""], ["新村", "3"]]
    assert out.read_bytes().endswith(b"\n")


def test_existing_formula_text_is_not_overwritten(tmp_path: Path) -> None:
    src = tmp_path / "form.csv"
    src.write_bytes("村名,合计\n城关村,=B3+B4\n".encode())
    report = write_filled_report(src, tmp_path / "o.csv", [CellWrite(None, "B2", 9)],
                                 src_format="csv")  # fmt: skip
    assert [r for _, r in report.skipped] == [SKIP_FORMULA]
    assert read_rows(report.path, "utf-8")[1] == ["城关村", "=B3+B4"]


def test_quoted_multiline_field_counts_as_one_row(tmp_path: Path) -> None:
    src = tmp_path / "form.csv"
    src.write_bytes('名称,值\n"多行\n说明",\n乙,\n'.encode())
    out = write_filled(src, tmp_path / "o.csv", [CellWrite(None, "B3", 2)], src_format="csv")
    assert read_rows(out, "utf-8") == [["名称", "值"], ["多行\n说明", ""], ["乙", "2"]]


def test_bad_address_raises(tmp_path: Path) -> None:
    src = make_csv(tmp_path / "form.csv", "utf-8")
    with pytest.raises(WriteError, match="单元格地址无效"):
        write_filled(src, tmp_path / "o.csv", [CellWrite(None, "2B", 1)], src_format="csv")
