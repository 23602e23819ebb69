from __future__ import annotations

import contextlib
import io
import os
import sqlite3
import stat
import subprocess
import sys
import tarfile
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from qingzhuang.audit.models import AuditHead
from qingzhuang.audit.services import audit_verify
from qingzhuang.core import backup
from qingzhuang.core.backup import DUMP_NAMES, MANIFEST
from qingzhuang.org import services
from qingzhuang.org.models import OrgUnit
from qingzhuang.org.tests.factories import build_org_tree

ROOT = Path(__file__).resolve().parents[3]

sqlite_only = pytest.mark.skipif(
    "postgres" in os.environ.get("DATABASE_URL", ""), reason="a SQLite database file"
)
postgres_only = pytest.mark.skipif(
    "postgres" not in os.environ.get("DATABASE_URL", ""), reason="a pg_dump archive"
)


def _row_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip_the_whole_database(tmp_path: Path) -> None:
    build_org_tree()
    before = _row_counts()
    head_before = AuditHead.objects.get(pk=1).last_hash
    archive = tmp_path / "b.tar.gz"
    call_command("backup", "--output", str(archive), stdout=StringIO())

    town = OrgUnit.objects.get(code="420000100001")
    services.org_unit_create(
        code="X1", name="备份后新增村", level="village", parent=town, actor="t"
    )
    assert _row_counts() != before

    call_command("restore", str(archive), stdout=StringIO())
    assert _row_counts() == before
    assert not OrgUnit.objects.filter(code="X1").exists()
    assert audit_verify().ok
    assert AuditHead.objects.get(pk=1).last_hash == head_before


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    bogus = tmp_path / "x.tar.gz"
    bogus.write_bytes(b"not a tarball")
    with pytest.raises(CommandError, match="损坏"):
        call_command("restore", str(bogus), stdout=StringIO())


def test_missing_backup_file_is_a_plain_error(tmp_path: Path, db: Any) -> None:
    with pytest.raises(CommandError, match="找不到备份文件"):
        call_command("restore", str(tmp_path / "nope.tar.gz"), stdout=StringIO())


# --- backup --output: refuse like `qz fill` does ----------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_backup_refuses_a_missing_folder_and_does_not_create_it(tmp_path: Path) -> None:
    """An unmounted USB stick must not turn into a folder on the server's own disk."""
    usb = tmp_path / "mnt" / "usb"
    with pytest.raises(CommandError, match="输出文件所在的文件夹不存在"):
        call_command("backup", "--output", str(usb / "qz.tar.gz"), stdout=StringIO())
    assert not (tmp_path / "mnt").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("name", "message"),
    [("", "输出路径是一个文件夹"), ("x.zip", r"应以 \.tar\.gz、\.tgz 结尾")],
)
def test_backup_refuses_a_folder_and_a_wrong_extension(
    tmp_path: Path, name: str, message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("backup", "--output", str(tmp_path / name), stdout=StringIO())
    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db(transaction=True)
def test_backup_file_gets_the_umask_mode(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        call_command("backup", "--output", str(tmp_path / "qz.tgz"), stdout=StringIO())
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "qz.tgz").stat().st_mode) == 0o644


# --- restore checks the whole archive before it replaces anything -----------------------------


def _backup(tmp_path: Path) -> Path:
    archive = tmp_path / "good.tar.gz"
    call_command("backup", "--output", str(archive), stdout=StringIO())
    return archive


def _repack(
    archive: Path,
    out: Path,
    *,
    database: Callable[[Path], None] | None = None,
    manifest: bytes | None = None,
) -> Path:
    """Rebuild a backup with its database file or manifest changed, keeping the rest."""
    work = out.parent / f"{out.name}.d"
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(work, filter="data")
    if database is not None:
        database(work / DUMP_NAMES[connection.vendor])
    if manifest is not None:
        (work / MANIFEST).write_bytes(manifest)
    with tarfile.open(out, "w:gz") as tar:
        for item in sorted(work.iterdir()):
            tar.add(item, arcname=item.name)
    return out


def _sql(statement: str) -> Callable[[Path], None]:
    def change(db: Path) -> None:
        with contextlib.closing(sqlite3.connect(db)) as con:
            con.execute(statement)
            con.commit()

    return change


def _overwrite(data: bytes) -> Callable[[Path], None]:
    def change(db: Path) -> None:
        db.write_bytes(data)

    return change


def _assert_live_database_unchanged(before: dict[str, int]) -> None:
    assert _row_counts() == before
    assert OrgUnit.objects.filter(code="X1").exists()
    assert audit_verify().ok


@pytest.fixture
def live_after_backup(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    """A good backup, then a change that a wrongly accepted restore would undo."""
    build_org_tree()
    archive = _backup(tmp_path)
    town = OrgUnit.objects.get(code="420000100001")
    services.org_unit_create(
        code="X1", name="备份后新增村", level="village", parent=town, actor="t"
    )
    return archive, _row_counts()


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_truncated_archive(
    tmp_path: Path, live_after_backup: tuple[Path, dict[str, int]]
) -> None:
    archive, before = live_after_backup
    data = archive.read_bytes()
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(CommandError, match="备份文件不完整或已损坏"):
        call_command("restore", str(cut), stdout=StringIO())
    _assert_live_database_unchanged(before)


@sqlite_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_overwrite(b"garbage!"), "备份中的数据库文件已损坏"),
        (_overwrite(b""), "备份中的数据库文件已损坏"),
        (_sql("DROP TABLE burden_demand"), "备份中的数据库缺少数据表：burden_demand"),
        (_sql("DROP TABLE django_migrations"), "缺少数据表：django_migrations"),
        (_sql("DELETE FROM django_migrations"), "不是轻装的数据库"),
        (
            _sql("DELETE FROM django_migrations WHERE app NOT IN ('auth', 'contenttypes')"),
            "不是轻装的数据库",
        ),
    ],
    ids=[
        "not-sqlite",
        "empty",
        "missing-table",
        "no-migrations-table",
        "no-migration-records",
        "another-django-project",
    ],
)
def test_restore_refuses_a_damaged_database(
    tmp_path: Path,
    live_after_backup: tuple[Path, dict[str, int]],
    change: Callable[[Path], None],
    message: str,
) -> None:
    archive, before = live_after_backup
    bad = _repack(archive, tmp_path / "bad.tar.gz", database=change)
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(bad), stdout=StringIO())
    _assert_live_database_unchanged(before)


def _empty_an_index(db: Path) -> None:
    """Blank the root page of an index on a table with rows: the file still opens and the
    tables read, but the index has lost its entries, which only integrity_check notices."""
    with contextlib.closing(sqlite3.connect(db)) as con:
        page = con.execute(
            "SELECT rootpage FROM sqlite_master WHERE type='index' AND tbl_name='org_orgunit'"
            " ORDER BY name LIMIT 1"
        ).fetchone()[0]
        size = con.execute("PRAGMA page_size").fetchone()[0]
    with open(db, "r+b") as fh:
        fh.seek((page - 1) * size)
        fh.write(b"\x0a" + b"\x00" * 7)  # an index leaf page header with no cells


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_fails_the_integrity_check(
    tmp_path: Path, live_after_backup: tuple[Path, dict[str, int]]
) -> None:
    archive, before = live_after_backup
    bad = _repack(archive, tmp_path / "bad.tar.gz", database=_empty_an_index)
    with contextlib.closing(sqlite3.connect(tmp_path / "bad.tar.gz.d" / "database.sqlite3")) as con:
        assert con.execute("SELECT count(*) FROM org_orgunit NOT INDEXED").fetchone()[0] > 0
    with pytest.raises(CommandError, match="备份中的数据库文件已损坏"):
        call_command("restore", str(bad), stdout=StringIO())
    _assert_live_database_unchanged(before)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "manifest",
    [b"not json", b"[]", b'{"vendor": "sqlite"}', b'{"vendor": "sqlite", "dump": "../../x"}'],
    ids=["not-json", "not-object", "no-dump", "dump-outside"],
)
def test_restore_refuses_a_broken_manifest(
    tmp_path: Path, live_after_backup: tuple[Path, dict[str, int]], manifest: bytes
) -> None:
    archive, before = live_after_backup
    bad = _repack(archive, tmp_path / "bad.tar.gz", manifest=manifest)
    with pytest.raises(CommandError, match="备份文件的说明"):
        call_command("restore", str(bad), stdout=StringIO())
    _assert_live_database_unchanged(before)


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_restore_accepts_a_backup_made_before_a_later_migration(tmp_path: Path) -> None:
    """An older backup lacks the tables of later migrations: that is not damage. The restored
    database is brought up to the current schema, so the pages work straight away."""
    build_org_tree()
    archive = _backup(tmp_path)
    town = OrgUnit.objects.get(code="420000100001")
    services.org_unit_create(
        code="X1", name="备份后新增村", level="village", parent=town, actor="t"
    )

    def as_before_duties_0003(db: Path) -> None:
        with contextlib.closing(sqlite3.connect(db)) as con:
            con.execute("DROP TABLE duties_feedbackanswer")
            con.execute("DELETE FROM django_migrations WHERE app='duties' AND name >= '0003'")
            con.commit()

    older = _repack(archive, tmp_path / "older.tar.gz", database=as_before_duties_0003)
    call_command("restore", str(older), stdout=StringIO())
    assert not OrgUnit.objects.filter(code="X1").exists()
    assert "duties_feedbackanswer" in connection.introspection.table_names()
    assert not MigrationExecutor(connection).migration_plan(
        MigrationExecutor(connection).loader.graph.leaf_nodes()
    )


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_cut_off_postgresql_dump(
    tmp_path: Path, live_after_backup: tuple[Path, dict[str, int]]
) -> None:
    archive, before = live_after_backup

    def cut(dump: Path) -> None:
        data = dump.read_bytes()
        dump.write_bytes(data[: len(data) * 2 // 3])

    bad = _repack(archive, tmp_path / "bad.tar.gz", database=cut)
    with pytest.raises(CommandError, match="备份中的数据库文件已损坏"):
        call_command("restore", str(bad), stdout=StringIO())
    _assert_live_database_unchanged(before)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_postgresql_dump_without_a_table(
    tmp_path: Path, live_after_backup: tuple[Path, dict[str, int]]
) -> None:
    archive, before = live_after_backup
    db = connection.settings_dict

    def without_demands(dump: Path) -> None:
        args = backup._pg_args(db)
        backup._run_pg("pg_dump", "-Fc", "-T", "burden_demand", "-f", str(dump), *args, db["NAME"])

    bad = _repack(archive, tmp_path / "bad.tar.gz", database=without_demands)
    with pytest.raises(CommandError, match="缺少数据表：burden_demand"):
        call_command("restore", str(bad), stdout=StringIO())
    _assert_live_database_unchanged(before)


def test_a_damaged_backup_is_one_plain_line_on_the_command_line(tmp_path: Path) -> None:
    cut = tmp_path / "cut.tar.gz"
    with tarfile.open(tmp_path / "whole.tar.gz", "w:gz") as tar:
        payload = os.urandom(300_000)
        info = tarfile.TarInfo("database.sqlite3")
        info.size = len(payload)
        tar.addfile(info, io.BytesIO(payload))
    cut.write_bytes((tmp_path / "whole.tar.gz").read_bytes()[:150_000])
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    env.update(QZ_DATA_DIR=str(tmp_path / "data"), DJANGO_SETTINGS_MODULE="config.settings.dev")
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "qingzhuang.cli", "restore", str(cut)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "错误：备份文件不完整或已损坏（读到中途出错）：cut.tar.gz"
    ]
