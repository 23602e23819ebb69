"""Resident requests (接诉即办): requests, work orders, timeline, callbacks, duty list, SLA table.

Fields other capabilities (evaluation, dashboards) rely on — keep them stable:

ServiceRequest
    tracking_code (8 chars, public), channel (Channel), request_type (RequestType),
    category (final category: suggested unless overridden), suggested_category,
    category_confidence, category_overridden, org_unit (FK OrgUnit: village/community where the
    problem is; township when unknown), created_at, duplicate_of (FK self: a request linked as a
    (near-)duplicate of an earlier one — count only requests with duplicate_of IS NULL),
    phone_hash (sha256 of the normalised phone, "" if none).
WorkOrder (one per request, ``request.work_order``)
    org_unit (responsible lead unit; scoping field), state (WorkOrderState), created_at,
    dispatched_at, accepted_at (= responded), started_at, resolved_at, closed_at,
    response_due_at, resolution_due_at, overdue_response, overdue_resolution,
    reopen_count, returned_count, escalated, escalation_count, referred_up,
    referred_department, merged_into (state MERGED: not counted twice),
    unreasonable_status (UnreasonableStatus) — APPROVED orders are excluded from unit scores and
    must be shown as excluded.
Callback (many per order; the latest answered one counts)
    order, channel (link/phone), resolved (Resolution), satisfaction (Satisfaction),
    comment, answered_at, phone_hash, created_at.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# No 0/O, 1/I/L: a resident reads the code over the phone.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_LENGTH = 8


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


def hash_phone(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    if not digits:
        return ""
    return hashlib.sha256(f"qz-phone:{digits[-11:]}".encode()).hexdigest()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Channel(models.TextChoices):
    WEB = "web", _("网页/扫码")
    PHONE = "phone", _("电话")
    WALK_IN = "walk_in", _("来访")
    HOTLINE_12345 = "hotline_12345", _("12345热线")
    API = "api", _("接口")
    OPEN311 = "open311", _("Open311")
    WECHAT = "wechat", _("微信")


class RequestType(models.TextChoices):
    CONSULT = "consult", _("咨询")
    HELP = "help", _("求助")
    COMPLAINT = "complaint", _("投诉")
    REPORT = "report", _("举报")
    SUGGESTION = "suggestion", _("建议")
    PRAISE = "praise", _("表扬")


class ServiceRequestQuerySet(models.QuerySet["ServiceRequest"]):
    def counted(self) -> ServiceRequestQuerySet:
        """Requests that count once: duplicates are linked to their original instead."""
        return self.filter(duplicate_of__isnull=True)


class ServiceRequest(models.Model):
    tracking_code = models.CharField(_("查询码"), max_length=16, unique=True)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    request_type = models.CharField(_("类型"), max_length=16, choices=RequestType.choices)
    subject = models.CharField(_("标题"), max_length=200, blank=True)
    text = models.TextField(_("诉求内容"))
    category = models.CharField(_("分类"), max_length=100, blank=True)
    suggested_category = models.CharField(_("建议分类"), max_length=100, blank=True)
    category_confidence = models.FloatField(_("分类置信度"), null=True, blank=True)
    category_overridden = models.BooleanField(_("人工改过分类"), default=False)
    org_unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("问题所在村(社区)"),
        on_delete=models.PROTECT,
        related_name="service_requests",
        db_index=False,  # covered by the (org_unit, category, created_at) index
    )
    location = models.CharField(_("具体位置"), max_length=200, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    # Personal data: shown only with capability personal_data.view, never on public pages.
    resident_name = models.CharField(_("姓名"), max_length=50, blank=True)
    resident_phone = models.CharField(_("电话"), max_length=32, blank=True)
    resident_id_number = models.CharField(_("身份证号"), max_length=32, blank=True)
    phone_hash = models.CharField(max_length=64, blank=True)
    idempotency_key = models.CharField(max_length=100, unique=True)
    external_id = models.CharField(_("外部编号"), max_length=64, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("重复于"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )
    duplicate_similarity = models.FloatField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(_("提交时间"), db_index=True)

    objects = ServiceRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        indexes = [
            models.Index(fields=["org_unit", "category", "created_at"]),
            # the same resident reporting again (gaming signal "solved, then reported again")
            models.Index(fields=["phone_hash", "created_at"]),
            # praise (a few percent of requests): hotspots subtract it without reading every row
            models.Index(
                fields=["created_at", "org_unit", "category"],
                condition=Q(request_type="praise"),
                name="sr_praise_created_unit_cat",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=[c.value for c in Channel]), name="sr_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(request_type__in=[c.value for c in RequestType]),
                name="sr_request_type_valid",
            ),
            models.CheckConstraint(condition=~Q(text=""), name="sr_text_not_empty"),
            models.CheckConstraint(
                condition=Q(category_confidence__isnull=True)
                | Q(category_confidence__gte=0, category_confidence__lte=1),
                name="sr_confidence_0_1",
            ),
            models.CheckConstraint(
                condition=~Q(duplicate_of=models.F("id")), name="sr_not_duplicate_of_self"
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def title(self) -> str:
        return self.subject or self.text[:30]

    def masked_phone(self) -> str:
        p = self.resident_phone
        return (p[:3] + "****" + p[-4:]) if len(p) >= 7 else ("****" if p else "")

    def masked_name(self) -> str:
        return (self.resident_name[:1] + "**") if self.resident_name else ""


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("照片")
    VOICE = "voice", _("语音")


class Attachment(models.Model):
    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(max_length=8, choices=AttachmentKind.choices)
    file = models.FileField(upload_to="requests/%Y/%m/")
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    # Voice messages: the length the container states (None when the recorder wrote none) and
    # the summary a staff member typed after listening (no automatic transcription).
    duration_seconds = models.FloatField(_("时长(秒)"), null=True, blank=True)
    summary = models.TextField(_("语音摘要"), blank=True)
    summary_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    summary_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[c.value for c in AttachmentKind]),
                name="attachment_kind_valid",
            ),
            models.CheckConstraint(condition=Q(size__gt=0), name="attachment_size_positive"),
            models.CheckConstraint(
                condition=Q(duration_seconds__isnull=True) | Q(duration_seconds__gte=0),
                name="attachment_duration_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(kind="voice") | (Q(summary="") & Q(duration_seconds__isnull=True)),
                name="attachment_summary_only_for_voice",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.size} B"


class DutyRule(models.Model):
    """One line of the 权责清单: category × area → lead unit (+ assisting units) or refer up.

    area NULL = everywhere; lead_unit NULL = the village/community where the problem is.
    The most specific active rule wins (area rule before everywhere rule).
    """

    category = models.CharField(_("分类"), max_length=100)
    area = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("适用区域"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    lead_unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("主办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lead_office = models.CharField(_("主办站所/科室"), max_length=100, blank=True)
    assisting_units = models.ManyToManyField(
        "org.OrgUnit", verbose_name=_("协办单位"), blank=True, related_name="+"
    )
    referred_up = models.BooleanField(_("上报县级部门"), default=False)
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("县级部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("依据/理由"), max_length=300, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category", "id"]
        verbose_name = _("权责清单")
        verbose_name_plural = _("权责清单")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "area"],
                condition=Q(area__isnull=False),
                name="dutyrule_unique_category_area",
            ),
            models.UniqueConstraint(
                fields=["category"],
                condition=Q(area__isnull=True),
                name="dutyrule_unique_category_everywhere",
            ),
            models.CheckConstraint(
                condition=Q(referred_up=False) | (Q(department__isnull=False) & ~Q(reason="")),
                name="dutyrule_referral_needs_department_and_reason",
            ),
            models.CheckConstraint(condition=~Q(category=""), name="dutyrule_category_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.category} @ {self.area or '全镇'}"


class SlaPolicy(models.Model):
    """Working-day limits per request type (configurable; seeded by a data migration)."""

    request_type = models.CharField(max_length=16, choices=RequestType.choices, unique=True)
    response_days = models.PositiveSmallIntegerField(_("响应时限(工作日)"))
    resolution_days = models.PositiveSmallIntegerField(_("办结时限(工作日)"))
    remind_before_days = models.PositiveSmallIntegerField(_("提前提醒(工作日)"), default=1)

    class Meta:
        ordering = ["request_type"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolution_days__gte=models.F("response_days")),
                name="sla_resolution_after_response",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_request_type_display()}"


class WorkOrderState(models.TextChoices):
    RECEIVED = "received", _("已受理")
    DISPATCHED = "dispatched", _("已派单")
    ACCEPTED = "accepted", _("已签收")
    IN_PROGRESS = "in_progress", _("办理中")
    RETURNED = "returned", _("已退单")
    RESOLVED = "resolved", _("已办结")
    CALLBACK = "callback", _("回访中")
    CLOSED = "closed", _("已关闭")
    REFERRED = "referred", _("已转县级部门")
    MERGED = "merged", _("已合并")


OPEN_STATES = (
    WorkOrderState.RECEIVED,
    WorkOrderState.DISPATCHED,
    WorkOrderState.ACCEPTED,
    WorkOrderState.IN_PROGRESS,
    WorkOrderState.RETURNED,
)


class UnreasonableStatus(models.TextChoices):
    NONE = "", _("无")
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已认定不合理(不计分)")
    REJECTED = "rejected", _("审核未通过")


class WorkOrderQuerySet(models.QuerySet["WorkOrder"]):
    def open(self) -> WorkOrderQuerySet:
        return self.filter(state__in=OPEN_STATES)

    def scored(self) -> WorkOrderQuerySet:
        """Orders that count in unit scores (merged and approved-unreasonable ones do not)."""
        return self.exclude(state=WorkOrderState.MERGED).exclude(
            unreasonable_status=UnreasonableStatus.APPROVED
        )


class WorkOrder(models.Model):
    request = models.OneToOneField(
        ServiceRequest, on_delete=models.CASCADE, related_name="work_order"
    )
    org_unit = models.ForeignKey(
        "org.OrgUnit",
        verbose_name=_("责任单位"),
        on_delete=models.PROTECT,
        related_name="work_orders",
        db_index=False,  # covered by the (org_unit, state, created_at) index
    )
    lead_office = models.CharField(_("主办站所/科室"), max_length=100, blank=True)
    assisting_units = models.ManyToManyField(
        "org.OrgUnit", verbose_name=_("协办单位"), blank=True, related_name="assisted_orders"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="work_orders",
    )
    state = models.CharField(
        _("状态"),
        max_length=16,
        choices=WorkOrderState.choices,
        default=WorkOrderState.RECEIVED,
    )
    referred_up = models.BooleanField(_("属县级部门事项"), default=False)
    referred_department = models.ForeignKey(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referred_orders",
        db_index=False,
    )
    referral_reason = models.CharField(max_length=300, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_orders"
    )
    response_due_at = models.DateTimeField(_("响应时限"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("办结时限"), null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(_("办理结果"), blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    returned_count = models.PositiveSmallIntegerField(default=0)
    escalated = models.BooleanField(_("督办"), default=False)
    escalation_count = models.PositiveSmallIntegerField(default=0)
    overdue_response = models.BooleanField(_("响应超时"), default=False)
    overdue_resolution = models.BooleanField(_("办结超时"), default=False)
    reminded_at = models.DateTimeField(null=True, blank=True)
    unreasonable_status = models.CharField(
        max_length=16, choices=UnreasonableStatus.choices, default="", blank=True
    )
    unreasonable_reason = models.CharField(max_length=300, blank=True)
    unreasonable_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    unreasonable_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    unreasonable_reviewed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkOrderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        indexes = [
            models.Index(fields=["org_unit", "state", "created_at"]),
            # the inbox cards and the 超时 count read the unfinished orders of a whole township
            # (an OR on the assignee rules out the org_unit-first index); the assignee is in it so
            # a village worker's count never reads the table rows: a few % of the table
            models.Index(fields=["state", "org_unit", "assignee"], name="workorder_state_unit"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=[c.value for c in WorkOrderState]), name="wo_state_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state=WorkOrderState.MERGED) | Q(merged_into__isnull=False),
                name="wo_merged_has_target",
            ),
            models.CheckConstraint(
                condition=~Q(unreasonable_status=UnreasonableStatus.APPROVED)
                | (Q(unreasonable_reviewed_by__isnull=False) & ~Q(unreasonable_reason="")),
                name="wo_unreasonable_needs_reviewer_and_reason",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("id")), name="wo_not_merged_into_self"
            ),
        ]

    def __str__(self) -> str:
        return f"工单 {self.request.tracking_code}" if self.request_id else "工单"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    # Late as the pages show it: by the flag `qz requests sla-scan` (or the transition) set, or,
    # while the order is open, by a deadline that has passed — the same rule as
    # `selectors.overdue_q`, so a page never waits for the scan.
    @property
    def response_overdue(self) -> bool:
        if self.overdue_response:
            return True
        due = self.response_due_at
        return (
            self.is_open and self.accepted_at is None and due is not None and due < timezone.now()
        )

    @property
    def resolution_overdue(self) -> bool:
        if self.overdue_resolution:
            return True
        due = self.resolution_due_at
        return self.is_open and due is not None and due < timezone.now()

    @property
    def is_overdue(self) -> bool:
        return self.response_overdue or self.resolution_overdue


class WorkOrderEvent(models.Model):
    """One step on the timeline (who, when, from → to, note)."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=100, blank=True)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    note = models.TextField(blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.from_state}->{self.to_state}"


class CallbackChannel(models.TextChoices):
    LINK = "link", _("一次性链接")
    PHONE = "phone", _("电话回访")


class Resolution(models.TextChoices):
    SOLVED = "solved", _("解决")
    PARTLY = "partly", _("部分解决")
    UNSOLVED = "unsolved", _("未解决")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    FAIRLY = "fairly", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class Callback(models.Model):
    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="callbacks")
    channel = models.CharField(max_length=8, choices=CallbackChannel.choices)
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    resolved = models.CharField(max_length=16, choices=Resolution.choices, blank=True)
    satisfaction = models.CharField(max_length=16, choices=Satisfaction.choices, blank=True)
    comment = models.TextField(blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    answered_at = models.DateTimeField(null=True, blank=True, db_index=True)  # period filters
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | (~Q(resolved="") & ~Q(satisfaction="")),
                name="callback_answer_complete",
            ),
            models.CheckConstraint(
                condition=~Q(channel=CallbackChannel.LINK)
                | (Q(token_hash__isnull=False) & Q(expires_at__isnull=False)),
                name="callback_link_has_token_and_expiry",
            ),
        ]

    def __str__(self) -> str:
        return f"回访 {self.get_channel_display()}"

    def as_public(self) -> dict[str, Any]:
        return {
            "resolved": self.get_resolved_display(),
            "satisfaction": self.get_satisfaction_display(),
        }
