"""Writes for resident requests: intake (idempotent), attachments, duty list, recategorising.

Work-order transitions and callbacks live in ``workflow.py`` and are re-exported here so every
caller imports its writes from one module.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

from qingzhuang.audit.services import audit_record, snapshot
from qingzhuang.core.errors import Conflict, InvalidInput
from qingzhuang.org.models import Department, OrgLevel, OrgUnit
from qingzhuang.org.roles import require
from qingzhuang.org.scope import scope_for
from qingzhuang.service_requests import classify
from qingzhuang.service_requests.models import (
    Attachment,
    AttachmentKind,
    Channel,
    DutyRule,
    RequestType,
    ServiceRequest,
    SlaPolicy,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderState,
    hash_phone,
    new_tracking_code,
)
from qingzhuang.service_requests.phones import main_number, normalise_phone

# Re-exported: callers import every write from services.
from qingzhuang.service_requests.workflow import (
    TRANSITIONS as TRANSITIONS,
)
from qingzhuang.service_requests.workflow import (
    callback_answer as callback_answer,
)
from qingzhuang.service_requests.workflow import (
    callback_issue_link as callback_issue_link,
)
from qingzhuang.service_requests.workflow import (
    callback_record_phone as callback_record_phone,
)
from qingzhuang.service_requests.workflow import (
    event_add as event_add,
)
from qingzhuang.service_requests.workflow import (
    request_mark_unreasonable as request_mark_unreasonable,
)
from qingzhuang.service_requests.workflow import (
    request_unreasonable_review as request_unreasonable_review,
)
from qingzhuang.service_requests.workflow import (
    sla_deadlines as sla_deadlines,
)
from qingzhuang.service_requests.workflow import (
    sla_scan as sla_scan,
)
from qingzhuang.service_requests.workflow import (
    work_order_accept as work_order_accept,
)
from qingzhuang.service_requests.workflow import (
    work_order_close as work_order_close,
)
from qingzhuang.service_requests.workflow import (
    work_order_dispatch as work_order_dispatch,
)
from qingzhuang.service_requests.workflow import (
    work_order_escalate as work_order_escalate,
)
from qingzhuang.service_requests.workflow import (
    work_order_merge as work_order_merge,
)
from qingzhuang.service_requests.workflow import (
    work_order_refer as work_order_refer,
)
from qingzhuang.service_requests.workflow import (
    work_order_reopen as work_order_reopen,
)
from qingzhuang.service_requests.workflow import (
    work_order_resolve as work_order_resolve,
)
from qingzhuang.service_requests.workflow import (
    work_order_return as work_order_return,
)
from qingzhuang.service_requests.workflow import (
    work_order_start as work_order_start,
)

try:
    import fcntl
except ImportError:  # Windows: one server process, the thread lock is enough
    fcntl = None  # type: ignore[assignment]

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


def _ancestor_paths(unit: OrgUnit) -> list[str]:
    parts = [p for p in unit.path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


_rules_cache: dict[str, Any] = {"at": -1e9, "by_category": {}}
RULES_TTL = 30.0


def _active_rules() -> dict[str, list[DutyRule]]:
    """Active rules by category, cached per process for RULES_TTL seconds (intake is hot)."""
    now = time.monotonic()
    if now - _rules_cache["at"] > RULES_TTL:
        by_category: dict[str, list[DutyRule]] = {}
        for rule in (
            DutyRule.objects.filter(is_active=True)
            .select_related("area", "lead_unit", "department")
            .prefetch_related("assisting_units")
        ):
            by_category.setdefault(rule.category, []).append(rule)
        _rules_cache.update(at=now, by_category=by_category)
    return _rules_cache["by_category"]  # type: ignore[no-any-return]


def rules_cache_clear() -> None:
    _rules_cache["at"] = -1e9


def duty_rule_for(*, category: str, unit: OrgUnit) -> DutyRule | None:
    """The most specific active duty rule for the category at this place (area rule first)."""
    if not category:
        return None
    paths = set(_ancestor_paths(unit))
    rules = [r for r in _active_rules().get(category, []) if r.area is None or r.area.path in paths]
    if not rules:
        return None
    return max(rules, key=lambda r: r.area.depth + 1 if r.area else 0)


def _township_of(unit: OrgUnit) -> OrgUnit:
    if unit.level == OrgLevel.TOWNSHIP:
        return unit
    found = (
        OrgUnit.objects.filter(path__in=_ancestor_paths(unit), level=OrgLevel.TOWNSHIP)
        .order_by("-depth")
        .first()
    )
    return found or unit


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


def _clean(value: str, limit: int) -> str:
    return (value or "").strip()[:limit]


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


def _writer_lock() -> Any:
    """The SQLite writer queue; PostgreSQL handles concurrent writers itself."""
    return _sqlite_writer if connection.vendor == "sqlite" else contextlib.nullcontext()


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
    with _writer_lock():
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


@transaction.atomic
def request_recategorise(
    *, request: ServiceRequest, category: str, acting_user: Any
) -> ServiceRequest:
    """Staff override of the suggested category; overrides feed the next `qz requests retrain`.

    Only a known category (see `selectors.known_categories`) may be chosen: a typed variant
    would start a category of its own and split hotspots and metrics.
    """
    from qingzhuang.service_requests.selectors import known_categories  # noqa: PLC0415

    require(acting_user, "requests.dispatch")
    scope_for(acting_user).require(request.org_unit)
    category = _clean(category, 100)
    if not category:
        raise InvalidInput(_("请选择分类。"))
    if category != request.category and category not in known_categories():
        raise InvalidInput(
            _("没有“%(category)s”这个分类，请从列表中选择。需要新分类的，请先在权责清单中添加。")
            % {"category": category}
        )
    before = snapshot(request, ["category", "category_overridden"])
    request.category = category
    request.category_overridden = category != request.suggested_category
    request.save(update_fields=["category", "category_overridden"])
    order = WorkOrder.objects.filter(request=request).first()
    if order is not None:
        event_add(
            order=order,
            action="recategorise",
            actor=acting_user,
            from_state=order.state,
            note=f"分类改为“{category}”",
        )
    audit_record(
        actor=acting_user,
        action="service_requests.request.recategorise",
        target=request,
        before=before,
        after=snapshot(request, ["category", "category_overridden"]),
    )
    return request


# ---- duty list (权责清单) -----------------------------------------------------------------

# A new category's name: what a township would call a kind of problem, nothing else (no markup).
CATEGORY_NAME = re.compile(r"[\u3400-\u9fffA-Za-z0-9·、/（）()\-]{2,20}")


def _check_category(category: str, *, new_category: bool) -> None:
    from qingzhuang.service_requests.selectors import known_categories  # noqa: PLC0415

    if category in known_categories():
        return
    if not new_category:
        raise InvalidInput(
            _("没有“%(category)s”这个分类。请从列表中选择；确实要新增分类的，请填在“新分类”一栏。")
            % {"category": category}
        )
    if not CATEGORY_NAME.fullmatch(category):
        raise InvalidInput(_("新分类的名称要 2 到 20 个字，只能用汉字、字母和数字。"))


def _rule_summary(rule: DutyRule) -> str:
    if rule.referred_up:
        text = _("上报%(department)s") % {"department": rule.department}
    else:
        lead = rule.lead_unit.name if rule.lead_unit else _("问题所在村(社区)")
        text = f"{_('主办')} {lead} {rule.lead_office}".strip()
    if rule.reason:
        text += _("，依据：%(reason)s") % {"reason": rule.reason}
    return text


@transaction.atomic
def duty_rule_save(
    *,
    acting_user: Any,
    category: str,
    area: OrgUnit | None = None,
    lead_unit: OrgUnit | None = None,
    lead_office: str = "",
    assisting_units: list[OrgUnit] | None = None,
    referred_up: bool = False,
    department: Department | None = None,
    reason: str = "",
    is_active: bool = True,
    new_category: bool = False,
    replace: bool = False,
) -> DutyRule:
    """Create the rule for (category, area), or replace the existing one when `replace` says so.

    The category must be a known one unless `new_category` declares a new one, so a typo never
    starts a category of its own. Replacing a rule is never silent: without `replace` it is
    refused with the current rule in the message, and a replacement that leaves 依据 empty keeps
    the old one (a referral's legal basis must not vanish by an oversight).
    """
    if not isinstance(acting_user, str):
        require(acting_user, "requests.dispatch")
    category = _clean(category, 100)
    if not category:
        raise InvalidInput(_("请选择分类。"))
    _check_category(category, new_category=new_category)
    rule = DutyRule.objects.select_for_update().filter(category=category, area=area).first()
    if rule is not None and not replace:
        raise Conflict(
            _(
                "“%(category)s”（%(area)s）已有规则：%(rule)s。确认替换请勾选“已有规则，确认替换”后再保存。"
            )
            % {
                "category": category,
                "area": area.name if area else _("全镇"),
                "rule": _rule_summary(rule),
            }
        )
    reason = _clean(reason, 300) or (rule.reason if rule else "")
    if referred_up and (department is None or not reason):
        raise InvalidInput(_("属县级部门事项的，必须选择县级部门并写明依据。"))
    before = snapshot(rule) if rule else None
    rule = rule or DutyRule(category=category, area=area)
    rule.lead_unit = None if referred_up else lead_unit
    rule.lead_office = _clean(lead_office, 100)
    rule.referred_up = referred_up
    rule.department = department if referred_up else None
    rule.reason = reason
    rule.is_active = is_active
    rule.save()
    rule.assisting_units.set(assisting_units or [])
    transaction.on_commit(rules_cache_clear)
    rules_cache_clear()
    audit_record(
        actor=acting_user,
        action="service_requests.duty_rule.save",
        target=rule,
        before=before,
        after=snapshot(rule),
    )
    return rule


@transaction.atomic
def duty_rule_delete(*, rule: DutyRule, acting_user: Any) -> None:
    require(acting_user, "requests.dispatch")
    before = snapshot(rule)
    audit_record(
        actor=acting_user, action="service_requests.duty_rule.delete", target=rule, before=before
    )
    rule.delete()
    rules_cache_clear()


SLA_MAX_DAYS = 120  # longer than any legal processing limit for a resident request


@transaction.atomic
def sla_policy_save(
    *,
    acting_user: Any,
    request_type: str,
    response_days: int,
    resolution_days: int,
    remind_before_days: int,
) -> SlaPolicy:
    """Set the working-day limits of one request type. New work orders use them; orders already
    open keep the deadlines they were given (a resident was told them)."""
    from qingzhuang.service_requests.workflow import sla_cache_clear  # noqa: PLC0415

    require(acting_user, "requests.dispatch")
    if request_type not in RequestType.values:
        raise InvalidInput(_("没有“%(type)s”这种诉求类型。") % {"type": request_type})
    if not 1 <= response_days <= SLA_MAX_DAYS or not 1 <= resolution_days <= SLA_MAX_DAYS:
        raise InvalidInput(
            _("响应和办结时限要在 1 到 %(max)s 个工作日之间。") % {"max": SLA_MAX_DAYS}
        )
    if resolution_days < response_days:
        raise InvalidInput(_("办结时限不能短于响应时限。"))
    if not 0 <= remind_before_days < resolution_days:
        raise InvalidInput(_("提前提醒的天数要小于办结时限（0 表示到期当天才提醒）。"))
    policy = SlaPolicy.objects.select_for_update().filter(request_type=request_type).first()
    before = snapshot(policy) if policy else None
    policy = policy or SlaPolicy(request_type=request_type)
    policy.response_days = response_days
    policy.resolution_days = resolution_days
    policy.remind_before_days = remind_before_days
    policy.save()
    sla_cache_clear()  # this process at once, and again after commit (another thread may reload)
    transaction.on_commit(sla_cache_clear)
    audit_record(
        actor=acting_user,
        action="service_requests.sla_policy.save",
        target=policy,
        before=before,
        after=snapshot(policy),
    )
    return policy
