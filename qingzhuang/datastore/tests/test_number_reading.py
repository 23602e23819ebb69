"""Numbers as people type them (Chinese input method) and as cells hold them: one reader for
entry, the API, imports and harvest, and a plain message for everything it cannot take."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from qingzhuang.core.errors import InvalidInput
from qingzhuang.datastore import services
from qingzhuang.datastore.cells import is_blank, to_number
from qingzhuang.datastore.models import DataElement, ValueType
from qingzhuang.datastore.numbers import EXPONENT, GROUPING, WORDS, read_number


@pytest.mark.parametrize(
    ("typed", "number", "unit"),
    [
        ("１，２３４．５", "1234.5", ""),  # full-width digits, comma and point
        ("\u3000１２３\u3000", "123", ""),  # ideographic spaces around
        ("１\u3000２３４", "1234", ""),  # an ideographic space as thousands gap
        ("＋３", "3", ""),
        ("－２．５", "-2.5", ""),
        ("\u22127", "-7", ""),  # the typographic minus sign
        ("1,234,567.25", "1234567.25", ""),
        (".5", "0.5", ""),
        ("45%", "45", "%"),
        ("－２．５％", "-2.5", "%"),
        ("2,345.5亩", "2345.5", "亩"),
        ("2345.5 亩", "2345.5", "亩"),
    ],
)
def test_read_number_takes_what_a_chinese_input_method_types(
    typed: str, number: str, unit: str
) -> None:
    written = read_number(typed)
    assert (written.number, written.unit, written.problem) == (Decimal(number), unit, "")


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("1e3", EXPONENT),
        ("１Ｅ３", EXPONENT),
        ("2.5E-2", EXPONENT),
        ("12,5", GROUPING),  # a decimal comma, not a thousands separator: never 125
        ("1,23,456", GROUPING),
        ("约50", WORDS),
        ("无", WORDS),
        ("1.2.3", WORDS),
        ("12 人 3", WORDS),
        ("Infinity", WORDS),
        ("NaN", WORDS),
        ("1_000", WORDS),
    ],
)
def test_read_number_names_what_is_wrong(typed: str, problem: str) -> None:
    written = read_number(typed)
    assert written.number is None and written.problem == problem and not written.blank


@pytest.mark.parametrize("typed", ["", "  ", "\u3000", "—", "－", "/", "／", "--"])
def test_blanks_and_dashes_are_nothing_to_report(typed: str) -> None:
    assert read_number(typed).blank and is_blank(typed)


def test_cells_may_hold_exponents_written_by_the_sheet_reader() -> None:
    # xlsx/xls readers write a tiny numeric cell as repr(float): 1e-05
    assert read_number("1e-05", exponent=True).number == Decimal("0.00001")
    assert to_number("1e-05") == Decimal("0.00001")


def test_cells_to_number_agrees_with_entry_reading() -> None:
    for text in ["１，２３４．５", "－２．５", "12,345"]:
        assert to_number(text) == services.to_decimal(text)
    assert to_number("2,345.5亩", "亩") == Decimal("2345.5")
    assert to_number("19326人", "万人") == Decimal("1.9326")
    assert to_number("2,345.5亩", "万元") is None  # harvest reports it instead
    assert to_number("约50") is None


@pytest.mark.django_db
class TestTypedForAnElement:
    def _element(self, **kwargs: Any) -> DataElement:
        kwargs.setdefault("name", "常住人口")
        kwargs.setdefault("unit", "人")
        return services.data_element_create(actor="test", **kwargs)

    def test_full_width_number_is_read(self) -> None:
        assert services.to_decimal("１，２３４．５") == Decimal("1234.5")

    def test_exponent_is_refused_with_a_plain_message(self) -> None:
        with pytest.raises(InvalidInput) as exc:
            services.to_decimal("1e3", where="常住人口", element=self._element())
        assert exc.value.message.startswith("常住人口：")
        assert "科学计数法" in exc.value.message and "1000" in exc.value.message

    def test_misplaced_comma_is_refused(self) -> None:
        with pytest.raises(InvalidInput) as exc:
            services.to_decimal("12,5")
        assert "逗号位置不对" in exc.value.message

    def test_words_are_refused(self) -> None:
        with pytest.raises(InvalidInput) as exc:
            services.to_decimal("约50")
        assert "“约50”不是数字" in exc.value.message

    def test_percent_is_kept_for_a_percent_element(self) -> None:
        rate = self._element(name="增长率", unit="%")
        assert services.to_decimal("45%", element=rate) == Decimal("45")
        typed = self._element(name="占比", unit="", value_type=ValueType.PERCENT)
        assert services.to_decimal("45％", element=typed) == Decimal("45")

    def test_percent_is_refused_for_an_amount(self) -> None:
        income = self._element(name="村集体经济收入", unit="万元")
        with pytest.raises(InvalidInput) as exc:
            services.to_decimal("45%", where=income.name, element=income)
        assert "百分数" in exc.value.message and "万元" in exc.value.message

    def test_percent_is_refused_when_no_element_says_what_it_is(self) -> None:
        with pytest.raises(InvalidInput) as exc:
            services.to_decimal("50%")
        assert "百分数" in exc.value.message

    def test_unit_written_with_the_number_is_accepted_or_converted(self) -> None:
        area = self._element(name="耕地面积", unit="亩")
        assert services.to_decimal("2,345.5亩", element=area) == Decimal("2345.5")
        assert services.to_decimal("1.5万人", element=self._element()) == Decimal("15000")

    def test_unit_that_does_not_convert_is_refused(self) -> None:
        area = self._element(name="耕地面积", unit="亩")
        with pytest.raises(InvalidInput) as exc:
            services.to_decimal("12户", where=area.name, element=area)
        assert "“12户”带的单位“户”" in exc.value.message and "亩" in exc.value.message
