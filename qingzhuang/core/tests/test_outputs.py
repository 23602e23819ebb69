"""The shared --output check and writer: one plain sentence per bad path, files others can read."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from qingzhuang.core.errors import InvalidInput
from qingzhuang.core.outputs import OutputPathError, atomic_output, output_path_check


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_a_folder_is_refused_with_an_example_name(tmp_path: Path) -> None:
    with pytest.raises(OutputPathError, match="输出路径是一个文件夹，请给出文件名，例如 out.csv"):
        output_path_check(tmp_path, example="out.csv")
    with pytest.raises(OutputPathError, match="是一个文件夹"):
        output_path_check(f"{tmp_path}/not-yet/", example="out.csv")


def test_a_missing_folder_is_refused_and_not_created(tmp_path: Path) -> None:
    usb = tmp_path / "mnt" / "usb"
    with pytest.raises(OutputPathError, match="输出文件所在的文件夹不存在"):
        output_path_check(usb / "qz.tar.gz", example="qz.tar.gz")
    assert not (tmp_path / "mnt").exists()


def test_a_file_in_place_of_the_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    with pytest.raises(OutputPathError, match="是一个文件，不是文件夹"):
        output_path_check(tmp_path / "afile" / "out.csv", example="out.csv")


def test_a_folder_without_write_permission_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # os.access answers for the current user; root may write anywhere, so ask it directly
    monkeypatch.setattr(os, "access", lambda p, mode: Path(p) != tmp_path)
    with pytest.raises(OutputPathError, match="没有权限在文件夹"):
        output_path_check(tmp_path / "out.csv", example="out.csv")


def test_the_extension_must_be_one_of_the_allowed(tmp_path: Path) -> None:
    suffixes = (".tar.gz", ".tgz")
    with pytest.raises(OutputPathError, match=r"应以 \.tar\.gz、\.tgz 结尾，例如 qz\.tar\.gz"):
        output_path_check(tmp_path / "x.zip", example="qz.tar.gz", suffixes=suffixes)
    assert output_path_check(tmp_path / "X.TAR.GZ", example="qz.tar.gz", suffixes=suffixes)
    assert output_path_check(tmp_path / "x.tgz", example="qz.tar.gz", suffixes=suffixes)


def test_an_input_file_is_not_overwritten(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("a\n")
    with pytest.raises(OutputPathError, match="不能和输入文件相同"):
        output_path_check(tmp_path / "." / "in.csv", example="out.csv", inputs=[src])


def test_the_error_is_both_an_application_error_and_a_value_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as caught:
        output_path_check(tmp_path, example="out.csv")
    assert isinstance(caught.value, ValueError)


def test_written_file_gets_the_umask_mode_not_0600(tmp_path: Path, umask_022: None) -> None:
    out = tmp_path / "filled.xlsx"
    with atomic_output(out) as tmp:
        assert tmp.parent == tmp_path and tmp.name.endswith(".xlsx") and not out.exists()
        tmp.write_bytes(b"data")
    assert out.read_bytes() == b"data"
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


def test_a_failed_write_leaves_neither_file_nor_temporary(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    out.write_text("old")
    with pytest.raises(RuntimeError), atomic_output(out) as tmp:
        tmp.write_text("half")
        raise RuntimeError("disk full")
    assert out.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]
