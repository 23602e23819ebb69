"""Intake of resident requests from every channel: photo checks, near-duplicate links,
idempotency keys, and the write that stores a request with its work order and photos."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

from qingzhuang.audit.services import audit_record, snapshot
from qingzhuang.core.errors import InvalidInput
from qingzhuang.org.models import OrgLevel, OrgUnit
from qingzhuang.service_requests import classify
from qingzhuang.service_requests.duty_rules import _clean, _township_of, duty_rule_for
from qingzhuang.service_requests.models import (
    Attachment,
    AttachmentKind,
    Channel,
    RequestType,
    ServiceRequest,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderState,
    hash_phone,
    new_tracking_code,
)
from qingzhuang.service_requests.phones import main_number, normalise_phone
from qingzhuang.service_requests.sla import sla_deadlines
from qingzhuang.service_requests.writer_lock import writer_lock

MAX_TEXT = 4000
MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 8 * 1024 * 1024
DUPLICATE_WINDOW_DAYS = 30
DUPLICATE_MIN_SCORE = 88.0
DUPLICATE_CANDIDATES = 30
# Fields never written to the audit log (the log is readable by evaluators).
PERSONAL_FIELDS = {"resident_name", "resident_phone", "resident_id_number"}
PUBLIC_AUDIT_FIELDS = [
    f.name
    for f in ServiceRequest._meta.concrete_fields
    if f.name not in PERSONAL_FIELDS and f.name != "id"
]


@dataclass
class Upload:
    """A file as received (name + bytes); content is sniffed, never trusted by its name."""

    name: str
    content: bytes


@dataclass
class SubmitResult:
    request: ServiceRequest
    created: bool
    warnings: list[str] = field(default_factory=list)


def sniff_photo(content: bytes) -> str | None:
    """The real image type from its first bytes, or None if it is not a photo we accept."""
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    if content[4:8] == b"ftyp" and content[8:12] in (b"heic", b"heix", b"mif1", b"heif"):
        return "image/heic"
    return None


EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/heic": "heic"}


def check_photos(uploads: list[Upload]) -> list[tuple[Upload, str]]:
    if len(uploads) > MAX_PHOTOS:
        raise InvalidInput(_("最多上传 %(max)s 张照片。") % {"max": MAX_PHOTOS})
    checked = []
    for up in uploads:
        if not up.content:
            raise InvalidInput(_("照片“%(name)s”是空文件，请重新选择。") % {"name": up.name})
        if len(up.content) > MAX_PHOTO_BYTES:
            raise InvalidInput(_("照片“%(name)s”超过 8MB，请压缩后再传。") % {"name": up.name})
        ctype = sniff_photo(up.content)
        if ctype is None:
            raise InvalidInput(
                _("“%(name)s”不是照片（只收 JPG、PNG、WEBP、HEIC），请重新选择。")
                % {"name": up.name}
            )
        checked.append((up, ctype))
    return checked


def _find_duplicate(
    *, unit: OrgUnit, text: str, now: dt.datetime, category: str = ""
) -> tuple[int | None, float]:
    """A recent request in the same place with nearly the same text (linked, not counted twice).

    Only the latest DUPLICATE_CANDIDATES in the same village (and category, when known) are
    compared, so the intake cost stays flat as history grows.
    """
    recent_qs = ServiceRequest.objects.filter(
        org_unit=unit,
        duplicate_of__isnull=True,
        created_at__gte=now - dt.timedelta(days=DUPLICATE_WINDOW_DAYS),
    )
    if category:
        recent_qs = recent_qs.filter(category=category)
    recent = list(
        recent_qs.order_by("-created_at").values_list("id", "text")[:DUPLICATE_CANDIDATES]
    )
    if not recent:
        return None, 0.0
    best = process.extractOne(
        text, dict(recent), scorer=fuzz.ratio, score_cutoff=DUPLICATE_MIN_SCORE
    )
    if best is None:
        return None, 0.0
    return int(best[2]), float(best[1]) / 100.0


def derive_idempotency_key(
    *, channel: str, client_key: str, unit: OrgUnit, text: str, phone: str, day: dt.date
) -> str:
    """Client keys are namespaced by channel; without one, the same text+phone+place+day is one request."""
    if client_key:
        return f"{channel}:{client_key.strip()[:80]}"
    raw = f"{unit.pk}|{phone.strip()}|{' '.join(text.split())}|{day.isoformat()}"
    return "auto:" + hashlib.sha256(raw.encode()).hexdigest()[:40]


def form_submission_key(
    *, token: str, unit: OrgUnit, request_type: str, text: str, attachment: bytes = b""
) -> str:
    """The idempotency key of a public-form submission: the form token plus what was written.

    A browser keeps one token while it shows the form (see `public_views.intake`), so the same
    report sent twice on the same day — a double tap, or Back and submit again — is one request,
    while a different report from the same phone is a new one. Without a token: "" (the content
    key of `derive_idempotency_key` applies).
    """
    token = (token or "").strip()[:40]
    if not token:
        return ""
    day = timezone.localdate().isoformat()
    content = f"{day}|{unit.pk}|{request_type}|{' '.join((text or '').split())}".encode()
    digest = hashlib.sha256(content + b"|" + hashlib.sha256(attachment).digest()).hexdigest()
    return f"{token}:{digest[:20]}"


def request_submit(
    *,
    org_unit: OrgUnit,
    request_type: str,
    text: str,
    channel: str,
    actor: Any,
    subject: str = "",
    location: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    resident_name: str = "",
    resident_phone: str = "",
    resident_id_number: str = "",
    idempotency_key: str = "",
    external_id: str = "",
    category: str = "",
    photos: list[Upload] | None = None,
    created_at: dt.datetime | None = None,
) -> SubmitResult:
    """Intake from any channel. Idempotent: a retry with the same key returns the first request.

    Kept lean for the public page: validation, the category suggestion and the near-duplicate
    search run before the write transaction; inside it only the inserts and the audit entry.
    """
    text = _clean(text, MAX_TEXT)
    if len(text) < 5:
        raise InvalidInput(_("请把问题写清楚一些（至少5个字）：什么地方、什么问题。"))
    if request_type not in RequestType.values:
        raise InvalidInput(_("请选择诉求类型：咨询、求助、投诉、举报、建议或表扬。"))
    if channel not in Channel.values:
        raise InvalidInput(_("渠道不正确。"))
    if org_unit is None or org_unit.level in (OrgLevel.COUNTY, OrgLevel.GRID):
        raise InvalidInput(_("请选择问题所在的村(社区)。"))
    phone = normalise_phone(_clean(resident_phone, 64))
    now = created_at or timezone.now()
    key = derive_idempotency_key(
        channel=channel,
        client_key=idempotency_key,
        unit=org_unit,
        text=text,
        phone=phone,
        day=timezone.localtime(now).date(),
    )
    # No look-up first: the unique idempotency key decides inside the transaction (one query
    # fewer for the 95% of submissions that are new; a retry costs one failed insert).
    checked_photos = check_photos(photos or [])
    suggestion = classify.suggest(subject, text)
    suggested, confidence = suggestion if suggestion else ("", None)
    final_category = _clean(category, 100) or suggested
    duplicate, similarity = _find_duplicate(
        unit=org_unit, text=text, now=now, category=final_category
    )
    request = ServiceRequest(
        tracking_code=new_tracking_code(),
        channel=channel,
        request_type=request_type,
        subject=_clean(subject, 200),
        text=text,
        category=final_category,
        suggested_category=suggested,
        category_confidence=confidence,
        category_overridden=bool(category and suggested and category != suggested),
        org_unit=org_unit,
        location=_clean(location, 200),
        latitude=latitude,
        longitude=longitude,
        resident_name=_clean(resident_name, 50),
        resident_phone=phone,
        resident_id_number=_clean(resident_id_number, 32),
        phone_hash=hash_phone(main_number(phone)),
        idempotency_key=key,
        external_id=_clean(external_id, 64),
        duplicate_of_id=duplicate,
        duplicate_similarity=similarity if duplicate else None,
        submitted_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=now,
    )
    with writer_lock():
        return _request_store(request=request, actor=actor, photos=checked_photos, now=now)


@transaction.atomic
def _request_store(
    *, request: ServiceRequest, actor: Any, photos: list[tuple[Upload, str]], now: dt.datetime
) -> SubmitResult:
    try:
        with transaction.atomic():
            request.save(force_insert=True)
    except IntegrityError:
        existing = ServiceRequest.objects.filter(idempotency_key=request.idempotency_key).first()
        if existing is not None:  # a concurrent retry won the race
            return SubmitResult(existing, False)
        request.tracking_code = new_tracking_code()
        request.save(force_insert=True)
    order = _open_work_order(request=request, actor=actor, now=now)
    for up, ctype in photos:
        _attach(request=request, upload=up, content_type=ctype)
    audit_record(
        actor=actor,
        action="service_requests.request.submit",
        target=request,
        after=snapshot(request, PUBLIC_AUDIT_FIELDS) | {"work_order": order.pk},
    )
    return SubmitResult(request, True)


def _open_work_order(*, request: ServiceRequest, actor: Any, now: dt.datetime) -> WorkOrder:
    response_due, resolution_due = sla_deadlines(request_type=request.request_type, start=now)
    rule = duty_rule_for(category=request.category, unit=request.org_unit)
    unit = request.org_unit
    note = "未匹配权责清单，待派单"
    order = WorkOrder(
        request=request,
        org_unit=unit,
        state=WorkOrderState.RECEIVED,
        response_due_at=response_due,
        resolution_due_at=resolution_due,
        created_at=now,
    )
    if rule is not None:
        if rule.referred_up:
            order.org_unit = _township_of(unit)
            order.referred_up = True
            order.referred_department = rule.department
            order.referral_reason = rule.reason
            note = f"权责清单：属{rule.department}事项（{rule.reason}），待转县级部门"
        else:
            order.org_unit = rule.lead_unit or unit
            order.lead_office = rule.lead_office
            note = f"权责清单：主办 {order.org_unit.name} {rule.lead_office}".strip()
    if request.duplicate_of_id:
        note += "；疑似重复诉求，已关联"
    order.save(force_insert=True)
    if rule is not None and not rule.referred_up:
        assisting = list(rule.assisting_units.all())  # prefetched
        if assisting:
            order.assisting_units.set(assisting)
    WorkOrderEvent.objects.create(
        order=order,
        action="submit",
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=str(actor)[:100],
        from_state="",
        to_state=order.state,
        note=note,
        at=now,
    )
    return order


def _attach(*, request: ServiceRequest, upload: Upload, content_type: str) -> Attachment:
    digest = hashlib.sha256(upload.content).hexdigest()
    att = Attachment(
        request=request,
        kind=AttachmentKind.PHOTO,
        content_type=content_type,
        size=len(upload.content),
        sha256=digest,
    )
    att.file.save(
        f"{request.tracking_code}-{digest[:8]}.{EXTENSIONS[content_type]}",
        ContentFile(upload.content),
        save=False,
    )
    att.save()
    return att
