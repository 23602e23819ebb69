"""The SQLite writer queue: one writer at a time, in this process and across server processes.

Intake and voice intake hold it around their write transactions; on PostgreSQL it does nothing.
"""

from __future__ import annotations

import contextlib
import os
import threading
from typing import Any

from django.db import connection

try:
    import fcntl
except ImportError:  # Windows: one server process, the thread lock is enough
    fcntl = None  # type: ignore[assignment]


class SQLiteWriterLock:
    """Queue SQLite writers: one at a time in this process *and* across server processes.

    SQLite allows one writer; with many server threads its busy-wait backs off in sleeps of up
    to 100 ms, which wrecks the intake p99. Threads of one process queue on an RLock
    (re-entrant, so an import can call request_submit inside its own transaction); processes
    (`qz serve --workers N`) queue on fcntl.flock of a lock file under QZ_DATA_DIR. The kernel
    drops a flock when its process dies (even on SIGKILL), so a killed worker never wedges the
    others. Where fcntl is missing (Windows) or the file cannot be opened, only the thread lock
    is used (one server process there).
    """

    def __init__(self, filename: str = "sqlite-writer.lock") -> None:
        self.filename = filename
        self._thread_lock = threading.RLock()
        self._local = threading.local()
        self._fd: int | None = None
        self._fd_pid = 0

    def _file(self) -> int | None:
        if fcntl is None:
            return None
        # Opened per process: a descriptor inherited over fork() shares its lock with the parent.
        if self._fd is None or self._fd_pid != os.getpid():
            from config import env

            try:
                env.DATA_DIR.mkdir(parents=True, exist_ok=True)
                self._fd = os.open(env.DATA_DIR / self.filename, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:
                return None
            self._fd_pid = os.getpid()
        return self._fd

    def __enter__(self) -> SQLiteWriterLock:
        self._thread_lock.acquire()
        depth = getattr(self._local, "depth", 0)
        if depth == 0:
            fd = self._file()
            if fd is not None and fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                except OSError:
                    fd = None
            self._local.locked_fd = fd
        self._local.depth = depth + 1
        return self

    def __exit__(self, *exc: object) -> None:
        self._local.depth -= 1
        try:
            if self._local.depth == 0 and self._local.locked_fd is not None and fcntl is not None:
                fcntl.flock(self._local.locked_fd, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()


_sqlite_writer = SQLiteWriterLock()


def writer_lock() -> Any:
    """The SQLite writer queue; PostgreSQL handles concurrent writers itself."""
    return _sqlite_writer if connection.vendor == "sqlite" else contextlib.nullcontext()
