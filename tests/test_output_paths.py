"""Every command that writes a file refuses a bad --output with the same plain sentence as
`qz fill`, before any work and without leaving files or folders behind (README: "错误：输出路径是
一个文件夹，请给出文件名，例如 out.xlsx")."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from qingzhuang.org.tests.factories import build_org_tree

Args = Callable[[Path, str], list[str]]


def _fill(folder: Path, output: str) -> list[str]:
    form = folder / "form.csv"
    form.write_text("单位名称,户籍人口（人）\n东村,\n西村,\n", encoding="utf-8")
    return ["fill", str(form), "--org", "420000100001", "--period", "2025", "--output", output]


def _sentiment(folder: Path, output: str) -> list[str]:
    comments = folder / "comments.csv"
    comments.write_text("review\n很好\n", encoding="utf-8")
    return ["comments", "sentiment", "--input", str(comments), "--text-column", "review"] + [
        "--output",
        output,
    ]


def _export(folder: Path, output: str) -> list[str]:
    return ["data", "export", "--output", output]


def _backup(folder: Path, output: str) -> list[str]:
    return ["backup", "--output", output]


COMMANDS: dict[str, tuple[Args, str]] = {
    "fill": (_fill, "out.csv"),
    "comments sentiment": (_sentiment, "out.csv"),
    "data export": (_export, "store.json"),
    "backup": (_backup, "qz.tar.gz"),
}


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    build_org_tree()
    folder = tmp_path / "in"
    folder.mkdir()
    return folder


def _refused(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command(*args, stdout=StringIO(), stderr=StringIO())


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("command", COMMANDS)
def test_a_folder_is_refused_with_fills_sentence(
    tmp_path: Path, inputs: Path, command: str
) -> None:
    build, _ = COMMANDS[command]
    out = tmp_path / "out"
    out.mkdir()
    _refused(build(inputs, str(out)), "^输出路径是一个文件夹，请给出文件名，例如 ")
    assert list(out.iterdir()) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("command", COMMANDS)
def test_a_missing_folder_is_refused_and_not_created(
    tmp_path: Path, inputs: Path, command: str
) -> None:
    build, name = COMMANDS[command]
    _refused(
        build(inputs, str(tmp_path / "usb" / name)),
        "^输出文件所在的文件夹不存在：.*usb，请先建好文件夹或换一个路径$",
    )
    assert not (tmp_path / "usb").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("command", COMMANDS)
def test_a_folder_without_write_permission_is_refused(
    tmp_path: Path, inputs: Path, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    build, name = COMMANDS[command]
    locked = tmp_path / "locked"
    locked.mkdir()
    real_access = os.access
    # as root every folder is writable, so ask the permission check itself
    monkeypatch.setattr(os, "access", lambda p, mode: Path(p) != locked and real_access(p, mode))
    _refused(build(inputs, str(locked / name)), "^没有权限在文件夹 .*locked 中写文件")
    assert list(locked.iterdir()) == []


@pytest.mark.django_db(transaction=True)
def test_data_export_checks_the_extension_against_the_format(tmp_path: Path) -> None:
    _refused(["data", "export", "--output", str(tmp_path / "s.txt")], r"\.json、\.csv")
    _refused(["data", "export", "--format", "csv", "--output", str(tmp_path / "s.json")], r"\.csv")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db(transaction=True)
def test_data_export_writes_a_file_others_can_read(tmp_path: Path) -> None:
    build_org_tree()
    old = os.umask(0o022)
    try:
        call_command("data", "export", "--output", str(tmp_path / "s.csv"), stdout=StringIO())
    finally:
        os.umask(old)
    out = tmp_path / "s.csv"
    assert out.read_text(encoding="utf-8-sig").startswith("element_code,")
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["filled.xlsx", "notes.txt", "store"])
def test_data_import_of_another_file_type_says_so(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)))
    _refused(["data", "import", str(path)], "^不支持的文件类型")


@pytest.mark.django_db
def test_data_import_of_a_binary_file_named_csv_is_a_plain_error(tmp_path: Path) -> None:
    path = tmp_path / "store.csv"
    path.write_bytes(b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)))
    _refused(["data", "import", str(path)], "^文件内容不是文字")
