"""The one place that reads os.environ.

Every setting that may differ between a laptop, CI and a township's server is read here,
with a safe default for the embedded SQLite setup.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _list(name: str) -> list[str]:
    raw = os.environ.get(name, "")
    return [item.strip() for item in raw.split(",") if item.strip()]


SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
DEBUG: bool = _bool("DEBUG", False)
ALLOWED_HOSTS: list[str] = _list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS: list[str] = _list("CSRF_TRUSTED_ORIGINS")
DATA_DIR: Path = Path(os.environ.get("QZ_DATA_DIR", str(BASE_DIR / "var")))
DATABASE_URL: str = os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'qingzhuang.sqlite3'}")
SHARED_DATA_DIR: Path = Path(
    os.environ.get("QZ_SHARED_DATA", str(BASE_DIR.parent / "shared" / "data"))
)
SECURE_SSL_REDIRECT: bool = _bool("SECURE_SSL_REDIRECT", True)
LOG_LEVEL: str = os.environ.get("LOG_LEVEL", "INFO")
RATELIMIT_ENABLED: bool = _bool("QZ_RATELIMIT_ENABLED", True)
MINUTES_PER_FIELD: float = float(os.environ.get("QZ_MINUTES_PER_FIELD", "0.5"))
