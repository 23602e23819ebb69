"""Bulk demo load at scale: `qz demo` then `qz demo --requests N` on a temporary QZ_DATA_DIR,
timing each phase of the second run from its streamed output.

    .venv/bin/python bench/demo_million.py                       # 1,000,000 requests, SQLite
    .venv/bin/python bench/demo_million.py --dashboards          # + bench/dashboard_latency.py
    .venv/bin/python bench/demo_million.py --requests 100000 --keep

Target (issue 7 item 6): `qz demo --requests 1000000` < 180 s in total on SQLite. Prints the
load average before and after (the figure means little on a busy machine), the phases
(start-up + base seed, bulk generator, evaluation counters rebuild, rest), DB size, row counts,
and — as a check that the load is idempotent — the time of a second identical run.
With DATABASE_URL set (e.g. under scripts/with_postgres.sh) the same runs against PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GEN_DONE = "接诉即办：已批量生成"
GEN_START = "接诉即办：权责清单"
REBUILT = "评价：已按原始工单重算"


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, list[tuple[float, str]]]:
    """Run cmd, returning total wall seconds and (seconds since start, line) for each line."""
    t0 = time.perf_counter()
    lines: list[tuple[float, str]] = []
    with subprocess.Popen(
        cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        if proc.stdout is None:
            raise RuntimeError("no stdout pipe")
        for line in proc.stdout:
            lines.append((time.perf_counter() - t0, line.rstrip("\n")))
        err = proc.stderr.read() if proc.stderr else ""
    if proc.returncode:
        sys.exit(f"failed: {' '.join(cmd)}\n{err[-3000:]}")
    return time.perf_counter() - t0, lines


def at(lines: list[tuple[float, str]], prefix: str) -> tuple[float, str] | None:
    return next(((t, s) for t, s in lines if s.startswith(prefix)), None)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=1_000_000)
    ap.add_argument("--dashboards", action="store_true", help="then run dashboard_latency.py")
    ap.add_argument("--repeat", type=int, default=30, help="dashboard runs per endpoint")
    ap.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    args = ap.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="qz-demo-bench-"))
    env = {
        **os.environ,
        "QZ_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.dev"),
        "PYTHONUNBUFFERED": "1",
    }
    qz = str(ROOT / ".venv" / "bin" / "qz")
    print(f"cpus: {os.cpu_count()}; load average before: {load()}")
    secs, _ = run([qz, "demo"], env)
    print(f"qz demo (base township): {secs:.1f} s")

    cmd = [qz, "demo", "--requests", str(args.requests)]
    total, lines = run(cmd, env)
    start, done, rebuilt = at(lines, GEN_START), at(lines, GEN_DONE), at(lines, REBUILT)
    print(f"\n$ QZ_DATA_DIR={data_dir} qz {' '.join(cmd[1:])}")
    if start and done:
        own = re.search(r"用时 ([\d.]+) 秒", done[1])
        print(f"  start-up + earlier apps' seeds: {start[0]:6.1f} s")
        print(
            f"  bulk generator:                 {done[0] - start[0]:6.1f} s"
            + (f" (its own timer: {own.group(1)} s)" if own else "")
        )
    if done and rebuilt:
        print(f"  evaluation counters rebuild:    {rebuilt[0] - done[0]:6.1f} s")
        print(f"  rest (scores, other apps):      {total - rebuilt[0]:6.1f} s")
    print(f"  TOTAL:                          {total:6.1f} s   (target < 180 s)")
    print(f"load average after: {load()}")

    again, lines2 = run(cmd, env)
    note = at(lines2, GEN_DONE)
    print(
        f"\nsame command again (tops up, adds nothing): {again:.1f} s -> {note[1] if note else ''}"
    )

    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from qingzhuang.evaluation.models import MetricDaily, MetricMonthly
    from qingzhuang.service_requests.models import Callback, ServiceRequest, WorkOrder

    if connection.vendor == "sqlite":
        size = sum(p.stat().st_size for p in data_dir.glob("*.sqlite3*"))
    else:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_database_size(current_database())")
            size = cur.fetchone()[0]
    print(f"\ndatabase ({connection.vendor}) size: {size / 2**20:,.0f} MB")
    for model in (ServiceRequest, WorkOrder, Callback, MetricDaily, MetricMonthly):
        print(f"  {model.__name__:16} {model.objects.count():>10,}")
    from django.db.models import Count

    states = WorkOrder.objects.values_list("state").annotate(n=Count("id")).order_by("-n")
    print("  work orders by state: " + ", ".join(f"{s} {n:,}" for s, n in states))

    if args.dashboards:
        print("\n$ bench/dashboard_latency.py --data-dir", data_dir)
        sys.stdout.flush()
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "dashboard_latency.py"),
                "--data-dir",
                str(data_dir),
                "--repeat",
                str(args.repeat),
            ],
            env=env,
            cwd=ROOT,
            check=False,
        )
    else:
        print(
            "\ndashboard latency on the same data: .venv/bin/python bench/demo_million.py "
            "--dashboards   (or bench/dashboard_latency.py --data-dir <kept dir>)"
        )
    if args.keep:
        print(f"data dir kept: {data_dir}")
    else:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
