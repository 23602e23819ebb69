"""Report templates sent down by departments, their parsed fields, and same-item decisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("月报")
    QUARTERLY = "quarterly", _("季报")
    HALF_YEARLY = "half_yearly", _("半年报")
    YEARLY = "yearly", _("年报")
    ONCE = "once", _("一次性")
    AD_HOC = "ad_hoc", _("不定期")


# How many times a year a form of this frequency is filled (for the redundancy report).
TIMES_PER_YEAR = {
    Frequency.MONTHLY: 12,
    Frequency.QUARTERLY: 4,
    Frequency.HALF_YEARLY: 2,
    Frequency.YEARLY: 1,
    Frequency.ONCE: 1,
    Frequency.AD_HOC: 1,
}


class AdmissionStatus(models.TextChoices):
    UNREVIEWED = "unreviewed", _("未审核")
    PENDING = "pending", _("审核中")
    APPROVED = "approved", _("已准入")
    REJECTED = "rejected", _("不予准入")
    USE_EXISTING = "use_existing", _("使用已有数据")


class TemplateFormat(models.TextChoices):
    XLSX = "xlsx", "xlsx"
    XLS = "xls", "xls"
    CSV = "csv", "csv"
    DOCX = "docx", "docx"


class ReportTemplate(models.Model):
    file = models.FileField(_("文件"), upload_to="templates/%Y/%m/")
    sha256 = models.CharField(max_length=64, unique=True)
    original_name = models.CharField(_("原文件名"), max_length=255)
    format = models.CharField(_("格式"), max_length=8, choices=TemplateFormat.choices)
    issuer = models.ForeignKey(
        "org.Department",
        verbose_name=_("下发部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="report_templates",
    )
    title = models.CharField(_("表名"), max_length=255)
    frequency = models.CharField(
        _("报送频次"), max_length=16, choices=Frequency.choices, default=Frequency.YEARLY
    )
    deadline = models.DateField(_("截止日期"), null=True, blank=True)
    legal_basis = models.CharField(_("依据文件"), max_length=255, blank=True)
    admission_status = models.CharField(
        _("准入状态"),
        max_length=16,
        choices=AdmissionStatus.choices,
        default=AdmissionStatus.UNREVIEWED,
    )
    # Hash of (sheet, cell, label, unit) of all fields: finds the template of a filled copy.
    structure_sig = models.CharField(max_length=64, db_index=True, default="")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("报表模板")
        verbose_name_plural = _("报表模板")
        constraints = [
            models.CheckConstraint(
                condition=Q(format__in=[c.value for c in TemplateFormat]),
                name="reporttemplate_format_valid",
            ),
            models.CheckConstraint(
                condition=Q(admission_status__in=[c.value for c in AdmissionStatus]),
                name="reporttemplate_admission_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def times_per_year(self) -> int:
        return TIMES_PER_YEAR.get(Frequency(self.frequency), 1)


class Sheet(models.Model):
    template = models.ForeignKey(ReportTemplate, on_delete=models.CASCADE, related_name="sheets")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001 - None = csv/docx, as the engine says
    title = models.CharField(max_length=255, blank=True)
    orientation = models.CharField(max_length=8, default="columns")
    header_first = models.PositiveIntegerField(default=0)
    header_last = models.PositiveIntegerField(default=0)
    label_col = models.PositiveIntegerField(null=True, blank=True)
    value_col = models.PositiveIntegerField(null=True, blank=True)
    meta = models.JSONField(default=dict, blank=True)
    # [[row, label, is_total, is_empty], ...] as the parser saw them in the blank template.
    data_rows = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["template", "position"]
        constraints = [
            models.UniqueConstraint(fields=["template", "position"], name="sheet_unique_position"),
            models.CheckConstraint(
                condition=Q(orientation__in=["columns", "rows"]), name="sheet_orientation_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.title or f"表{self.position + 1}"


class TemplateField(models.Model):
    template = models.ForeignKey(ReportTemplate, on_delete=models.CASCADE, related_name="fields")
    sheet = models.ForeignKey(Sheet, on_delete=models.CASCADE, related_name="fields")
    position = models.PositiveIntegerField(default=0)
    cell = models.CharField(max_length=32)
    path = models.JSONField(default=list)
    label = models.CharField(max_length=255)
    unit = models.CharField(max_length=32, blank=True)
    orientation = models.CharField(max_length=8, default="columns")
    row = models.PositiveIntegerField()
    col = models.PositiveIntegerField()
    value_cell = models.CharField(max_length=32, blank=True)
    code = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["template", "sheet__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "cell"], name="templatefield_unique_cell"),
        ]

    def __str__(self) -> str:
        return " > ".join(self.path) or self.label

    @property
    def path_text(self) -> str:
        return " > ".join(self.path)


class MatchStatus(models.TextChoices):
    SUGGESTED = "suggested", _("建议相同")
    CONFIRMED = "confirmed", _("已确认相同")
    REJECTED = "rejected", _("已确认不同")


class FieldMatch(models.Model):
    """A pair of fields in canonical order (field_a.pk < field_b.pk); a rejection is permanent."""

    field_a = models.ForeignKey(TemplateField, on_delete=models.CASCADE, related_name="+")
    field_b = models.ForeignKey(TemplateField, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(default=0.0)
    status = models.CharField(max_length=16, choices=MatchStatus.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(field_a__lt=F("field_b")), name="fieldmatch_canonical_order"
            ),
            models.UniqueConstraint(fields=["field_a", "field_b"], name="fieldmatch_unique_pair"),
            models.CheckConstraint(
                condition=Q(status__in=[c.value for c in MatchStatus]),
                name="fieldmatch_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.field_a_id}↔{self.field_b_id} {self.status}"


class ConceptStatus(models.TextChoices):
    SUGGESTED = "suggested", _("待确认")
    ACCEPTED = "accepted", _("已建数据元")


class Concept(models.Model):
    """A data item asked for by two or more fields (suggested by the analysis)."""

    name = models.CharField(max_length=255)
    status = models.CharField(
        max_length=16, choices=ConceptStatus.choices, default=ConceptStatus.SUGGESTED
    )
    members = models.ManyToManyField(TemplateField, related_name="concepts")
    element_code = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[c.value for c in ConceptStatus]),
                name="concept_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name
