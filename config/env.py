"""The one place that reads os.environ.

Every setting that may differ between a laptop, CI and a township's server is read here,
with a safe default for the embedded SQLite setup. Every value is checked here too: a wrong
one stops the program with one sentence naming the variable (`qz` prints it as "错误：…"),
instead of a traceback from deep inside Django, the logging module or the database driver.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DATABASE_SCHEMES = ("sqlite", "postgres", "postgresql", "pgsql")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class ConfigurationError(ImproperlyConfigured):
    """An environment variable with a value the program cannot use."""


def _invalid(name: str, shown: str, expected: str) -> NoReturn:
    raise ConfigurationError(
        f"环境变量 {name} 的值“{shown}”无效：{expected} (invalid value of {name})"
    )


def _raw(name: str) -> str | None:
    """The variable's value, or None when it is unset or blank."""
    raw = os.environ.get(name)
    return raw.strip() if raw is not None and raw.strip() else None


def _bool(name: str, default: bool) -> bool:
    raw = _raw(name)
    if raw is None:
        return default
    if raw.lower() in _TRUE | _FALSE:
        return raw.lower() in _TRUE
    _invalid(name, raw, "应为 1（开）或 0（关）")


def _list(name: str) -> list[str]:
    raw = os.environ.get(name, "")
    return [item.strip() for item in raw.split(",") if item.strip()]


def _data_dir(name: str, default: Path) -> Path:
    raw = _raw(name)
    path = Path(raw).expanduser() if raw else default
    # It is created on first use; what cannot become a folder is refused now.
    existing = next((p for p in (path, *path.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        _invalid(
            name,
            str(path),
            f"“{existing}”是一个文件，不是文件夹，请给出一个文件夹（不存在会自动创建）",
        )
    return path


def _database_url(name: str, default: str) -> str:
    url = _raw(name) or default
    scheme = urlsplit(url).scheme.lower()
    shown = f"{scheme}://…" if scheme else "…"  # never the rest: it may hold a password
    if scheme not in DATABASE_SCHEMES:
        _invalid(name, shown, "应以 sqlite:/// 或 postgres:// 开头")
    import dj_database_url

    try:
        dj_database_url.parse(url)
    except ValueError:
        _invalid(name, shown, "无法解析，格式如 postgres://用户:密码@主机:5432/库名")
    return url


def _log_level(name: str, default: str) -> str:
    raw = _raw(name) or default
    if raw.upper() not in LOG_LEVELS:
        _invalid(name, raw, "应为 " + "、".join(LOG_LEVELS) + " 之一（大小写均可）")
    return raw.upper()


def _positive_number(name: str, default: float) -> float:
    raw = _raw(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        _invalid(name, raw, "应为大于 0 的数，小数点用半角句点，例如 0.5")
    if not math.isfinite(value) or value <= 0:
        _invalid(name, raw, "应为大于 0 的数，例如 0.5")
    return value


SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
DEBUG: bool = _bool("DEBUG", False)
ALLOWED_HOSTS: list[str] = _list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS: list[str] = _list("CSRF_TRUSTED_ORIGINS")
DATA_DIR: Path = _data_dir("QZ_DATA_DIR", BASE_DIR / "var")
DATABASE_URL: str = _database_url("DATABASE_URL", f"sqlite:///{DATA_DIR / 'qingzhuang.sqlite3'}")
SHARED_DATA_DIR: Path = Path(
    os.environ.get("QZ_SHARED_DATA", str(BASE_DIR.parent / "shared" / "data"))
)
SECURE_SSL_REDIRECT: bool = _bool("SECURE_SSL_REDIRECT", True)
LOG_LEVEL: str = _log_level("LOG_LEVEL", "INFO")
RATELIMIT_ENABLED: bool = _bool("QZ_RATELIMIT_ENABLED", True)
MINUTES_PER_FIELD: float = _positive_number("QZ_MINUTES_PER_FIELD", 0.5)
