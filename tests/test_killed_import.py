"""A killed import leaves nothing half-imported (one transaction per import)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(QZ_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="config.settings.dev")
    return env


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="SQLite file test"
)
def test_sigkill_during_org_import_leaves_nothing(tmp_path: Path) -> None:
    env = _env(tmp_path)
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    lines = ["code,name,parent_code,level", "9000,大县,,county", "9001,大镇,9000,township"]
    lines += [f"9{n:07d},村{n},9001,village" for n in range(1, 6001)]
    units = tmp_path / "units.csv"
    units.write_text("\n".join(lines) + "\n", encoding="utf-8")

    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "org", "import", "--input", str(units)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    db = tmp_path / "qingzhuang.sqlite3"
    deadline = time.monotonic() + 60
    # wait until the import is writing (the WAL file grows), then kill it hard
    wal = tmp_path / "qingzhuang.sqlite3-wal"
    while time.monotonic() < deadline and proc.poll() is None:
        if wal.exists() and wal.stat().st_size > 256 * 1024:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "import finished before it could be killed; make the file bigger"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)

    conn = sqlite3.connect(db)
    try:
        count = conn.execute("SELECT COUNT(*) FROM org_orgunit").fetchone()[0]
        audit = conn.execute("SELECT COUNT(*) FROM audit_auditentry").fetchone()[0]
    finally:
        conn.close()
    assert count == 0
    assert audit == 0
