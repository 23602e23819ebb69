"""The burden ledger: demands on a township, rule settings, findings, documents and 准入 reviews."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class DemandKind(models.TextChoices):
    REPORT = "report", _("报表")
    DOCUMENT = "document", _("文件")
    MEETING = "meeting", _("会议")
    INSPECTION = "inspection", _("督查检查考核")
    APP = "app", _("政务APP/工作群要求")


class IssuerLevel(models.TextChoices):
    CENTRAL = "central", _("中央")
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")
    TOWNSHIP = "township", _("镇级")


class EstimateKind(models.TextChoices):
    ORIGINAL = "original", _("初始估算")
    RE_ESTIMATE = "re_estimate", _("重新估算")
    PROGRAM_CHANGE = "program_change", _("实际要求变化")


class Rule(models.Model):
    """One check the ledger runs; thresholds, keywords and citation are editable data."""

    code = models.CharField(_("规则编号"), max_length=40, unique=True)
    title = models.CharField(_("名称"), max_length=100)
    applies_to = models.CharField(
        _("适用类别"), max_length=16, choices=DemandKind.choices, blank=True
    )
    enabled = models.BooleanField(_("启用"), default=True)
    threshold = models.IntegerField(_("阈值"), null=True, blank=True)
    threshold_alt = models.IntegerField(_("第二阈值"), null=True, blank=True)
    keywords = models.TextField(_("关键词（逗号分隔）"), blank=True)
    exceptions = models.TextField(_("例外词（逗号分隔）"), blank=True)
    citation = models.TextField(_("依据"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("减负规则")
        verbose_name_plural = _("减负规则")
        constraints = [
            models.CheckConstraint(condition=~Q(citation=""), name="burden_rule_citation_required"),
            models.CheckConstraint(
                condition=Q(threshold__isnull=True) | Q(threshold__gte=0),
                name="burden_rule_threshold_nonneg",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def display_title(self) -> str:
        """The title in the page language: a default title has an English translation; one an
        admin reworded is shown as written."""
        return display_rule_title(self.title)


def display_rule_title(title: str) -> str:
    return gettext(title) if title else title


class Demand(models.Model):
    """One report, document, meeting, inspection or app demand imposed on a unit."""

    org_unit = models.ForeignKey(
        "org.OrgUnit", verbose_name=_("承担单位"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类别"), max_length=16, choices=DemandKind.choices)
    title = models.CharField(_("名称"), max_length=255)
    issuer = models.ForeignKey(
        "org.Department",
        verbose_name=_("下达部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="burden_demands",
    )
    received = models.DateField(_("收到日期"))
    deadline = models.DateField(_("截止日期"), null=True, blank=True)
    # document
    chars = models.PositiveIntegerField(_("字数"), null=True, blank=True)
    asks_followup = models.BooleanField(_("要求配套发文/再报材料"), default=False)
    specific_task = models.BooleanField(_("专项/具体任务文件"), null=True, blank=True)
    # meeting
    duration_minutes = models.PositiveIntegerField(_("会议时长(分钟)"), null=True, blank=True)
    attendees = models.PositiveIntegerField(_("参会人数"), null=True, blank=True)
    level = models.CharField(_("层级"), max_length=16, choices=IssuerLevel.choices, blank=True)
    covered_by_document = models.BooleanField(_("文件已部署"), default=False)
    # inspection
    approval_code = models.CharField(_("审批编码(一事一码)"), max_length=64, blank=True)
    # app / work group
    demand_text = models.TextField(_("具体要求"), blank=True)
    # report
    template = models.ForeignKey(
        "reporting.ReportTemplate",
        verbose_name=_("报表模板"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="burden_demands",
    )
    # burden estimate (PRA worksheet style)
    respondents = models.PositiveIntegerField(_("填报/参与单位(人)数"), default=1)
    frequency_per_year = models.PositiveIntegerField(_("每年次数"), default=1)
    hours_per_response = models.DecimalField(
        _("每次耗时(小时)"), max_digits=8, decimal_places=2, default=Decimal("1")
    )
    preparation_hours = models.DecimalField(
        _("准备时间(小时)"), max_digits=8, decimal_places=2, default=Decimal("0")
    )
    estimate_kind = models.CharField(
        _("估算类型"), max_length=16, choices=EstimateKind.choices, default=EstimateKind.ORIGINAL
    )
    source = models.CharField(max_length=16, default="entry")  # entry / import / demo
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received", "-id"]
        verbose_name = _("负担事项")
        verbose_name_plural = _("负担事项")
        indexes = [models.Index(fields=["org_unit", "received"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[c.value for c in DemandKind]), name="burden_demand_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(estimate_kind__in=[c.value for c in EstimateKind]),
                name="burden_demand_estimate_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(hours_per_response__gte=0) & Q(preparation_hours__gte=0),
                name="burden_demand_hours_nonneg",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="burden_demand_title_required"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def burden_hours(self) -> Decimal:
        """Yearly hours: respondents × frequency × hours per response, plus preparation."""
        return (
            Decimal(self.respondents) * Decimal(self.frequency_per_year) * self.hours_per_response
            + self.preparation_hours
        )


class BurdenRevision(models.Model):
    """A change of a demand's burden estimate; re-estimates are kept apart from program changes."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="revisions")
    estimate_kind = models.CharField(max_length=16, choices=EstimateKind.choices)
    hours_before = models.DecimalField(max_digits=12, decimal_places=2)
    hours_after = models.DecimalField(max_digits=12, decimal_places=2)
    reason = models.TextField()
    revised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revised_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-revised_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(estimate_kind__in=["re_estimate", "program_change"]),
                name="burden_revision_kind_valid",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="burden_revision_reason_required"),
        ]

    def __str__(self) -> str:
        return f"{self.demand_id} {self.estimate_kind}"


class FindingOrigin(models.TextChoices):
    RULE = "rule", _("规则检查")
    FEEDBACK = "feedback", _("基层反映")
    VILLAGE_ADMISSION = "village_admission", _("村级事项准入")


class Finding(models.Model):
    """A problem with a demand. Rule checks write them; other features (feedback, village
    work-item admission) add their own through `finding_add`, with or without a Demand."""

    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+")
    demand = models.ForeignKey(
        Demand, null=True, blank=True, on_delete=models.CASCADE, related_name="findings"
    )
    issuer = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=DemandKind.choices, blank=True)
    rule_code = models.CharField(_("规则"), max_length=40)
    message = models.TextField(_("问题"))
    source = models.TextField(_("依据"))
    origin = models.CharField(
        _("来源"), max_length=20, choices=FindingOrigin.choices, default=FindingOrigin.RULE
    )
    occurred_on = models.DateField(_("日期"))
    ref = models.CharField(_("来源对象"), max_length=64, blank=True)  # e.g. "feedback:12"
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("检查发现")
        verbose_name_plural = _("检查发现")
        indexes = [models.Index(fields=["org_unit", "occurred_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(origin__in=[c.value for c in FindingOrigin]),
                name="burden_finding_origin_valid",
            ),
            models.UniqueConstraint(
                fields=["demand", "rule_code"],
                condition=Q(origin="rule"),
                name="burden_finding_one_per_rule",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_code}: {self.message[:30]}"

    @property
    def rule(self) -> str:
        """Same name as in the CLI output, so one template renders both."""
        return self.rule_code


class DocumentUpload(models.Model):
    """An uploaded document: its text, length, and how much it copies an upper-level one."""

    demand = models.ForeignKey(
        Demand, null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="burden/documents/%Y/%m/")
    original_name = models.CharField(max_length=255)
    format = models.CharField(max_length=8)
    text = models.TextField(blank=True)
    chars = models.PositiveIntegerField(default=0)
    upper_name = models.CharField(_("上级文件"), max_length=255, blank=True)
    upper_text = models.TextField(blank=True)
    containment = models.FloatField(_("照搬比例"), null=True, blank=True)
    is_copy = models.BooleanField(_("照搬上级文件"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(containment__isnull=True)
                | (Q(containment__gte=0) & Q(containment__lte=1)),
                name="burden_document_containment_range",
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("待审查")
    APPROVED = "approved", _("准入")
    REJECTED = "rejected", _("不予准入")
    USE_EXISTING = "use_existing", _("使用已有数据")


class AdmissionReview(models.Model):
    """准入: a department asks to send a new form down; the analysis is shown before deciding."""

    org_unit = models.ForeignKey(
        "org.OrgUnit", verbose_name=_("面向单位"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("申请部门"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("报表名称"), max_length=255)
    year = models.PositiveSmallIntegerField(_("年度"))
    file = models.FileField(upload_to="burden/admission/%Y/")
    original_name = models.CharField(max_length=255)
    template = models.ForeignKey(
        "reporting.ReportTemplate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="admission_reviews",
    )
    legal_basis = models.CharField(_("依据"), max_length=255, blank=True)
    respondents = models.PositiveIntegerField(_("填报单位数"), default=1)
    frequency_per_year = models.PositiveIntegerField(_("每年次数"), default=1)
    hours_per_response = models.DecimalField(
        _("每次耗时(小时)"), max_digits=8, decimal_places=2, default=Decimal("1")
    )
    preparation_hours = models.DecimalField(
        _("准备时间(小时)"), max_digits=8, decimal_places=2, default=Decimal("0")
    )
    analysis = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("结论"), max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    reason = models.TextField(_("理由"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("报表准入审查")
        verbose_name_plural = _("报表准入审查")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[c.value for c in ReviewStatus]),
                name="burden_review_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | ~Q(reason=""),
                name="burden_review_decision_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def burden_hours(self) -> Decimal:
        return (
            Decimal(self.respondents) * Decimal(self.frequency_per_year) * self.hours_per_response
            + self.preparation_hours
        )
