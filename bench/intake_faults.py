"""Public intake under a crash: 10,000 requests, 50 clients with retries, the server SIGKILLed once.

    .venv/bin/python bench/intake_faults.py [--requests 10000] [--clients 50] [--workers 2]
                                            [--kill-at 0.5] [--model-file PATH] [--port 8181]

It creates a fresh data dir (QZ_DATA_DIR=tmp) with a small org tree, starts `qz serve` in its own
process group and lets 50 client threads submit 10,000 distinct requests to
POST /api/service_requests/intake. Every client keeps retrying a request, always with the same
client_id, until the server acknowledges it (HTTP 2xx): after a refused connection, a reset or a
timeout it reconnects and sends the same request again. When --kill-at of the requests are
acknowledged, the whole server (master and workers) is killed with SIGKILL and started again.

Then it reads the database and prints:
  acknowledged  requests that got a 2xx answer (all of them, since clients retry until then)
  stored        acknowledged requests found in the database with the tracking code they were
                given
  duplicates    requests stored more than once (the text carries the client_id, so a second row
                for the same request is found even under another key)
  lost          acknowledged but not in the database (or stored under another tracking code)
Target: lost 0, duplicates 0. The server runs with QZ_RATELIMIT_ENABLED=0 (every client is
127.0.0.1; see bench/intake_load.py).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from intake_load import QZ, ROOT, TEXTS, UNITS, sh, wait_up  # noqa: E402


class Server:
    """`qz serve` in its own session, so a SIGKILL reaches the master and every worker."""

    def __init__(self, args: argparse.Namespace, env: dict[str, str], log: Path) -> None:
        self.args, self.env, self.log = args, env, log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        t0 = time.time()
        cmd = [QZ, "serve", "--port", str(self.args.port), "--workers", str(self.args.workers)]
        with self.log.open("a") as out:
            self.proc = subprocess.Popen(
                cmd, env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        wait_up(self.args.port, timeout=120)
        return time.time() - t0

    def kill(self) -> None:
        if self.proc is None:
            return
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


class Client(threading.Thread):
    def __init__(self, port: int, work: queue.Queue[str], seed: int, timeout: float) -> None:
        super().__init__(daemon=True)
        self.port, self.work, self.timeout = port, work, timeout
        self.rng = random.Random(seed)
        self.acked: dict[str, str] = {}  # client_id -> tracking code
        self.attempts = 0
        self.retries = 0
        self.errors: dict[str, int] = {}
        self.conn: http.client.HTTPConnection | None = None

    def _error(self, key: str) -> None:
        self.errors[key] = self.errors.get(key, 0) + 1

    def _send(self, body: bytes) -> tuple[int, bytes]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        self.conn.request(
            "POST", "/api/service_requests/intake", body, {"Content-Type": "application/json"}
        )
        resp = self.conn.getresponse()
        return resp.status, resp.read()

    def run(self) -> None:
        while True:
            try:
                cid = self.work.get_nowait()
            except queue.Empty:
                break
            body = json.dumps(
                {
                    "village_code": f"4299011012{self.rng.randint(1, 12):02d}",
                    "request_type": self.rng.choice(["help", "complaint", "consult"]),
                    "text": f"{self.rng.choice(TEXTS)}【{cid}】",
                    "phone": f"13{self.rng.randint(100000000, 999999999)}",
                    "client_id": cid,
                },
                ensure_ascii=False,
            ).encode()
            first = True
            while True:  # the same request, same client_id, until acknowledged
                self.attempts += 1
                if not first:
                    self.retries += 1
                first = False
                try:
                    status, data = self._send(body)
                except (OSError, http.client.HTTPException) as exc:
                    self._error(type(exc).__name__)
                    if self.conn is not None:
                        self.conn.close()
                    self.conn = None
                    time.sleep(0.05 + self.rng.random() * 0.2)
                    continue
                if 200 <= status < 300:
                    self.acked[cid] = json.loads(data)["tracking_code"]
                    break
                self._error(f"http_{status}")
                time.sleep(0.1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=10_000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--workers", type=int, default=2, help="server processes (qz serve --workers)")
    ap.add_argument("--kill-at", type=float, default=0.5, help="share acknowledged before SIGKILL")
    ap.add_argument("--timeout", type=float, default=10.0, help="client socket timeout, seconds")
    ap.add_argument("--port", type=int, default=8181)
    ap.add_argument("--model-file", default="", help="a model from `qz requests train`")
    ap.add_argument("--keep", action="store_true", help="keep the temp data dir")
    args = ap.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="qz-intake-faults-"))
    env = dict(
        os.environ,
        QZ_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        SECRET_KEY="bench-only-" + uuid.uuid4().hex,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        LOG_LEVEL="WARNING",
        QZ_RATELIMIT_ENABLED="0",
    )
    (data_dir / "units.csv").write_text(UNITS, encoding="utf-8")
    sh([QZ, "org", "import", "--input", str(data_dir / "units.csv"), "--json"], env)
    if args.model_file:
        (data_dir / "models").mkdir()
        shutil.copy(args.model_file, data_dir / "models" / "request_category.model")

    work: queue.Queue[str] = queue.Queue()
    ids = [uuid.uuid4().hex for _ in range(args.requests)]
    for cid in ids:
        work.put(cid)
    server = Server(args, env, data_dir / "server.log")
    server.start()
    clients = [Client(args.port, work, i + 1, args.timeout) for i in range(args.clients)]
    t0 = time.time()
    for c in clients:
        c.start()
    killed_at = restart_s = 0.0
    acked_at_kill = 0
    try:
        while any(c.is_alive() for c in clients):
            acked = sum(len(c.acked) for c in clients)
            if not killed_at and acked >= args.kill_at * args.requests:
                acked_at_kill = acked
                server.kill()
                killed_at = time.time() - t0
                restart_s = server.start()
            time.sleep(0.05)
        for c in clients:
            c.join()
    finally:
        server.stop()
    elapsed = time.time() - t0

    acked_codes = {cid: code for c in clients for cid, code in c.acked.items()}
    errors: dict[str, int] = {}
    for c in clients:
        for k, v in c.errors.items():
            errors[k] = errors.get(k, 0) + v
    db = sqlite3.connect(data_dir / "qingzhuang.sqlite3")
    try:  # CHECK constraints that call Django's SQL functions cannot be checked outside Django
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.OperationalError:
        db.execute("PRAGMA ignore_check_constraints=ON")
        integrity = db.execute("PRAGMA quick_check").fetchone()[0]
    rows = db.execute(
        "SELECT idempotency_key, tracking_code, text FROM service_requests_servicerequest "
        "WHERE channel='api'"
    ).fetchall()
    orders = db.execute("SELECT COUNT(*) FROM service_requests_workorder").fetchone()[0]
    audit = db.execute(
        "SELECT COUNT(*) FROM audit_auditentry WHERE action='service_requests.request.submit'"
    ).fetchone()[0]
    db.close()
    by_key = {k.removeprefix("api:"): code for k, code, _ in rows}
    per_cid: dict[str, int] = {}
    for _, _, text in rows:
        cid = text.rsplit("【", 1)[-1].rstrip("】")
        per_cid[cid] = per_cid.get(cid, 0) + 1
    duplicates = sum(n - 1 for n in per_cid.values() if n > 1)
    lost = [cid for cid, code in acked_codes.items() if by_key.get(cid) != code]
    stored = sum(1 for cid, code in acked_codes.items() if by_key.get(cid) == code)
    never_acked = [cid for cid in ids if cid not in acked_codes]

    print(
        f"intake faults: {args.requests} requests, {args.clients} clients with retries, "
        f"qz serve --workers {args.workers}, model: {args.model_file or 'none'}"
    )
    print(
        f"  SIGKILL of the whole server at {killed_at:.1f}s ({acked_at_kill} acknowledged); "
        f"restarted and serving again after {restart_s:.1f}s; run took {elapsed:.1f}s"
    )
    print(
        f"  attempts {sum(c.attempts for c in clients)}   retries {sum(c.retries for c in clients)}"
        f"   client errors {errors or 'none'}"
    )
    print(f"  acknowledged {len(acked_codes)}   never acknowledged {len(never_acked)}")
    print(
        f"  stored       {stored}   (rows {len(rows)}, work orders {orders}, "
        f"audit entries {audit}, integrity_check {integrity})"
    )
    print(f"  duplicates   {duplicates}")
    print(f"  lost         {len(lost)}")
    ok = not lost and not duplicates and not never_acked and integrity == "ok"
    ok = ok and len(rows) == len(acked_codes) == orders == audit
    print("  target lost 0, duplicates 0:", "MET" if ok else "NOT MET")
    if args.keep:
        print(f"  data dir kept: {data_dir}")
    else:
        shutil.rmtree(data_dir, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
