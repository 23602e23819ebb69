"""The canonical data store: forms never own data (the DHIS2 idea).

A value is keyed by (element, org unit, period, optional category option) and keeps its
provenance and full history, so every department's form can be filled from one number.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PeriodType(models.TextChoices):
    MONTH = "month", _("月")
    QUARTER = "quarter", _("季")
    YEAR = "year", _("年")


class ValueType(models.TextChoices):
    NUMBER = "number", _("数值")
    INTEGER = "integer", _("整数")
    PERCENT = "percent", _("百分比")


class CategoryOption(models.Model):
    """A breakdown such as 男/女 or an age band."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=50)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class DataElement(models.Model):
    code = models.CharField(_("编码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=255)
    aliases = models.JSONField(_("别名"), default=list, blank=True)
    definition = models.TextField(_("定义"), blank=True)
    unit = models.CharField(_("计量单位"), max_length=32, blank=True)
    value_type = models.CharField(
        _("值类型"), max_length=16, choices=ValueType.choices, default=ValueType.NUMBER
    )
    period_type = models.CharField(
        _("时期类型"), max_length=16, choices=PeriodType.choices, default=PeriodType.YEAR
    )
    owner = models.ForeignKey(
        "org.Department",
        verbose_name=_("责任部门(一数一源)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="data_elements",
    )
    # Whether village values add up to a township total (counts, areas: yes; rates: no).
    additive = models.BooleanField(_("可汇总"), default=True)
    category_options = models.ManyToManyField(CategoryOption, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("数据元")
        verbose_name_plural = _("数据元")
        constraints = [
            models.CheckConstraint(condition=~Q(code=""), name="dataelement_code_not_empty"),
            models.CheckConstraint(
                condition=Q(period_type__in=[c.value for c in PeriodType]),
                name="dataelement_period_type_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FieldMapping(models.Model):
    """Which element a template field asks for; ``factor`` turns element units into field units."""

    field = models.OneToOneField(
        "reporting.TemplateField", on_delete=models.CASCADE, related_name="mapping"
    )
    element = models.ForeignKey(
        DataElement, null=True, blank=True, on_delete=models.CASCADE, related_name="mappings"
    )
    category_option = models.ForeignKey(
        CategoryOption, null=True, blank=True, on_delete=models.PROTECT
    )
    factor = models.FloatField(default=1.0)
    unmapped_reason = models.CharField(max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(element__isnull=False) | ~Q(unmapped_reason=""),
                name="fieldmapping_element_or_reason",
            ),
            models.CheckConstraint(condition=Q(factor__gt=0), name="fieldmapping_factor_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.field_id} → {self.element_id or self.unmapped_reason}"


class ValueSource(models.TextChoices):
    ENTRY = "entry", _("录入")
    IMPORT = "import", _("导入")
    HARVEST = "harvest", _("从已填报表采集")
    COMPUTED = "computed", _("计算")


class DataValue(models.Model):
    element = models.ForeignKey(DataElement, on_delete=models.PROTECT, related_name="values")
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=16)
    period_type = models.CharField(max_length=16, choices=PeriodType.choices)
    category_option = models.ForeignKey(
        CategoryOption, null=True, blank=True, on_delete=models.PROTECT
    )
    value = models.DecimalField(max_digits=24, decimal_places=6)
    source = models.CharField(max_length=16, choices=ValueSource.choices)
    source_file = models.CharField(max_length=255, blank=True)
    source_cell = models.CharField(max_length=64, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["element__code", "org_unit__path", "period"]
        constraints = [
            # NULL never equals NULL in a unique index, so the no-breakdown case gets its own.
            models.UniqueConstraint(
                fields=["element", "org_unit", "period", "category_option"],
                condition=Q(category_option__isnull=False),
                name="datavalue_unique_key_with_option",
            ),
            models.UniqueConstraint(
                fields=["element", "org_unit", "period"],
                condition=Q(category_option__isnull=True),
                name="datavalue_unique_key_total",
            ),
        ]
        indexes = [models.Index(fields=["period", "element"], name="datavalue_period_element")]

    def __str__(self) -> str:
        return f"{self.element_id}@{self.org_unit_id}/{self.period}={self.value}"


class DataValueHistory(models.Model):
    data_value = models.ForeignKey(DataValue, on_delete=models.CASCADE, related_name="history")
    old_value = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    new_value = models.DecimalField(max_digits=24, decimal_places=6)
    source = models.CharField(max_length=16, choices=ValueSource.choices)
    source_file = models.CharField(max_length=255, blank=True)
    source_cell = models.CharField(max_length=64, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(max_length=64, blank=True)
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.old_value} → {self.new_value}"


class RuleKind(models.TextChoices):
    NON_NEGATIVE = "non_negative", _("不能为负数")
    SUM_EQUALS = "sum_equals", _("分项之和等于合计")
    NOT_ABOVE = "not_above", _("其中项不大于总数")
    OUTLIER = "outlier", _("与上期相比变化过大")


class ValidationRule(models.Model):
    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=16, choices=RuleKind.choices)
    element = models.ForeignKey(DataElement, on_delete=models.CASCADE, related_name="rules")
    # Codes of the other elements: the parts (sum_equals) or the total (not_above).
    others = models.JSONField(default=list, blank=True)
    ratio = models.FloatField(default=0.5)  # outlier: relative change that triggers a warning
    is_error = models.BooleanField(default=True)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[c.value for c in RuleKind]), name="validationrule_kind_valid"
            ),
            # Messages name the rule, so two rules of one element must not share a name.
            models.UniqueConstraint(
                fields=["element", "name"], name="validationrule_unique_name_per_element"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FillEvent(models.Model):
    """One filled form: what came from the store and what a person still had to type."""

    template = models.ForeignKey(
        "reporting.ReportTemplate", on_delete=models.CASCADE, related_name="fill_events"
    )
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=16)
    fields_auto = models.PositiveIntegerField(default=0)
    fields_typed = models.PositiveIntegerField(default=0)
    minutes_per_field = models.FloatField(default=0.5)
    output = models.CharField(max_length=255, blank=True)  # MEDIA_ROOT-relative, pages only
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.template_id} {self.org_unit_id} {self.period}"

    @property
    def minutes_saved(self) -> float:
        return self.fields_auto * self.minutes_per_field
