"""Public intake under load: 50 concurrent clients against `qz serve` on a temp SQLite DB.

    .venv/bin/python bench/intake_load.py [--clients 50] [--seconds 20] [--retry-share 0.05]
                                          [--workers 2] [--rate R] [--no-model] [--port 8171]

Two modes. Closed loop (default): each of the 50 clients sends its next request as soon as the
last is answered, so the server runs flat out; this measures the most it can take, and latency
there is mostly queueing (Little's law: mean latency = clients / throughput). Fixed rate
(`--rate 250`): the 50 clients together offer R req/s on a schedule and latency counts from each
request's scheduled send time; this answers "does it sustain R req/s with p99 < 300 ms". The
load generator is one asyncio event loop (not 50 threads), so it takes little of the 2 cores.

It creates a fresh data dir (QZ_DATA_DIR=tmp), imports a small org tree, optionally trains the
category model from ../shared/data/requests/messages_train.csv (so intake classifies as in
production), starts the server, and drives POST /api/service_requests/intake with keep-alive
connections. A share of requests re-sends an earlier client_id (a client retry). It prints
req/s, p50/p95/p99 latency, and checks "nothing lost": every acknowledged client_id is stored
exactly once, and retries created nothing.

`--workers N` is passed to `qz serve` (1 = one waitress process; more = gunicorn gthread
processes). Server CPU is summed over the server process and its worker processes.

The server runs with QZ_RATELIMIT_ENABLED=0: the public-intake limit (QZ_RATE_LIMITS
"public_intake", 30/min) counts per client address, and this bench drives every request
from 127.0.0.1, so with the limiter on nearly every request would get HTTP 429.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOAD_BEFORE = ""
QZ = str(ROOT / ".venv" / "bin" / "qz")
TEXTS = [
    "三组村道上有个大坑，下雨积水看不见，老人晚上出门容易摔跤，请尽快修补。",
    "村委会门口的垃圾桶满了三天没人清运，天热气味很大，苍蝇很多。",
    "我们组停水两天了，没有任何通知，做饭洗衣都成问题，请问什么时候恢复。",
    "咨询城乡居民养老保险今年的缴费标准和截止时间，到哪里办理。",
    "小学门口放学时车多人多，建议安排人员疏导或者画条斑马线。",
    "邻居家的狗经常放出来，已经咬伤过孩子，说了也不听，希望村里出面。",
    "河边有人晚上偷偷倒建筑垃圾，已经堆了半人高，影响行洪。",
    "路灯坏了一个星期了，晚上一片漆黑，学生放学回家很不安全。",
]
UNITS = """code,name,parent_code,level
429901000000,示范县,,county
429901101000,示范镇,429901000000,township
""" + "".join(f"4299011012{i:02d},演示{i}村,429901101000,village\n" for i in range(1, 13))


DIAGNOSTIC_SERVER = """
import sys, django
django.setup()
from django.db.models.signals import post_init, post_save
from qingzhuang.service_requests.models import Callback, ServiceRequest, WorkOrder
post_init.disconnect(sender=WorkOrder, dispatch_uid="qz_eval_order_init")
post_save.disconnect(sender=WorkOrder, dispatch_uid="qz_eval_order_save")
post_save.disconnect(sender=ServiceRequest, dispatch_uid="qz_eval_sr_save")
post_save.disconnect(sender=Callback, dispatch_uid="qz_eval_cb_save")
from waitress import serve
from config.wsgi import application
serve(application, host="127.0.0.1", port=int(sys.argv[1]), threads=int(sys.argv[2]),
      connection_limit=500, backlog=1024, ident="qingzhuang")
"""


def sh(args: list[str], env: dict[str, str]) -> str:
    return subprocess.run(args, env=env, check=True, capture_output=True, text=True).stdout


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def cpu_seconds(pid: int) -> float:
    """User+system CPU seconds of a process and its live children (gunicorn workers), from
    Linux /proc, to separate cost from contention."""
    try:
        pids = [pid]
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if int(_stat(int(entry.name))[1]) == pid:
                        pids.append(int(entry.name))
                except (OSError, IndexError, ValueError):
                    continue
        total = 0
        for p in pids:
            fields = _stat(p)
            total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def wait_up(port: int, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status < 500:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("server did not start")


class Client:
    """One keep-alive connection driven by asyncio: the whole load generator is one event loop,
    so the client costs little CPU and a reply is timed when it arrives, not when a thread gets
    the GIL back. Closed loop (send, wait, send) unless `interval` is set: then requests are
    sent on a fixed schedule and latency counts from the scheduled send time, so a stalled
    server cannot hide its backlog (no coordinated omission)."""

    def __init__(
        self, port: int, stop_at: float, retry_share: float, seed: int, interval: float = 0.0
    ) -> None:
        self.port, self.stop_at, self.retry_share = port, stop_at, retry_share
        self.interval = interval
        self.rng = random.Random(seed)
        self.latencies: list[float] = []
        self.done_at: list[float] = []
        self.acked: dict[str, str] = {}  # client_id -> tracking code
        self.retries = 0
        self.errors: dict[str, int] = {}

    def _error(self, key: str) -> None:
        self.errors[key] = self.errors.get(key, 0) + 1

    def _request(self, sent: list[str]) -> tuple[bytes, str, bool]:
        retry = bool(sent) and self.rng.random() < self.retry_share
        cid = self.rng.choice(sent) if retry else uuid.uuid4().hex
        body = json.dumps(
            {
                "village_code": f"4299011012{self.rng.randint(1, 12):02d}",
                "request_type": self.rng.choice(["help", "complaint", "consult"]),
                "text": self.rng.choice(TEXTS) + f"（{cid[:6]}）",
                "phone": f"13{self.rng.randint(100000000, 999999999)}",
                "client_id": cid,
            },
            ensure_ascii=False,
        ).encode()
        head = (
            "POST /api/service_requests/intake HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        return head + body, cid, retry

    @staticmethod
    async def _response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
        status = int((await reader.readline()).split()[1])
        length, chunked, close = 0, False, False
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value:
                chunked = True
            elif name == "connection" and value == "close":
                close = True
        if not chunked:
            return status, await reader.readexactly(length), close
        data = b""
        while size := int((await reader.readline()).strip(), 16):
            data += await reader.readexactly(size + 2)
            data = data[:-2]
        await reader.readline()
        return status, data, close

    async def run(self) -> None:
        conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        sent: list[str] = []
        next_at = time.perf_counter() + self.rng.random() * self.interval
        while time.time() < self.stop_at:
            if self.interval:
                delay = next_at - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                t0 = next_at  # latency from the scheduled send time
                next_at += self.interval
            else:
                t0 = time.perf_counter()
            payload, cid, retry = self._request(sent)
            try:
                if conn is None:
                    conn = await asyncio.open_connection("127.0.0.1", self.port)
                reader, writer = conn
                writer.write(payload)
                status, data, close = await asyncio.wait_for(self._response(reader), 30)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
                self._error(type(exc).__name__)
                if conn is not None:
                    conn[1].close()
                conn = None
                continue
            self.latencies.append(time.perf_counter() - t0)
            self.done_at.append(time.time())
            if close:
                conn[1].close()
                conn = None
            if status in (200, 201):
                code = json.loads(data)["tracking_code"]
                if retry:
                    self.retries += 1
                    if self.acked.get(cid) != code:
                        self._error("retry_got_other_code")
                else:
                    self.acked[cid] = code
                    sent.append(cid)
            else:
                self._error(f"http_{status}")
        if conn is not None:
            conn[1].close()


async def drive(clients: list[Client]) -> None:
    await asyncio.gather(*(c.run() for c in clients))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--retry-share", type=float, default=0.05)
    ap.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="offered load in req/s spread over the clients on a fixed schedule (latency from "
        "the scheduled time); default 0 = closed loop, every client sends as fast as answered",
    )
    ap.add_argument("--port", type=int, default=8171)
    ap.add_argument(
        "--threads", type=int, default=3, help="threads per server process (qz serve's default)"
    )
    ap.add_argument("--workers", type=int, default=1, help="server processes (qz serve --workers)")
    ap.add_argument("--no-model", action="store_true", help="skip training the category model")
    ap.add_argument("--model-file", default="", help="reuse a model written by `qz requests train`")
    ap.add_argument("--keep", action="store_true", help="keep the temp data dir")
    ap.add_argument(
        "--without-eval-signals",
        action="store_true",
        help="diagnostic: serve with the evaluation app's per-commit metric refresh disconnected "
        "(same waitress settings as qz serve) to show what that refresh costs the intake",
    )
    args = ap.parse_args()

    global LOAD_BEFORE
    LOAD_BEFORE = " ".join(f"{x:.1f}" for x in os.getloadavg())
    data_dir = Path(tempfile.mkdtemp(prefix="qz-intake-bench-"))
    env = dict(
        os.environ,
        QZ_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        SECRET_KEY="bench-only-" + uuid.uuid4().hex,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        LOG_LEVEL="WARNING",
        QZ_RATELIMIT_ENABLED="0",  # one client address drives everything (see the docstring)
    )
    (data_dir / "units.csv").write_text(UNITS, encoding="utf-8")
    sh([QZ, "org", "import", "--input", str(data_dir / "units.csv"), "--json"], env)
    train = ROOT.parent / "shared" / "data" / "requests" / "messages_train.csv"
    model_note = "none (no category suggestion)"
    if args.model_file and not args.no_model:
        (data_dir / "models").mkdir()
        shutil.copy(args.model_file, data_dir / "models" / "request_category.model")
        model_note = f"{args.model_file} (classified per request)"
    elif not args.no_model and train.is_file():
        (data_dir / "models").mkdir()
        t = time.time()
        sh(
            [
                QZ,
                "requests",
                "train",
                "--input",
                str(train),
                "--text-column",
                "text",
                "--label-column",
                "label",
                "--model",
                str(data_dir / "models" / "request_category.model"),
                "--json",
            ],
            env,
        )
        model_note = (
            f"trained on messages_train.csv in {time.time() - t:.0f}s (classified per request)"
        )
    if args.without_eval_signals:
        cmd = [sys.executable, "-c", DIAGNOSTIC_SERVER, str(args.port), str(args.threads)]
    else:
        cmd = [QZ, "serve", "--port", str(args.port), "--threads", str(args.threads)]
        cmd += ["--workers", str(args.workers)]
    server_log = (data_dir / "server.log").open("w")  # never a pipe: a full pipe blocks the server
    server = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=server_log, stderr=subprocess.STDOUT)
    try:
        wait_up(args.port)
        warm = Client(args.port, time.time() + 2, 0, 0)
        asyncio.run(drive([warm]))  # warm-up: imports, model load, first connections (not counted)
        cpu0 = cpu_seconds(server.pid)
        stop_at = time.time() + args.seconds
        interval = args.clients / args.rate if args.rate else 0.0
        clients = [
            Client(args.port, stop_at, args.retry_share, i + 1, interval)
            for i in range(args.clients)
        ]
        t0 = time.time()
        asyncio.run(drive(clients))
        elapsed = time.time() - t0
        server_cpu = cpu_seconds(server.pid) - cpu0
    finally:
        server.terminate()
        server.wait(timeout=30)
        server_log.close()

    lat = sorted(x for c in clients for x in c.latencies)
    acked = {cid: code for c in clients for cid, code in c.acked.items()}
    errors: dict[str, int] = {}
    for c in clients:
        for k, v in c.errors.items():
            errors[k] = errors.get(k, 0) + v
    db = sqlite3.connect(data_dir / "qingzhuang.sqlite3")
    rows = db.execute(
        "SELECT idempotency_key, tracking_code FROM service_requests_servicerequest "
        "WHERE channel='api'"
    ).fetchall()
    orders = db.execute("SELECT COUNT(*) FROM service_requests_workorder").fetchone()[0]
    audit = db.execute(
        "SELECT COUNT(*) FROM audit_auditentry WHERE action='service_requests.request.submit'"
    ).fetchone()[0]
    db.close()
    stored = {k.removeprefix("api:"): code for k, code in rows}
    warm_ids = set(warm.acked)
    measured_stored = {k: v for k, v in stored.items() if k not in warm_ids}
    lost = [cid for cid, code in acked.items() if measured_stored.get(cid) != code]
    unacked_stored = set(measured_stored) - set(acked)
    pct = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")  # noqa: E731
    mode = "WITHOUT evaluation signals (diagnostic)" if args.without_eval_signals else "qz serve"
    print(
        f"intake load: {mode}, {args.clients} clients, {args.seconds:.0f}s, "
        f"workers={args.workers} × threads={args.threads}, "
        f"{f'offered {args.rate:.0f} req/s' if args.rate else 'closed loop'}, model: {model_note}"
    )
    print(f"  machine load average before run: {LOAD_BEFORE}")
    in_window = sum(1 for c in clients for x in c.done_at if x <= stop_at)
    rate = in_window / args.seconds
    print(
        f"  requests answered  {len(lat)}  ({rate:.0f} req/s within the {args.seconds:.0f}s window; "
        f"wall {elapsed:.1f}s incl. the last in-flight requests)"
    )
    print(
        f"  latency ms         p50 {pct(0.50):.1f}  p95 {pct(0.95):.1f}  p99 {pct(0.99):.1f}  "
        f"max {lat[-1] * 1000 if lat else 0:.1f}  mean {statistics.mean(lat) * 1000:.1f}"
    )
    print(
        f"  server CPU         {server_cpu * 1000 / max(len(lat), 1):.1f} ms per request "
        f"({server_cpu / elapsed * 100:.0f}% of one core; each process is GIL-bound, so one "
        f"whole core gives ~{len(lat) / max(server_cpu, 1e-9):.0f} req/s)"
    )
    print(f"  acknowledged new   {len(acked)}   retries answered {sum(c.retries for c in clients)}")
    print(
        f"  stored (measured)  {len(measured_stored)}   work orders {orders}   audit entries {audit}"
    )
    dup = errors.get("retry_got_other_code", 0)
    print(
        f"  lost (acked, not stored) {len(lost)}   stored but not acked {len(unacked_stored)}   "
        f"retries that made a second request {dup}"
    )
    print(f"  errors             {errors or 'none'}")
    ok = not lost and len(lat) / elapsed >= 200 and pct(0.99) < 300 and not errors
    print("  target ≥200 req/s, p99 <300 ms, nothing lost:", "MET" if ok else "NOT MET")
    if args.keep:
        print(f"  data dir kept: {data_dir}")
    else:
        shutil.rmtree(data_dir, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
