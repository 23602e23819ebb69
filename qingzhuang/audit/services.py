"""Writing and verifying the audit chain."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from qingzhuang.audit.models import AuditEntry, AuditHead

GENESIS = "0" * 64


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return str(value)


def _normalise(data: Any) -> Any:
    """Round-trip through JSON so the hash sees exactly what the database stores."""
    if data is None:
        return None
    return json.loads(json.dumps(data, default=_default, ensure_ascii=False))


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """A JSON-able dict of an object's concrete fields (FKs by id)."""
    out: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in {"password", "key_hash"}:
            continue
        out[field.attname] = getattr(obj, field.attname)
    return _normalise(out)  # type: ignore[no-any-return]


def _entry_hash(entry: AuditEntry) -> str:
    payload = {
        "created_at": entry.created_at.isoformat(),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "org_path": entry.org_path,
        "before": entry.before,
        "after": entry.after,
        "prev_hash": entry.prev_hash,
    }
    raw = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    org_path: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the chain inside the caller's transaction.

    Must be called from within the service's atomic block so the entry and the change
    commit or roll back together.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the service's transaction")
    if target is not None:
        object_type = object_type or target._meta.label
        object_id = object_id or str(target.pk)
        object_repr = object_repr or str(target)[:200]
        unit = getattr(target, "org_unit", None)
        if not org_path and unit is not None:
            org_path = unit.path
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
    entry = AuditEntry(
        created_at=timezone.now(),
        actor=actor if is_user else None,
        actor_label=(str(actor.username) if is_user else str(actor or "system"))[:150],
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        org_path=org_path,
        before=_normalise(before),
        after=_normalise(after),
        prev_hash=head.last_hash,
    )
    entry.entry_hash = _entry_hash(entry)
    entry.save()
    head.last_id = entry.pk
    head.last_hash = entry.entry_hash
    head.count += 1
    head.save(update_fields=["last_id", "last_hash", "count"])
    return entry


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    problem: str = ""


def audit_verify(*, batch_size: int = 5000) -> VerifyResult:
    """Walk the chain in id order; report the first entry whose hash or link does not hold.

    The problem is worded in the active language: it is shown at once (page, CLI), never stored.
    """
    prev_hash = GENESIS
    checked = 0
    last_id = 0
    qs = AuditEntry.objects.order_by("id")
    for entry in qs.iterator(chunk_size=batch_size):
        if entry.prev_hash != prev_hash:
            problem = gettext("第 %(id)s 条记录之前的记录被删除或改动（链接断开）")
            return VerifyResult(False, checked, entry.pk, problem % {"id": entry.pk})
        if _entry_hash(entry) != entry.entry_hash:
            problem = gettext("第 %(id)s 条记录的内容被改动")
            return VerifyResult(False, checked, entry.pk, problem % {"id": entry.pk})
        prev_hash = entry.entry_hash
        last_id = entry.pk
        checked += 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash != prev_hash or head.count != checked):
        problem = ngettext(
            "链尾记录（第 %(last)s 条）缺失或记录数不符：应有 %(expected)s 条，实有 %(found)s 条",
            "链尾记录（第 %(last)s 条）缺失或记录数不符：应有 %(expected)s 条，实有 %(found)s 条",
            head.count,
        ) % {"last": head.last_id, "expected": head.count, "found": checked}
        return VerifyResult(False, checked, head.last_id or last_id, problem)
    return VerifyResult(True, checked)
