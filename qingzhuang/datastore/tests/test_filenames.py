"""File names built from titles and unit names stay one plain name inside their folder."""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from qingzhuang.datastore import services
from qingzhuang.datastore.models import FillEvent
from qingzhuang.reporting.services import template_update

HOSTILE_TITLES = [
    "../../x",
    "a/b",
    "a\\b",
    "..",
    "../../../../escaped",
    "长" * 300,
    "CON",
    "报表\x00\r\n名\u202e",
    " . ",
    'a:b*c?d"e<f>g|h',
    "／etc／passwd",
]
FORBIDDEN = set('/\\:*?"<>|')


def safe_filename(*parts: str, suffix: str = "") -> str:
    from qingzhuang.datastore.filenames import safe_filename as function

    return function(*parts, suffix=suffix)


def _assert_plain(name: str, folder: Path) -> None:
    assert (folder / name).resolve().parent == folder.resolve()
    assert not FORBIDDEN & set(name), name
    assert ".." not in name and not name.startswith("."), name
    assert all(ch.isprintable() for ch in name), name
    assert len(name.encode("utf-8")) <= 200, len(name.encode("utf-8"))


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_safe_filename_is_one_plain_name_in_its_folder(title: str, tmp_path: Path) -> None:
    name = safe_filename(title, suffix=".xlsx")
    _assert_plain(name, tmp_path)
    assert name.endswith(".xlsx") and name[: -len(".xlsx")].strip(" ._")


def test_safe_filename_keeps_chinese_and_ordinary_punctuation() -> None:
    assert safe_filename("村级低保（2026年）统计表 #1", suffix=".XLSX") == (
        "村级低保（2026年）统计表 #1.xlsx"
    )


def test_safe_filename_is_never_empty() -> None:
    assert safe_filename("") and safe_filename("..") and safe_filename("///", suffix=".csv")
    assert safe_filename("..", suffix=".csv").endswith(".csv")


def test_safe_filename_avoids_windows_device_names() -> None:
    for name in ["CON", "nul", "com1", "LPT9"]:
        assert safe_filename(name, suffix=".xlsx").split(".")[0].upper() != name.upper()


def test_safe_filename_drops_a_suffix_that_is_not_an_extension() -> None:
    assert safe_filename("表", suffix="/../x") == "表"


def test_long_title_is_cut_but_unit_and_period_are_kept() -> None:
    name = safe_filename("表" * 300, "东村", "2026", suffix=".xlsx")
    assert name.endswith("_东村_2026.xlsx") and name.startswith("表")
    assert len(name.encode("utf-8")) <= 200


@pytest.mark.parametrize(
    "title", ["../../x", "a/b", "a\\b", "..", "../../../../escaped", "长" * 300]
)
def test_fill_page_writes_inside_its_own_folder_whatever_the_title(
    client: Client, catalogue: Any, settings: Any, tmp_path: Path, title: str
) -> None:
    template = catalogue["templates"]["tj"]
    source = Path(template.file.path)
    root = tmp_path / "m"
    settings.MEDIA_ROOT = str(root / "a" / "b" / "media")
    copied = Path(template.file.path)
    copied.parent.mkdir(parents=True)
    shutil.copy(source, copied)
    template_update(template=template, actor="test", title=title)
    assert client.login(username=catalogue["admin"].username, password=catalogue["password"])

    resp = client.post(
        reverse("datastore:fill"),
        {"template": template.pk, "org": catalogue["town"].code, "period": "2026"},
    )

    assert resp.status_code == 200
    event = FillEvent.objects.get()
    out = Path(settings.MEDIA_ROOT) / event.output
    fills = (Path(settings.MEDIA_ROOT) / "fills").resolve()
    assert out.is_file() and out.resolve().parent.parent == fills
    _assert_plain(out.name, out.parent)
    written = {p for p in root.rglob("*") if p.is_file()} - {copied}
    assert written == {out}


def test_due_forms_zip_names_and_summary_are_safe(catalogue: Any) -> None:
    template = catalogue["templates"]["tj"]
    template_update(
        template=template, actor="test", title='=村,"基本"情况/../表', issuer="+测试,县统计局"
    )
    data, _summary = services.forms_export_due(
        org_unit=catalogue["town"], period="2026", actor="test"
    )
    zf = zipfile.ZipFile(io.BytesIO(data))
    for name in zf.namelist():
        assert "/" not in name and "\\" not in name and ".." not in name
    text = zf.read("填报情况.csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert all(len(r) == 5 for r in rows)
    row = next(r for r in rows if "基本" in r[1])
    assert row[1] == '\'=村,"基本"情况/../表'
    assert row[2] == "'+测试,县统计局"
    assert row[0] in zf.namelist()
