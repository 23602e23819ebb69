"""Reading a demands CSV: numbers, dates as WPS/Excel write them, and data row numbers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from qingzhuang.burden.csv_io import CsvError, parse_demands_csv
from qingzhuang.burden.tests.helpers import HEADER


def _one(line: str) -> list:  # type: ignore[type-arg]
    return parse_demands_csv((HEADER + line + "\n").encode())


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "1e400", "Infinity"])
def test_non_finite_number_is_a_plain_row_error(value: str) -> None:
    with pytest.raises(CsvError) as exc:
        _one(f"document,x,y,2026-03-02,,{value},,,,,")
    assert "第1行 chars 列" in str(exc.value)


def test_fraction_in_an_integer_column_is_refused_not_truncated() -> None:
    with pytest.raises(CsvError) as exc:
        _one("meeting,x,y,2026-03-02,,,,1.5,,,")
    assert "第1行 duration_minutes 列" in str(exc.value) and "整数" in str(exc.value)


def test_whole_number_written_with_zero_decimals_is_read() -> None:
    [row] = _one("meeting,x,y,2026-03-02,,,,90.0,,,")
    assert row.demand.duration_minutes == 90


def test_huge_integer_is_refused_with_the_limit_not_rounded() -> None:
    with pytest.raises(CsvError) as exc:
        _one("document,x,y,2026-03-02,,99999999999999999999999,,,,,")
    message = str(exc.value)
    assert "第1行 chars 列" in message and "不能大于" in message
    assert "99999999999999991611392" not in message


@pytest.mark.parametrize(
    "written", ["2026/3/2", "2026-3-2", "2026年3月2日", "2026/03/02", "2026.3.2"]
)
def test_dates_as_wps_and_excel_write_them_are_read(written: str) -> None:
    [row] = _one(f"document,x,y,{written},{written},,,,,,")
    assert row.demand.received == date(2026, 3, 2) and row.demand.deadline == date(2026, 3, 2)


@pytest.mark.parametrize("written", ["1999-12-31", "0001-01-01"])
def test_dates_before_2000_are_refused(written: str) -> None:
    with pytest.raises(CsvError) as exc:
        _one(f"document,x,y,{written},,,,,,,")
    assert "第1行 received 列" in str(exc.value) and "2000-01-01" in str(exc.value)


def test_dates_more_than_five_years_ahead_are_refused() -> None:
    far = timezone.localdate() + timedelta(days=5 * 366 + 1)
    with pytest.raises(CsvError) as exc:
        _one(f"document,x,y,2026-03-02,{far.isoformat()},,,,,,")
    assert "第1行 deadline 列" in str(exc.value)


def test_row_numbers_are_data_rows_and_skip_blank_lines() -> None:
    """`row` is the 1-based data row promised by the `qz burden check --json` contract."""
    text = HEADER + "document,a,y,2026-03-02,,,,,,,\n\ndocument,b,y,2026-03-02,,,,,,,\n"
    rows = parse_demands_csv(text.encode())
    assert [(r.row, r.demand.title) for r in rows] == [(1, "a"), (2, "b")]
    with pytest.raises(CsvError, match="第2行"):
        parse_demands_csv((text + "").replace("b,y,2026-03-02", "b,y,2026-13-02").encode())
