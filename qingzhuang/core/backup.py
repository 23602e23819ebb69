"""Whole-database backup and restore.

SQLite uses the online backup API (safe while the server runs); PostgreSQL uses
pg_dump/pg_restore in custom format. Uploaded files under MEDIA_ROOT are packed alongside
so a restore brings back templates and attachments too.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone
from django.utils.translation import gettext as _

from qingzhuang.core.errors import InvalidInput
from qingzhuang.core.outputs import atomic_output, output_path_check
from qingzhuang.i18n import join_list

MANIFEST = "qingzhuang-backup.json"
BACKUP_SUFFIXES = (".tar.gz", ".tgz")
DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
# Reading errors of a cut-off or corrupted archive (gzip's CRC check fails with BadGzipFile).
_DAMAGED = (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile)
_SHOWN_TABLES = 5


def _db() -> dict[str, Any]:
    # settings_dict, not settings.DATABASES: under tests it names the test database
    return connection.settings_dict


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _pg_args(db: dict[str, Any]) -> list[str]:
    args = []
    if db.get("HOST"):
        args += ["-h", str(db["HOST"])]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    return args


def _run_pg(tool: str, *args: str) -> str:
    """Run a PostgreSQL client tool; its failure becomes one plain line, not a traceback."""
    try:
        done = subprocess.run(  # noqa: S603
            [_pg_tool(tool), *args],
            check=True,
            env=_pg_env(_db()),
            capture_output=True,
            encoding="utf-8",
            errors="replace",
        )
    except subprocess.CalledProcessError as exc:
        lines = (exc.stderr or "").strip().splitlines()
        raise InvalidInput(
            _("%(tool)s 失败：%(error)s") % {"tool": tool, "error": lines[-1] if lines else exc}
        ) from exc
    return done.stdout


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    raise InvalidInput(
        _("找不到 %(tool)s，请安装 PostgreSQL 客户端工具 (postgresql-client)。") % {"tool": name}
    )


def backup_create(*, output: Path) -> dict[str, Any]:
    """Write one .tar.gz holding the database dump, the media files and a manifest.

    The output path is checked first, like every --output (a missing folder is refused, not
    created: an unmounted USB stick must not become a folder on the server's own disk), and
    the archive appears under its name only once it is complete.
    """
    output = output_path_check(output, example="qz.tar.gz", suffixes=BACKUP_SUFFIXES)
    db = _db()
    vendor = connection.vendor
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / ("database.sqlite3" if vendor == "sqlite" else "database.pgdump")
        if vendor == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(str(dump))
            with target:
                connection.connection.backup(target)
            target.close()
        elif vendor == "postgresql":
            _run_pg("pg_dump", "-Fc", "-f", str(dump), *_pg_args(db), str(db["NAME"]))
        else:
            raise InvalidInput(_("不支持备份 %(vendor)s 数据库。") % {"vendor": vendor})
        manifest = {
            "created_at": timezone.now().isoformat(),
            "vendor": vendor,
            "dump": dump.name,
        }
        with atomic_output(output) as part, tarfile.open(part, "w:gz") as tar:
            tar.add(dump, arcname=dump.name)
            media = Path(settings.MEDIA_ROOT)
            if media.is_dir():
                tar.add(media, arcname="media")
            data = json.dumps(manifest, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return {"output": str(output), "vendor": vendor, "bytes": output.stat().st_size}


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in tar.getmembers():
        name = member.name
        if name.startswith("/") or ".." in Path(name).parts or member.issym() or member.islnk():
            raise InvalidInput(_("备份文件中有不安全的路径：%(name)s") % {"name": name})
        members.append(member)
    return members


def backup_restore(*, path: Path) -> dict[str, Any]:
    """Replace the current database (and media) with the backup's content.

    Nothing is replaced until the whole archive has been read and its database checked: a
    truncated download, a damaged disk or a hand-edited file must not overwrite good data.
    """
    if not path.is_file():
        raise InvalidInput(_("找不到备份文件：%(path)s") % {"path": path})
    db = _db()
    vendor = connection.vendor
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        manifest = _unpack(path, folder)
        if manifest["vendor"] != vendor:
            raise InvalidInput(
                _("备份来自 %(backup_vendor)s 数据库，当前是 %(vendor)s，不能直接恢复。")
                % {"backup_vendor": manifest["vendor"], "vendor": vendor}
            )
        dump = folder / manifest["dump"]
        if vendor == "sqlite":
            _check_tables(*_sqlite_contents(dump))
            connection.ensure_connection()
            source = sqlite3.connect(str(dump))
            source.backup(connection.connection)
            source.close()
        else:
            _check_tables(*_pg_contents(dump))
            connections.close_all()
            # one transaction: if anything fails half-way, the database stays as it was
            _run_pg(
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "-d",
                str(db["NAME"]),
                *_pg_args(db),
                str(dump),
            )
        media_src = folder / "media"
        if media_src.is_dir():
            shutil.copytree(media_src, settings.MEDIA_ROOT, dirs_exist_ok=True)
    return {
        "restored_from": str(path),
        "created_at": manifest.get("created_at", ""),
        "vendor": vendor,
    }


def _unpack(path: Path, folder: Path) -> dict[str, Any]:
    """Extract the whole archive into ``folder`` (so it is read to the end) and return its
    manifest, checked to name this kind of backup's database file."""
    try:
        tar = tarfile.open(path, "r:gz")  # noqa: SIM115 - closed by the with-block below
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise InvalidInput(
            _("备份文件已损坏或不是轻装的备份：%(name)s") % {"name": path.name}
        ) from exc
    try:
        with tar:
            members = _safe_members(tar)
            if MANIFEST not in {m.name for m in members}:
                raise InvalidInput(
                    _("不是轻装的备份文件（缺少 %(manifest)s）：%(name)s")
                    % {"manifest": MANIFEST, "name": path.name}
                )
            tar.extractall(folder, members=members, filter="data")
    except _DAMAGED as exc:
        raise InvalidInput(
            _("备份文件不完整或已损坏（读到中途出错）：%(name)s") % {"name": path.name}
        ) from exc
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (ValueError, OSError):
        manifest = None
    if (
        not isinstance(manifest, dict)
        or manifest.get("dump") != DUMP_NAMES.get(manifest.get("vendor"))  # type: ignore[arg-type]
        or not (folder / manifest["dump"]).is_file()
    ):
        raise InvalidInput(
            _("备份文件的说明（%(manifest)s）不完整或已损坏：%(name)s")
            % {"manifest": MANIFEST, "name": path.name}
        )
    return manifest


def _damaged(detail: object) -> InvalidInput:
    return InvalidInput(
        _("备份中的数据库文件已损坏，不能恢复（%(detail)s）。") % {"detail": detail}
    )


def _sqlite_contents(dump: Path) -> tuple[set[str], set[tuple[str, str]]]:
    """The tables and the applied migrations of a SQLite backup, after its integrity check."""
    if dump.stat().st_size == 0:
        raise _damaged(_("文件是空的"))
    try:
        with contextlib.closing(sqlite3.connect(f"{dump.as_uri()}?mode=ro", uri=True)) as db:
            problems = [row[0] for row in db.execute("PRAGMA integrity_check(3)")]
            if problems != ["ok"]:
                raise _damaged(problems[0])
            tables = {
                row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            applied: set[tuple[str, str]] = set()
            if "django_migrations" in tables:
                applied = set(db.execute("SELECT app, name FROM django_migrations"))
    except sqlite3.DatabaseError as exc:
        raise _damaged(exc) from exc
    return tables, applied


def _pg_contents(dump: Path) -> tuple[set[str], set[tuple[str, str]]]:
    """The tables and the applied migrations of a pg_dump archive, after reading all of it."""
    try:
        # to /dev/null: pg_restore reads every data block, so a cut-off archive fails here
        _run_pg("pg_restore", "-f", os.devnull, str(dump))
        toc = _run_pg("pg_restore", "--list", str(dump))
    except InvalidInput as exc:
        raise _damaged(exc.message) from exc
    # "215; 1259 16386 TABLE public auth_group qz" (not "… TABLE DATA public auth_group qz")
    rows = [line.split() for line in toc.splitlines() if not line.startswith(";")]
    tables = {p[5] for p in rows if len(p) >= 6 and p[3] == "TABLE" and p[4] != "DATA"}
    applied: set[tuple[str, str]] = set()
    if "django_migrations" in tables:
        data = _run_pg(
            "pg_restore", "--data-only", "--table=django_migrations", "-f", "-", str(dump)
        )
        applied = _copied_migrations(data)
    return tables, applied


def _copied_migrations(sql: str) -> set[tuple[str, str]]:
    """(app, name) rows from pg_restore's COPY block for django_migrations."""
    rows: set[tuple[str, str]] = set()
    columns: list[str] = []
    for line in sql.splitlines():
        if line.startswith("COPY "):
            columns = [c.strip() for c in line[line.index("(") + 1 : line.index(")")].split(",")]
            continue
        if not columns:
            continue
        if line == "\\.":
            break
        values = dict(zip(columns, line.split("\t"), strict=False))
        rows.add((values.get("app", ""), values.get("name", "")))
    return rows


def _expected_tables(applied: set[tuple[str, str]]) -> set[str] | None:
    """The tables that the migrations recorded in a backup create; None if they are not ours.

    From the backup's own migration records, not the current models: a backup made before a
    later migration rightly lacks that migration's tables (the restore command migrates after).
    """
    from django.apps import apps
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    replaced = {old: new for new, m in loader.replacements.items() for old in m.replaces}
    nodes = {replaced.get(key, key) for key in applied} & set(loader.graph.nodes)
    ours = {c.label for c in apps.get_app_configs() if c.name.startswith("qingzhuang.")}
    if not any(app in ours for app, _name in nodes):
        return None
    state = loader.project_state(sorted(nodes), at_end=True)
    return {
        model._meta.db_table
        for model in state.apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def _check_tables(tables: set[str], applied: set[tuple[str, str]]) -> None:
    expected = _expected_tables(applied) if "django_migrations" in tables else {"django_migrations"}
    if expected is None:
        raise InvalidInput(
            _("备份中的数据库不是轻装的数据库（没有轻装的数据表结构记录），不能恢复。")
        )
    missing = sorted(expected - tables)
    if not missing:
        return
    shown = join_list(missing[:_SHOWN_TABLES])
    if len(missing) > _SHOWN_TABLES:
        shown = _("%(tables)s 等 %(count)s 张") % {"tables": shown, "count": len(missing)}
    raise InvalidInput(
        _("备份中的数据库缺少数据表：%(tables)s，可能已损坏或被改动过，不能恢复。")
        % {"tables": shown}
    )
