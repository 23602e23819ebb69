"""Whole-database backup and restore.

SQLite uses the online backup API (safe while the server runs); PostgreSQL uses
pg_dump/pg_restore in custom format. Uploaded files under MEDIA_ROOT are packed alongside
so a restore brings back templates and attachments too.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone
from django.utils.translation import gettext as _

from qingzhuang.core.errors import InvalidInput

MANIFEST = "qingzhuang-backup.json"


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
    """Write one .tar.gz holding the database dump, the media files and a manifest."""
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
            subprocess.run(  # noqa: S603
                [_pg_tool("pg_dump"), "-Fc", "-f", str(dump), *_pg_args(db), str(db["NAME"])],
                check=True,
                env=_pg_env(db),
                capture_output=True,
            )
        else:
            raise InvalidInput(_("不支持备份 %(vendor)s 数据库。") % {"vendor": vendor})
        manifest = {
            "created_at": timezone.now().isoformat(),
            "vendor": vendor,
            "dump": dump.name,
        }
        output.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(output, "w:gz") as tar:
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
    """Replace the current database (and media) with the backup's content."""
    if not path.is_file():
        raise InvalidInput(_("找不到备份文件：%(path)s") % {"path": path})
    db = _db()
    vendor = connection.vendor
    try:
        tar = tarfile.open(path, "r:gz")  # noqa: SIM115 - closed by the with-block below
    except (tarfile.TarError, OSError) as exc:
        raise InvalidInput(
            _("备份文件已损坏或不是轻装的备份：%(name)s") % {"name": path.name}
        ) from exc
    with tar, tempfile.TemporaryDirectory() as tmp:
        members = _safe_members(tar)
        names = {m.name for m in members}
        if MANIFEST not in names:
            raise InvalidInput(
                _("不是轻装的备份文件（缺少 %(manifest)s）：%(name)s")
                % {"manifest": MANIFEST, "name": path.name}
            )
        tar.extractall(tmp, members=members, filter="data")
        manifest = json.loads((Path(tmp) / MANIFEST).read_text(encoding="utf-8"))
        if manifest["vendor"] != vendor:
            raise InvalidInput(
                _("备份来自 %(backup_vendor)s 数据库，当前是 %(vendor)s，不能直接恢复。")
                % {"backup_vendor": manifest["vendor"], "vendor": vendor}
            )
        dump = Path(tmp) / manifest["dump"]
        if vendor == "sqlite":
            connection.ensure_connection()
            source = sqlite3.connect(str(dump))
            source.backup(connection.connection)
            source.close()
        else:
            connections.close_all()
            subprocess.run(  # noqa: S603
                [
                    _pg_tool("pg_restore"),
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "-d",
                    str(db["NAME"]),
                    *_pg_args(db),
                    str(dump),
                ],
                check=True,
                env=_pg_env(db),
                capture_output=True,
            )
        media_src = Path(tmp) / "media"
        if media_src.is_dir():
            shutil.copytree(media_src, settings.MEDIA_ROOT, dirs_exist_ok=True)
    return {"restored_from": str(path), "created_at": manifest["created_at"], "vendor": vendor}
