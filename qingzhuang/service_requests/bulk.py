"""Fast multi-row inserts for generated data (demo/bench): executemany with explicit ids.

Django's bulk_create on SQLite is capped at ~999 bound variables per statement (about 40 rows
of a wide table) and compiles each value through the field machinery; a million rows would take
many minutes. Here each table gets one prepared statement and plain lists. Ids are assigned
from MAX(id)+1 inside the caller's write transaction; on PostgreSQL the sequence is reset after.
Datetimes are passed as naive UTC and formatted once here.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, models
from django.db.models.fields import NOT_PROVIDED


class FastInserter:
    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        fields = list(model._meta.concrete_fields)
        self.index = {f.attname: i for i, f in enumerate(fields)}
        self.template: list[Any] = []
        for f in fields:
            if f.has_default():
                self.template.append(f.get_default())
            elif f.null:
                self.template.append(None)
            elif isinstance(f, models.CharField | models.TextField):
                self.template.append("")
            else:
                self.template.append(NOT_PROVIDED)
        self.dt_names = {f.attname for f in fields if isinstance(f, models.DateTimeField)}
        self.suffix = "+00:00" if connection.vendor == "postgresql" else ""
        table = connection.ops.quote_name(model._meta.db_table)
        cols = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        # names come from model metadata, values are bound parameters
        self.sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"  # noqa: S608

    def row(self, **values: Any) -> list[Any]:
        """A full row: template defaults overridden by attname=value (datetimes naive UTC)."""
        out = self.template.copy()
        index, dt_names, suffix = self.index, self.dt_names, self.suffix
        for name, value in values.items():
            if name in dt_names and value is not None:
                value = value.isoformat(" ") + suffix
            out[index[name]] = value
        return out

    def next_id(self) -> int:
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT MAX(id) FROM {connection.ops.quote_name(self.model._meta.db_table)}"  # noqa: S608
            )
            found = cur.fetchone()
        return int(found[0] or 0) + 1

    def insert(self, rows: list[list[Any]]) -> None:
        if rows and NOT_PROVIDED in rows[0]:
            raise ValueError(f"{self.model.__name__}: a required column has no value")
        with connection.cursor() as cur:
            if connection.vendor == "sqlite":
                # random-keyed unique indexes (tracking codes) need more than the 2 MB default cache
                cur.execute("PRAGMA cache_size=-262144")
            cur.executemany(self.sql, rows)

    def finish(self) -> None:
        """PostgreSQL: move the id sequence past the explicit ids."""
        if connection.vendor != "postgresql":
            return
        from django.core.management.color import no_style

        with connection.cursor() as cur:
            for sql in connection.ops.sequence_reset_sql(no_style(), [self.model]):
                cur.execute(sql)
