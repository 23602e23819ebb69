"""`qz fill` checks where it writes before it writes, and a fill is recorded only with its file."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from qingzhuang.core.errors import InvalidInput
from qingzhuang.datastore import filling, services
from qingzhuang.datastore.models import FillEvent
from qingzhuang.datastore.tests import builders

TOWN = "420000100001"


def fill_cli(source: Path, output: Path | str) -> Any:
    out = io.StringIO()
    call_command(
        "fill",
        str(source),
        "--org",
        TOWN,
        "--period",
        "2026",
        "--output",
        str(output),
        "--json",
        stdout=out,
    )
    return json.loads(out.getvalue())


def _one_plain_line(exc: pytest.ExceptionInfo[CommandError]) -> str:
    message = str(exc.value)
    assert "\n" not in message and "Errno" not in message and "Traceback" not in message
    return message


@pytest.fixture
def form(catalogue: Any) -> Path:
    return Path(catalogue["paths"]["tj"])


def test_output_that_is_a_folder_is_refused_in_plain_chinese(form: Path, tmp_path: Path) -> None:
    folder = tmp_path / "existing"
    folder.mkdir()
    with pytest.raises(CommandError) as exc:
        fill_cli(form, folder)
    message = _one_plain_line(exc)
    assert "文件夹" in message and "out.xlsx" in message
    assert not FillEvent.objects.exists()
    assert list(folder.iterdir()) == []
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".qz-")]


def test_output_in_a_missing_folder_is_refused_and_nothing_is_created(
    form: Path, tmp_path: Path
) -> None:
    target = tmp_path / "nope" / "deeper" / "out.xlsx"
    with pytest.raises(CommandError) as exc:
        fill_cli(form, target)
    assert "不存在" in _one_plain_line(exc)
    assert not (tmp_path / "nope").exists()
    assert not FillEvent.objects.exists()


def test_output_below_a_file_is_refused(form: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "plain.txt"
    blocker.write_text("x")
    with pytest.raises(CommandError) as exc:
        fill_cli(form, blocker / "out.xlsx")
    _one_plain_line(exc)
    assert not FillEvent.objects.exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into any folder")
def test_output_in_a_read_only_folder_is_refused(form: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(CommandError) as exc:
            fill_cli(form, folder / "out.xlsx")
        assert "权限" in _one_plain_line(exc)
    finally:
        folder.chmod(0o700)
    assert not FillEvent.objects.exists()


@pytest.mark.parametrize("suffix", [".csv", ".docx", ".txt", ""])
def test_output_suffix_must_match_the_form_format(form: Path, tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"x{suffix}"
    with pytest.raises(CommandError) as exc:
        fill_cli(form, target)
    message = _one_plain_line(exc)
    assert ".xlsx" in message
    assert not target.exists()
    assert not FillEvent.objects.exists()


def test_matching_suffix_in_any_case_is_accepted(form: Path, tmp_path: Path) -> None:
    res = fill_cli(form, tmp_path / "OUT.XLSX")
    assert Path(res["output"]).is_file()
    assert FillEvent.objects.count() == 1


def test_csv_form_needs_a_csv_output(catalogue: Any, tmp_path: Path) -> None:
    blank = tmp_path / "blank.csv"
    blank.write_text("村名,户籍人口（人）\n东村,\n西村,\n", encoding="utf-8-sig")
    with pytest.raises(CommandError) as exc:
        fill_cli(blank, tmp_path / "out.xlsx")
    assert ".csv" in _one_plain_line(exc)
    assert fill_cli(blank, tmp_path / "out.csv")["coverage"]["cells_filled"] == 2


def test_service_refuses_a_folder_as_output(catalogue: Any, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="文件夹"):
        services.fill_template(
            template=catalogue["templates"]["tj"],
            org_unit=catalogue["town"],
            period="2026",
            output=tmp_path,
            actor="test",
        )
    assert not FillEvent.objects.exists()


def test_a_failure_after_writing_leaves_neither_file_nor_event(
    catalogue: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_audit(**kwargs: Any) -> None:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(filling, "audit_record", broken_audit)
    target = tmp_path / "out.xlsx"
    with pytest.raises(RuntimeError):
        services.fill_template(
            template=catalogue["templates"]["tj"],
            org_unit=catalogue["town"],
            period="2026",
            output=target,
            actor="test",
        )
    assert not target.exists()
    assert not FillEvent.objects.exists()


def test_failed_write_of_a_new_form_leaves_no_template_or_event(
    org_tree: Any, tmp_path: Path
) -> None:
    from qingzhuang.reporting.models import ReportTemplate

    source = builders.nongye_xlsx(tmp_path / "new.xlsx")
    with pytest.raises(CommandError):
        fill_cli(source, tmp_path / "x.csv")
    assert not ReportTemplate.objects.exists()
    assert not FillEvent.objects.exists()
