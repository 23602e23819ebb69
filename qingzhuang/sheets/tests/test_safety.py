"""Hostile and broken uploads give a SheetError with a Chinese message, never a crash."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from qingzhuang.sheets import (
    CorruptFile,
    EmptyFile,
    EncryptedFile,
    SheetError,
    TooLarge,
    UnsupportedFormat,
    parse_file,
    safety,
)
from qingzhuang.sheets.errors import UnsafeFile

from .builders import (
    indicator_list_xlsx,
    ole_file,
    rows_xlsx,
    village_table_xlsx,
    xxe_xlsx,
    zip_bomb,
)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "空.xlsx"
    path.write_bytes(b"")
    with pytest.raises(EmptyFile) as err:
        parse_file(path)
    assert "空" in err.value.message


def test_truncated_xlsx_is_corrupt_and_names_the_file(tmp_path: Path) -> None:
    good = indicator_list_xlsx(tmp_path / "good.xlsx").read_bytes()
    path = tmp_path / "半截.xlsx"
    path.write_bytes(good[: len(good) // 2])
    with pytest.raises(CorruptFile) as err:
        parse_file(path)
    assert "半截.xlsx" in err.value.message


def test_zip_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    with pytest.raises((UnsafeFile, TooLarge)) as err:
        parse_file(zip_bomb(tmp_path / "bomb.xlsx"))
    assert "压缩" in err.value.message


def test_xml_with_entities_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnsafeFile) as err:
        parse_file(xxe_xlsx(tmp_path / "xxe.xlsx", tmp_path))
    assert "DTD" in err.value.message


def test_encrypted_office_file(tmp_path: Path) -> None:
    with pytest.raises(EncryptedFile) as err:
        parse_file(ole_file(tmp_path / "secret.xlsx", "EncryptedPackage"))
    assert "密码" in err.value.message


def test_old_word_doc_is_unsupported_with_advice(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormat) as err:
        parse_file(ole_file(tmp_path / "a.doc", "WordDocument"))
    assert ".docx" in err.value.message


def test_binary_garbage_is_unsupported(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(bytes(range(256)) * 50)
    with pytest.raises(SheetError):
        parse_file(path)


def test_non_text_csv_encoding_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"\x81\xff\xfe\x80" * 300 + b"\n")
    with pytest.raises(UnsupportedFormat):
        parse_file(path)


def test_oversized_csv_is_refused_while_streaming(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qingzhuang.sheets import parse_csv

    monkeypatch.setattr(parse_csv, "MAX_CSV_ROWS", 10)
    path = tmp_path / "big.csv"
    path.write_text("村名,人口\n" + "东村,1\n" * 50, encoding="utf-8")
    with pytest.raises(TooLarge):
        parse_file(path)


def test_oversized_sheet_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 34 cells (under the workbook's 2 × 20) that span 14 rows × 4 columns (over 20)
    monkeypatch.setattr(safety, "MAX_CELLS", 20)
    with pytest.raises(TooLarge) as err:
        parse_file(indicator_list_xlsx(tmp_path / "a.xlsx"))
    assert "过大" in err.value.message


def test_html_disguised_as_xls(tmp_path: Path) -> None:
    path = tmp_path / "导出.xls"
    path.write_text("<html><table><tr><td>村名</td></tr></table></html>", encoding="utf-8")
    with pytest.raises(UnsupportedFormat) as err:
        parse_file(path)
    assert "网页" in err.value.message


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("随机.xlsx", bytes(range(256)) * 50),
        ("假的.xlsx", b"PK\x03\x04"),  # replaced below by a real zip without a workbook
        ("假的.docx", b"PK\x03\x04"),
    ],
)
def test_office_name_with_other_content_says_damaged_or_renamed(
    tmp_path: Path, name: str, content: bytes
) -> None:
    import zipfile

    path = tmp_path / name
    if content.startswith(b"PK"):
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("readme.txt", "not an office file")
    else:
        path.write_bytes(content)
    with pytest.raises(CorruptFile) as err:
        parse_file(path)
    assert "扩展名" in err.value.message and name in err.value.message


def _forbid_full_load(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Record any call to openpyxl's full load (the gigabytes the early refusal must avoid)."""
    import openpyxl

    calls: list[object] = []

    def load_workbook(*args: object, **kwargs: object) -> None:
        calls.append(args)
        raise AssertionError("the workbook was loaded before its cells were counted")

    monkeypatch.setattr(openpyxl, "load_workbook", load_workbook)
    return calls


def test_too_many_cells_are_refused_before_the_workbook_is_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(safety, "MAX_CELLS", 10)
    calls = _forbid_full_load(monkeypatch)
    path = rows_xlsx(tmp_path / "多.xlsx", [("村名", "人口")] + [("东村", i) for i in range(20)])
    with pytest.raises(TooLarge) as err:
        parse_file(path)
    assert "单元格过多" in err.value.message and "多.xlsx" in err.value.message
    assert calls == []


def test_a_huge_merged_range_in_a_tiny_file_is_refused_before_loading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """openpyxl makes one object per cell of a merged range: a 5 KB file whose merge spans
    millions of cells took gigabytes before the old after-load count refused it."""
    calls = _forbid_full_load(monkeypatch)
    path = _with_sheet_xml_replaced(
        village_table_xlsx(tmp_path / "v.xlsx"), tmp_path / "合并.xlsx", b'ref="A1:F1"'
    )
    with pytest.raises(TooLarge) as err:
        parse_file(path)
    assert "单元格过多" in err.value.message
    assert calls == []


def test_cells_are_counted_in_every_part_not_only_the_usual_sheet_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """openpyxl follows the workbook's relations wherever they point, so a sheet moved out of
    xl/worksheets/ must be counted as well."""
    monkeypatch.setattr(safety, "MAX_CELLS", 10)
    calls = _forbid_full_load(monkeypatch)
    src = rows_xlsx(tmp_path / "a.xlsx", [("村名", "人口")] + [("东村", i) for i in range(20)])
    path = tmp_path / "moved.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            name = info.filename.replace("worksheets/sheet1.xml", "data/x.bin")
            data = data.replace(b"worksheets/sheet1.xml", b"data/x.bin")
            zout.writestr(name, data)
    with pytest.raises(TooLarge):
        parse_file(path)
    assert calls == []


def test_a_workbook_within_the_cell_limit_still_parses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 34 cells spanning 14 rows × 4 columns: within both limits
    monkeypatch.setattr(safety, "MAX_CELLS", 60)
    parsed = parse_file(indicator_list_xlsx(tmp_path / "a.xlsx"))
    assert [f.label for f in parsed.sheets[0].fields][:2] == ["（一）乡村人口数", "1．男"]


def _with_sheet_xml_replaced(src: Path, dst: Path, merge: bytes) -> Path:
    """A copy of ``src`` whose merged range ``merge`` spans 16,384 columns × 1,000 rows."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                assert merge in data
                data = data.replace(merge, b'ref="A1:XFD1000"')
            zout.writestr(info.filename, data)
    return dst


def test_text_named_xlsx_says_damaged_or_renamed_not_no_table(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_text("这不是表格，只是一段文字。\n第二行\n", encoding="utf-8")
    with pytest.raises(CorruptFile) as err:
        parse_file(path)
    assert "扩展名是 .xlsx" in err.value.message and "没有找到" not in err.value.message


def test_a_text_table_named_xls_is_still_read_as_csv(tmp_path: Path) -> None:
    """Some systems export CSV text under an .xls name: a table in it is still read."""
    path = tmp_path / "导出.xls"
    path.write_text("村名,户籍人口（人）\n东村,\n西村,\n", encoding="utf-8")
    parsed = parse_file(path)
    assert parsed.format == "csv"
    assert [f.label for f in parsed.sheets[0].fields] == ["户籍人口"]


def test_counting_cells_leaves_an_svg_picture_with_a_doctype_alone(tmp_path: Path) -> None:
    """Excel keeps SVG pictures beside the sheets, and SVG files often start with a DOCTYPE."""
    src = indicator_list_xlsx(tmp_path / "a.xlsx")
    path = tmp_path / "带图.xlsx"
    svg = (
        '<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"><svg xmlns="http://www.w3.org/2000/svg"/>'
    )
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))
        zout.writestr("xl/media/image1.svg", svg)
    assert parse_file(path).sheets[0].fields
