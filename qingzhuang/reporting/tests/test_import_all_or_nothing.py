"""A multi-file template import is all-or-nothing for the database *and* for MEDIA_ROOT."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from qingzhuang.datastore.tests import builders
from qingzhuang.reporting.models import ReportTemplate, Sheet, TemplateField


def _stored_files() -> set[Path]:
    root = Path(settings.MEDIA_ROOT)
    return {p.relative_to(root) for p in root.rglob("*") if p.is_file()}


def broken_third_sheet_xlsx(path: Path) -> Path:
    """A workbook whose first sheets are fine and whose third sheet's XML is cut off."""
    wb = openpyxl.Workbook()
    for n, ws in enumerate([wb.active, wb.create_sheet(), wb.create_sheet()], start=1):
        ws.title = f"表{n}"
        ws.append(["项目", f"数值{n}"])
        ws.append(["耕地面积", 1])
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet3.xml":
                data = data[: len(data) // 2]
            dst.writestr(item, data)
    return path


@pytest.fixture
def two_good_one_broken(tmp_path: Path) -> list[Path]:
    return [
        builders.minzheng_xlsx(tmp_path / "minzheng.xlsx"),
        builders.tongji_xlsx(tmp_path / "tongji.xlsx"),
        broken_third_sheet_xlsx(tmp_path / "broken_sheet2.xlsx"),
    ]


def _nothing_stored(before: set[Path]) -> None:
    assert not ReportTemplate.objects.exists()
    assert not Sheet.objects.exists()
    assert not TemplateField.objects.exists()
    assert _stored_files() == before


def test_failed_upload_of_several_files_leaves_no_files_and_no_rows(
    client: Client, org_tree: Any, two_good_one_broken: list[Path]
) -> None:
    assert client.login(username=org_tree["admin"].username, password=org_tree["password"])
    before = _stored_files()
    handles = [p.open("rb") for p in two_good_one_broken]
    try:
        resp = client.post(reverse("reporting:list"), {"files": handles})
    finally:
        for h in handles:
            h.close()
    assert resp.status_code == 400
    assert "broken_sheet2.xlsx" in resp.content.decode()
    _nothing_stored(before)


@pytest.mark.django_db
def test_failed_cli_import_of_several_files_leaves_no_files_and_no_rows(
    two_good_one_broken: list[Path],
) -> None:
    before = _stored_files()
    with pytest.raises(CommandError, match="broken_sheet2.xlsx"):
        call_command("forms", "import", *map(str, two_good_one_broken), "--json")
    _nothing_stored(before)


@pytest.mark.django_db
def test_successful_cli_import_keeps_every_file(two_good_one_broken: list[Path]) -> None:
    before = _stored_files()
    out = io.StringIO()
    call_command("forms", "import", *map(str, two_good_one_broken[:2]), "--json", stdout=out)
    added = _stored_files() - before
    names = set(ReportTemplate.objects.values_list("file", flat=True))
    assert len(names) == 2 and {str(p) for p in added} == names
