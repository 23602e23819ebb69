"""Dashboard latency at scale: seed N requests with `qz demo --requests N` into a temporary
QZ_DATA_DIR (SQLite), then time every evaluation dashboard endpoint and print p50/p95.

    .venv/bin/python bench/dashboard_latency.py --requests 1000000 --repeat 30

It also times the first view of the hotspot and signal pages after a write (a new request, a
new callback), which refresh derived data on read. These writes stay in the data dir.

Target (DESIGN.md): p95 < 300 ms on SQLite with 1,000,000 requests. Pages read the MetricDaily
pre-aggregates; the script also checks that they equal the raw work orders.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    t = time.perf_counter()
    out = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if out.returncode:
        sys.exit(f"failed: {' '.join(cmd)}\n{out.stderr[-3000:]}")
    return time.perf_counter() - t, out.stdout


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--data-dir", help="reuse an existing data dir (skip seeding)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    args = ap.parse_args()

    data_dir = Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp(prefix="qz-bench-"))
    env = {
        **os.environ,
        "QZ_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
    }
    qz = str(ROOT / ".venv" / "bin" / "qz")
    if not args.data_dir:
        secs, out = run([qz, "demo"], env)
        print(f"qz demo (base township, no extra requests): {secs:.1f} s")
        secs, out = run([qz, "demo", "--requests", str(args.requests)], env)
        print(f"qz demo --requests {args.requests}: {secs:.1f} s (includes the counters rebuild)")
    secs, out = run([qz, "evaluation", "metrics", "--verify-only", "--json"], env)
    print(f"verify counters == raw: {secs:.1f} s -> {out.strip().splitlines()[1].strip()}")
    secs, out = run([qz, "evaluation", "metrics", "--json"], env)
    print(f"full counters rebuild + verify: {secs:.1f} s")

    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from qingzhuang.evaluation.models import MetricDaily
    from qingzhuang.org.models import User
    from qingzhuang.service_requests.models import ServiceRequest

    settings.DEBUG = False
    print(
        f"requests: {ServiceRequest.objects.count():,}; counter rows: {MetricDaily.objects.count():,}"
    )
    last = MetricDaily.objects.order_by("-day").values_list("day", flat=True).first()
    period = f"{last.year}-{last.month:02d}" if last else "2026-01"
    quarter = f"{last.year}Q{(last.month - 1) // 3 + 1}" if last else "2026Q1"
    endpoints = [
        f"/evaluation/?period={period}",
        f"/evaluation/metrics/?period={period}&by=org_unit",
        f"/evaluation/metrics/?period={period}&by=area",
        f"/evaluation/metrics/?period={period}&by=category",
        f"/evaluation/metrics/?period={quarter}&by=org_unit",
        "/evaluation/scores/",
        f"/api/evaluation/metrics?period={period}&group_by=org_unit",
        f"/api/evaluation/metrics?period={str(last.year) if last else '2026'}",
        *[
            f"/api/evaluation/tables/{k}?period={period}"
            for k in ("trend", "units", "hotspots", "scores", "burden")
        ],
        f"/evaluation/?period={period}&table=units&export=xlsx",
        f"/evaluation/signals/?period={period}",
        "/evaluation/indicators/",
        "/requests/hotspots/",
    ]
    for who in ("admin", "qingshan"):
        client = Client()
        client.force_login(User.objects.get(username=who))
        print(f"\nas {who} ({args.repeat} runs each, first run discarded)")
        print(f"{'endpoint':70} {'p50 ms':>8} {'p95 ms':>8}")
        for url in endpoints:
            times = []
            for i in range(args.repeat + 1):
                t = time.perf_counter()
                r = client.get(url)
                dt = (time.perf_counter() - t) * 1000
                if r.status_code != 200:
                    sys.exit(f"{url}: HTTP {r.status_code}")
                if i:
                    times.append(dt)
            times.sort()
            p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
            print(f"{url:70} {statistics.median(times):8.1f} {p95:8.1f}")
    first_views_after_writes(period)
    if not args.data_dir and not args.keep:
        shutil.rmtree(data_dir, ignore_errors=True)
    else:
        print(f"data dir kept: {data_dir}")


def first_views_after_writes(period: str, rounds: int = 3) -> None:
    """The pages that refresh derived data on read, timed on the first view after a write that
    invalidates it (a new request re-clusters hotspot texts; a new callback marks its order's
    signal candidates). Writes go through the real services; the first round also loads the
    sentiment model into this process."""
    from django.test import Client

    from qingzhuang.org.models import User
    from qingzhuang.service_requests import services
    from qingzhuang.service_requests.models import WorkOrder

    admin = User.objects.get(username="admin")
    village = User.objects.get(username="qingshan").org_unit
    client = Client()
    client.force_login(admin)

    def view(url: str) -> float:
        t = time.perf_counter()
        r = client.get(url)
        if r.status_code != 200:
            sys.exit(f"{url}: HTTP {r.status_code}")
        return (time.perf_counter() - t) * 1000

    signals = f"/evaluation/signals/?period={period}"
    view("/requests/hotspots/")
    view(signals)
    print("\nfirst view after a write (as admin), ms")
    comments = ["很快就修好了，谢谢", "态度不好，问题也没解决", "还可以，就是慢了点"]
    for i in range(rounds):
        services.request_submit(
            org_unit=village,
            request_type="complaint",
            text=f"基准测试第{i}条：村口路灯坏了好几天，晚上很黑，请尽快修理",
            channel="web",
            actor="bench",
            resident_phone=f"1390000{i:04d}",
        )
        hot = view("/requests/hotspots/")
        order = WorkOrder.objects.filter(state__in=("resolved", "callback")).order_by("-id").first()
        sig = float("nan")
        if order is not None:
            services.callback_record_phone(
                order=order,
                resolved="solved",
                satisfaction="satisfied",
                comment=comments[i % len(comments)],
                acting_user=admin,
            )
            sig = view(signals)
        print(
            f"  round {i + 1}: 热点问题 after a new request {hot:.0f}; 异常信号 after a callback {sig:.0f}"
        )


if __name__ == "__main__":
    main()
