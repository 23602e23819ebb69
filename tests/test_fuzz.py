"""Property-based fuzzing: random and mutated files never crash or hang the engines.

They either parse or raise the product's own errors (SheetError / ApplicationError).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from qingzhuang.core.errors import ApplicationError
from qingzhuang.matching import FieldRef, compare
from qingzhuang.org.services import parse_org_csv
from qingzhuang.sheets import parse_file
from qingzhuang.sheets.errors import SheetError

# derandomize: CI must be repeatable; widen max_examples locally to hunt for new crashes.
FUZZ = settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _seed_xlsx() -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"] = "村级基本情况统计表"
    ws.merge_cells("A1:D1")
    ws.append(["村名", "人口情况", None, "耕地面积（亩）"])
    ws.append([None, "男", "女", None])
    ws.merge_cells("B2:C2")
    ws.append(["青山村", 10, 12, 300])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


SEED_XLSX = _seed_xlsx()


def _parse_bytes(tmp: Path, data: bytes, suffix: str) -> None:
    path = tmp / f"f{suffix}"
    path.write_bytes(data)
    try:
        parse_file(path)
    except SheetError as exc:
        assert exc.message


@FUZZ
@given(data=st.binary(max_size=4096), suffix=st.sampled_from([".xlsx", ".xls", ".csv", ".docx"]))
def test_random_bytes_never_crash_the_parser(tmp_path: Path, data: bytes, suffix: str) -> None:
    _parse_bytes(tmp_path, data, suffix)


@FUZZ
@given(
    cut=st.integers(min_value=0, max_value=len(SEED_XLSX)),
    flips=st.lists(st.tuples(st.integers(0, len(SEED_XLSX) - 1), st.integers(0, 255)), max_size=8),
)
def test_truncated_or_mutated_xlsx_never_crashes(
    tmp_path: Path, cut: int, flips: list[tuple[int, int]]
) -> None:
    data = bytearray(SEED_XLSX[:cut] if cut else SEED_XLSX)
    for pos, value in flips:
        if pos < len(data):
            data[pos] = value
    _parse_bytes(tmp_path, bytes(data), ".xlsx")


@FUZZ
@given(xml=st.text(max_size=400))
def test_mutated_sheet_xml_never_crashes(tmp_path: Path, xml: str) -> None:
    src = zipfile.ZipFile(io.BytesIO(SEED_XLSX))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = body[:200] + xml.encode("utf-8", "replace") + body[200:]
            dst.writestr(item, body)
    _parse_bytes(tmp_path, out.getvalue(), ".xlsx")


@FUZZ
@given(text=st.text(max_size=600), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gbk"]))
def test_random_csv_text_never_crashes(tmp_path: Path, text: str, encoding: str) -> None:
    data = ("村名,人口（人）\n" + text).encode(encoding, "replace")
    _parse_bytes(tmp_path, data, ".csv")


label = st.text(alphabet=st.characters(categories=["Lo", "Nd", "P", "Zs"]), max_size=30)


@FUZZ
@given(
    a=label,
    b=label,
    ua=st.sampled_from(["", "人", "万人", "户", "亩", "公顷", "%", "乱码单位"]),
    ub=st.text(max_size=6),
    pa=st.lists(label, max_size=4),
    pb=st.lists(label, max_size=4),
)
def test_same_item_engine_is_total_and_symmetric(
    a: str, b: str, ua: str, ub: str, pa: list[str], pb: list[str]
) -> None:
    left = FieldRef(key="l", label=a, unit=ua, path=tuple(pa), form="F1")
    right = FieldRef(key="r", label=b, unit=ub, path=tuple(pb), form="F2")
    d1 = compare(left, right)
    d2 = compare(right, left)
    assert 0.0 <= d1.score <= 1.0
    assert d1.same == d2.same


@FUZZ
@given(body=st.binary(max_size=2048))
def test_org_csv_importer_only_raises_its_own_errors(body: bytes) -> None:
    try:
        rows = parse_org_csv(b"code,name,parent_code,level\n" + body)
    except ApplicationError as exc:
        assert exc.message
    else:
        assert all(r["code"] and r["name"] for r in rows)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".docx", ".xls"])
def test_empty_file_is_a_clear_error(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(b"")
    with pytest.raises(SheetError, match="空"):
        parse_file(path)


def test_corrupt_deflate_stream_is_a_clear_error(tmp_path: Path) -> None:
    """A member whose compressed data is garbage (found by the fuzzer: zlib.error)."""
    data = bytearray(SEED_XLSX)
    start = data.find(b"xl/worksheets/sheet1.xml")
    for i in range(start + 40, min(start + 200, len(data))):
        data[i] ^= 0x5A
    with pytest.raises(SheetError):
        parse_file_bytes(tmp_path, bytes(data))


def parse_file_bytes(tmp: Path, data: bytes) -> None:
    path = tmp / "bad.xlsx"
    path.write_bytes(data)
    parse_file(path)
