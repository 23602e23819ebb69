"""redact(): residents write phone and ID numbers in many shapes; each one is masked, while the
ordinary numbers in the same texts (amounts, dates, years, codes) stay as written."""

from __future__ import annotations

import logging

import pytest

from qingzhuang.core.privacy import RedactPersonalDataFilter, redact

MOBILES = [
    ("13812345678", "138****5678"),
    ("138 1234 5678", "138****5678"),
    ("138-1234-5678", "138****5678"),
    ("138.1234.5678", "138****5678"),
    ("138 - 1234 - 5678", "138****5678"),
    ("1381234 5678", "138****5678"),
    ("138\u30001234\u30005678", "138****5678"),  # ideographic space
    ("１３８１２３４５６７８", "138****5678"),  # full-width digits
    ("１３８－１２３４－５６７８", "138****5678"),
    ("+8613812345678", "+86 138****5678"),
    ("+86 138 1234 5678", "+86 138****5678"),
    ("+86-138-1234-5678", "+86 138****5678"),
    ("(+86)13812345678", "+86 138****5678"),
    ("（+86）138-1234-5678", "+86 138****5678"),
    ("8613812345678", "+86 138****5678"),
    ("86 13812345678", "+86 138****5678"),
    ("008613812345678", "+86 138****5678"),
    ("0086 138 1234 5678", "+86 138****5678"),
    ("＋８６１３８１２３４５６７８", "+86 138****5678"),
    ("８６１３８１２３４５６７８", "+86 138****5678"),
    ("19912345678", "199****5678"),
]

IDS = [
    ("420101199001011234", "420***********1234"),
    ("42010119900101123X", "420***********123X"),
    ("42010119900101123x", "420***********123x"),
    ("420101 19900101 123X", "420***********123X"),
    ("420101 19900101 1234", "420***********1234"),
    ("420101-19900101-1234", "420***********1234"),
    ("４２０１０１１９９００１０１１２３Ｘ", "420***********123X"),
    ("４２０１０１\u3000１９９００１０１\u3000１２３４", "420***********1234"),
]

LANDLINES = ["0712-1234567", "07121234567", "010 12345678", "0712-12345678"]

# Texts with numbers that are not personal data: each must come back unchanged.
ORDINARY = [
    "2026-11-27 报修",
    "2026年11月27日",
    "2026.11.27",
    "2026/11/27 14:30",
    "编号 WSAT53CC，跟踪码 QNPCF7XM",
    "金额 12345678.00 元，合计 1,234,567.89 元",
    "金额 01234 元",
    "1998年到2026年",
    "数量 12345678901",  # 11 digits but no mobile prefix (12…)
    "户号 23812345678",  # 11 digits starting with 2
    "面积 138.5 平方米，138 户，1234 人",
    "第 13 组 1234 号",
    "邮编 436000",
    "坐标 30.58, 114.30",
]


@pytest.mark.parametrize(("typed", "masked"), MOBILES)
def test_mobile_numbers_in_any_shape_are_masked(typed: str, masked: str) -> None:
    out = redact(f"电话{typed}请回电")
    assert out == f"电话{masked}请回电"


@pytest.mark.parametrize(("typed", "masked"), IDS)
def test_id_numbers_in_any_shape_are_masked(typed: str, masked: str) -> None:
    assert redact(f"身份证{typed}，户主") == f"身份证{masked}，户主"


@pytest.mark.parametrize("landline", LANDLINES)
def test_landlines_keep_their_masking(landline: str) -> None:
    masked = redact(f"家里电话{landline}，白天有人")
    assert landline not in masked and masked.endswith("，白天有人") and masked.count("*") >= 3


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_numbers_are_left_alone(text: str) -> None:
    assert redact(text) == text


def test_several_numbers_in_one_text_are_all_masked() -> None:
    text = (
        "手机+86 138-1234-5678，备用１３９１２３４５６７８，身份证420101 19900101 123X，金额 300 元"
    )
    out = redact(text)
    assert out == "手机+86 138****5678，备用139****5678，身份证420***********123X，金额 300 元"


def test_log_filter_masks_a_spaced_mobile() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "phone %s", ("138 1234 5678",), None)
    RedactPersonalDataFilter().filter(record)
    assert record.getMessage() == "phone 138****5678"
