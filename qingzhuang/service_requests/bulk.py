"""Fast bulk loading of generated rows (demo/bench), SQLite and PostgreSQL.

Django's bulk_create is capped at ~999 bound variables per statement on SQLite and compiles
every value through the field machinery; a million requests would take many minutes. Here:

- `Table(model, columns)`: the caller supplies plain tuples for `columns` (in that order); every
  other concrete column gets its default, appended once per row. SQLite: one prepared INSERT and
  the raw sqlite3 cursor's `executemany`. PostgreSQL: `COPY ... FROM STDIN` (psycopg 3 `copy`).
  Datetimes must be pre-formatted with `Table.dt()` (naive UTC text; "+00:00" on PostgreSQL).
- `bulk_load(models, rows_expected)`: on SQLite, for the duration of a load, turns off FK
  checks and fsync, enlarges the page cache and — for large loads — drops the non-unique
  secondary indexes Django defines for the models and recreates them at the end (building an
  index once is several times cheaper than maintaining it row by row). The indexes are derived
  from the models, so `ensure_indexes()` (called at the start of every load and by the demo seed)
  repairs a database whose load was interrupted before the indexes were rebuilt.

Callers commit per batch (the tables stay consistent at every commit: each request has its
work order in the same batch); see `service_requests.demo.generate` for the resumable top-up.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, models

_INDEX_NAME = re.compile(r'CREATE INDEX "?([^"\s]+)"?')


class Table:
    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        self.model = model
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = set(columns) - set(fields)
        if unknown:
            raise ValueError(f"{model.__name__}: unknown columns {sorted(unknown)}")
        rest: list[str] = []
        consts: list[Any] = []
        for name, f in fields.items():
            if name in columns:
                continue
            if f.has_default():
                value = f.get_default()
            elif f.null:
                value = None
            elif isinstance(f, models.CharField | models.TextField):
                value = ""
            else:
                raise ValueError(f"{model.__name__}.{name}: required column without a value")
            rest.append(name)
            consts.append(value)
        self.const = tuple(consts)
        self.columns = [*columns, *rest]
        self.vendor = connection.vendor
        q = connection.ops.quote_name
        self.table = q(model._meta.db_table)
        cols = ", ".join(q(str(fields[c].column)) for c in self.columns)
        # names come from model metadata, values are bound parameters / COPY data
        self.insert_sql = (
            f"INSERT INTO {self.table} ({cols}) VALUES ({', '.join('?' * len(self.columns))})"  # noqa: S608
        )
        self.copy_sql = f"COPY {self.table} ({cols}) FROM STDIN"
        self.rows = 0

    @staticmethod
    def dt_formatter() -> Callable[[dt.datetime], str]:
        """Formats a naive UTC datetime the way the backend stores/parses it."""
        if connection.vendor == "postgresql":
            return lambda d: d.isoformat(" ") + "+00:00"
        return lambda d: d.isoformat(" ")

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        """Insert rows (tuples of the declared columns) inside the caller's transaction."""
        if not rows:
            return
        const = self.const
        connection.ensure_connection()
        raw = connection.connection
        if self.vendor == "sqlite":
            cur = raw.cursor()
            try:
                cur.executemany(self.insert_sql, [r + const for r in rows])
            finally:
                cur.close()
        elif self.vendor == "postgresql":
            with raw.cursor() as cur, cur.copy(self.copy_sql) as copy:
                for r in rows:
                    copy.write_row(r + const)
        else:  # pragma: no cover - other backends: the portable (slower) path
            with connection.cursor() as c:
                c.executemany(self.insert_sql.replace("?", "%s"), [r + const for r in rows])
        self.rows += len(rows)

    def next_id(self) -> int:
        with connection.cursor() as cur:
            cur.execute(f"SELECT MAX(id) FROM {self.table}")  # noqa: S608
            found = cur.fetchone()
        return int(found[0] or 0) + 1

    def reset_sequence(self) -> None:
        """PostgreSQL: move the id sequence past the explicit ids (SQLite does it itself)."""
        if self.vendor != "postgresql":
            return
        from django.core.management.color import no_style

        with connection.cursor() as cur:
            for sql in connection.ops.sequence_reset_sql(no_style(), [self.model]):
                cur.execute(sql)


def _secondary_indexes(model_list: Sequence[type[models.Model]]) -> list[tuple[str, str]]:
    """(name, CREATE INDEX sql) of the non-unique indexes Django defines for the models."""
    editor: Any = connection.SchemaEditorClass(connection)
    out = []
    for model in model_list:
        for stmt in editor._model_indexes_sql(model):
            sql = str(stmt)
            m = _INDEX_NAME.match(sql)
            if m:
                out.append((m.group(1), sql))
    return out


def _existing_indexes() -> set[str]:
    with connection.cursor() as cur:
        cur.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        return {r[0] for r in cur.fetchall()}


def ensure_indexes(model_list: Sequence[type[models.Model]]) -> list[str]:
    """SQLite: recreate any model index missing (a bulk load interrupted before rebuilding)."""
    if connection.vendor != "sqlite":
        return []
    have = _existing_indexes()
    made = []
    with connection.cursor() as cur:
        for name, sql in _secondary_indexes(model_list):
            if name not in have:
                cur.execute(sql)
                made.append(name)
    return made


@contextmanager
def bulk_load(model_list: Sequence[type[models.Model]], *, drop_indexes: bool) -> Iterator[None]:
    """Session settings for a bulk load (SQLite); enter it outside a transaction.

    PostgreSQL: nothing to set, but the planner statistics are refreshed after the load (ANALYZE)
    — right after a large COPY they describe the empty tables and plans go badly wrong."""
    if connection.vendor != "sqlite":
        yield
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                for model in model_list:
                    cur.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        return
    ensure_indexes(model_list)
    dropped: list[tuple[str, str]] = []
    # inside a caller's transaction (tests) the safety pragmas cannot change: load without them
    session = not connection.in_atomic_block
    with connection.cursor() as cur:
        if session:
            # FK values are generated from existing rows; fsync per commit buys nothing here
            # (an interrupted load is finished by re-running it).
            cur.execute("PRAGMA foreign_keys=OFF")
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("PRAGMA temp_store=MEMORY")  # index builds sort in memory
        cur.execute("PRAGMA cache_size=-262144")  # 256 MB: the unique indexes stay in memory
        if drop_indexes:
            for name, sql in _secondary_indexes(model_list):
                cur.execute(f'DROP INDEX IF EXISTS "{name}"')
                dropped.append((name, sql))
    try:
        yield
    finally:
        with connection.cursor() as cur:
            for _name, sql in dropped:
                cur.execute(sql)
            if session:
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.execute("PRAGMA foreign_keys=ON")
                cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
