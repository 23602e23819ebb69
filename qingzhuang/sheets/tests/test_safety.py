"""Hostile and broken uploads give a SheetError with a Chinese message, never a crash."""

from __future__ import annotations

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

from .builders import indicator_list_xlsx, ole_file, xxe_xlsx, zip_bomb


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
    monkeypatch.setattr(safety, "MAX_CELLS", 10)
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
