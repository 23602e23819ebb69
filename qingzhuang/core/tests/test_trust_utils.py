from __future__ import annotations

import io
import logging

import pytest
from openpyxl import load_workbook

from qingzhuang.core.exports import csv_bytes, safe_cell, xlsx_bytes
from qingzhuang.core.privacy import RedactPersonalDataFilter, mask_id_number, mask_phone, redact


@pytest.mark.parametrize("text", ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\t=x"])
def test_formula_like_text_is_neutralised(text: str) -> None:
    assert safe_cell(text).startswith("'")


def test_numbers_and_plain_text_are_untouched() -> None:
    assert safe_cell(-3) == -3
    assert safe_cell("青山村") == "青山村"


def test_xlsx_and_csv_exports_neutralise_injection() -> None:
    wb = load_workbook(io.BytesIO(xlsx_bytes({"表": (["名称"], [["=HYPERLINK(1)"], [5]])})))
    ws = wb["表"]
    assert ws["A2"].value == "'=HYPERLINK(1)"
    assert ws["A3"].value == 5
    assert "'=cmd" in csv_bytes(["a"], [["=cmd"]]).decode("utf-8-sig")


def test_masking() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("420101199001011234") == "420***********1234"
    assert "13812345678" not in redact("请联系13812345678或身份证420101199001011234")


@pytest.mark.parametrize(
    "landline", ["0712-1234567", "07121234567", "010 12345678", "0712-12345678"]
)
def test_landlines_in_text_are_masked_too(landline: str) -> None:
    masked = redact(f"家里电话{landline}，白天有人")
    assert landline not in masked and masked.endswith("，白天有人")
    assert masked.count("*") >= 3


def test_dates_amounts_and_codes_are_not_taken_for_phones() -> None:
    text = "2026-03-05 报修，编号 WSAT53CC，金额 01234 元"
    assert redact(text) == text


def test_log_records_are_redacted() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "phone %s", ("13912345678",), None)
    RedactPersonalDataFilter().filter(record)
    assert "13912345678" not in record.getMessage()
    assert "139****5678" in record.getMessage()
