"""`qz serve`: the web server.

One process (waitress, threads) is enough for a township; the public intake at peak load needs
more than one CPU core, so `--workers N` (default: the number of CPU cores, at most 4) runs N
processes with gunicorn's threaded workers where gunicorn is available (Linux/macOS). On
SQLite the intake queues its writers on a cross-process file lock (service_requests.writer_lock),
so several processes never spin on SQLite's busy timeout. Windows, or `--workers 1`, uses
waitress.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from django.core.management.base import CommandParser

from qingzhuang.core.management.base import QzCommand

MAX_DEFAULT_WORKERS = 4  # SQLite has one writer: beyond a few processes they only queue


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, MAX_DEFAULT_WORKERS))


def gunicorn_available() -> bool:
    try:
        import gunicorn.app.base  # noqa: F401
    except ImportError:  # not installed, or Windows (gunicorn needs fcntl)
        return False
    return True


# The app is CPU-bound under load and each process is GIL-bound: with gthread workers, idle
# keep-alive connections do not hold a thread, and a few threads per process gave the best tail
# latency in bench/intake_load.py (2 workers × 3 threads: 354–368 req/s, p99 265 ms on 2 cores;
# × 16 threads: 305 req/s, p99 345 ms). One waitress process keeps more threads because a slow
# upload or report there would otherwise hold up everyone.
GUNICORN_THREADS = 3
WAITRESS_THREADS = 8


def serve_gunicorn(application: Any, *, host: str, port: int, workers: int, threads: int) -> None:
    """Run gunicorn in-process with gthread workers (forked after Django is set up)."""
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "backlog": 1024,
        "keepalive": 5,
        # gthread workers heartbeat from their main loop, so long exports are not killed.
        "timeout": 120,
        "graceful_timeout": 20,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "qingzhuang",
    }

    class _App(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return application

    # No database connection may cross the fork: every worker opens its own.
    connections.close_all()
    _App().run()


def warm_up() -> None:
    """Load what the first request would otherwise wait for (the category model, jieba)."""
    try:
        from qingzhuang.service_requests.classify import warm_up as classify_warm_up
    except ImportError:
        return
    classify_warm_up()


class Command(QzCommand):
    help = (
        "启动网站：在本机 127.0.0.1:8000 提供服务；--workers 设置进程数 "
        "(serve with gunicorn workers, or waitress)"
    )
    json_option = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers",
            type=int,
            default=default_workers(),
            help=f"进程数（默认 CPU 核数，最多 {MAX_DEFAULT_WORKERS}；1 = 单进程 waitress）",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=None,
            help=f"每个进程的线程数（默认：多进程时 {GUNICORN_THREADS}，单进程时 {WAITRESS_THREADS}）",
        )

    def run(self, *args: Any, **options: Any) -> Any:
        from config.wsgi import application

        # waitress warns "Task queue depth is N" on every burst: expected under load, not news.
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        host, port = options["host"], options["port"]
        workers = max(1, options["workers"])
        use_gunicorn = workers > 1 and gunicorn_available()
        default_threads = GUNICORN_THREADS if use_gunicorn else WAITRESS_THREADS
        threads = max(1, options["threads"] or default_threads)
        warm_up()  # before forking: the workers inherit the loaded model
        url = f"http://{host}:{port}/"
        mode = f"{workers} 个进程 × {threads} 线程" if use_gunicorn else f"单进程 × {threads} 线程"
        self.stdout.write(f"轻装已启动：{url}  （{mode}；按 Ctrl+C 停止）")
        self.stdout.flush()
        if use_gunicorn:
            serve_gunicorn(application, host=host, port=port, workers=workers, threads=threads)
            return None
        from waitress import serve

        serve(
            application,
            host=host,
            port=port,
            threads=threads,
            connection_limit=500,
            backlog=1024,
            ident="qingzhuang",
        )
        return None
