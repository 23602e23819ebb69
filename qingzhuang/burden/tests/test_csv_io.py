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


def test_every_problem_in_the_file_is_named_in_one_line() -> None:
    """The README promises one line naming the rows and columns, so a file is fixed in one go."""
    text = (
        HEADER
        + "foo,x,y,2026-11-02,,,0,,0,,\n"
        + "report,x,y,2026-13-02,,,0,,0,,\n"
        + "report,x,y,2026-11-02,,,2,,0,,\n"
    )
    with pytest.raises(CsvError) as exc:
        parse_demands_csv(text.encode())
    message = str(exc.value)
    assert "\n" not in message
    assert "第1行 kind 列：类别“foo”无效" in message
    assert "第2行 received 列：日期“2026-13-02”无效" in message
    assert "第3行 asks_followup 列：请填 0 或 1（当前是“2”）" in message
    assert message.index("第1行") < message.index("第2行") < message.index("第3行")


def test_several_problems_in_one_row_are_all_named() -> None:
    with pytest.raises(CsvError) as exc:
        _one("foo,x,y,2026-03-02,2026-99-01,abc,2,,,,")
    message = str(exc.value)
    for column in ("kind", "deadline", "chars", "asks_followup"):
        assert f"第1行 {column} 列" in message


def test_more_than_ten_problems_name_the_first_ten_and_count_the_rest() -> None:
    text = HEADER + "".join(f"document,t{n},y,2026-03-02,,-{n},,,,,\n" for n in range(1, 13))
    with pytest.raises(CsvError) as exc:
        parse_demands_csv(text.encode())
    message = str(exc.value)
    assert "第10行 chars 列" in message and "第11行" not in message
    assert "另有2处问题，未一一列出。" in message
