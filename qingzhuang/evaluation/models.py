"""Evaluation: indicators, schemes, goal trees, scores with evidence, and request-metric counters.

MetricDaily holds pre-aggregated counters per responsible unit × area × category × day so the
dashboards stay fast at a million requests. It is derived data: `services.metrics_rebuild`
recomputes it from raw work orders and signals keep it current after every save.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qingzhuang.evaluation.metrics import COUNTER_FIELDS

# The longest "callback right after closure" gap users may set; SignalCandidate stores up to it.
FAST_CALLBACK_MAX_MINUTES = 60
MAX_MIN_SAMPLE = 100_000  # a ranking threshold above any township's monthly request count
MAX_FREQUENCY_PER_YEAR = 365  # assessing more often than daily is not an assessment


class Direction(models.TextChoices):
    HIGHER = "higher", _("越高越好")
    LOWER = "lower", _("越低越好")


class IndicatorKind(models.TextChoices):
    OUTCOME = "outcome", _("结果类")
    PROCESS = "process", _("过程类")
    PAPERWORK = "paperwork", _("留痕类(不应计分)")


class PeriodType(models.TextChoices):
    MONTH = "month", _("月")
    QUARTER = "quarter", _("季")
    YEAR = "year", _("年")


class ScoringRule(models.TextChoices):
    LINEAR = "linear", _("在底线和目标之间线性计分")
    THRESHOLD = "threshold", _("分档计分")


class SatisfactionMode(models.TextChoices):
    TOP2 = "top2", _("满意+基本满意")
    WEIGHTED = "weighted", _("加权(满意、基本满意、不满意各有权重)")


class EvaluationSettings(models.Model):
    """One row (pk=1): how metrics are defined and what the checker allows."""

    satisfaction_mode = models.CharField(
        _("满意率口径"), max_length=16, choices=SatisfactionMode.choices, default="top2"
    )
    weight_satisfied = models.FloatField(_("满意权重"), default=1.0)
    weight_fairly = models.FloatField(_("基本满意权重"), default=0.8)
    weight_dissatisfied = models.FloatField(_("不满意权重"), default=0.0)
    partly_weight = models.FloatField(_("部分解决计入解决率的权重"), default=0.0)
    min_sample = models.PositiveIntegerField(_("参与排名的最少样本"), default=10)
    max_indicators = models.PositiveIntegerField(_("方案指标数上限"), default=10)
    max_frequency = models.PositiveIntegerField(_("每年考核次数上限"), default=4)
    fast_callback_minutes = models.PositiveIntegerField(
        _("“秒回访”分钟数"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(FAST_CALLBACK_MAX_MINUTES)],
        help_text=_("1–60 分钟"),
    )
    phone_many_orders = models.PositiveIntegerField(
        _("同一号码评价工单数上限"),
        default=5,
        validators=[MinValueValidator(2)],
        help_text=_("同一个月内，至少 2 个"),
    )

    class Meta:
        verbose_name = _("评价设置")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="evalsettings_singleton"),
            models.CheckConstraint(
                condition=Q(satisfaction_mode__in=["top2", "weighted"]),
                name="evalsettings_mode_valid",
            ),
            models.CheckConstraint(
                condition=Q(partly_weight__gte=0, partly_weight__lte=1),
                name="evalsettings_partly_weight_0_1",
            ),
        ]

    def __str__(self) -> str:
        return "评价设置"


class Indicator(models.Model):
    code = models.CharField(_("编码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    formula = models.CharField(_("公式"), max_length=500)
    unit = models.CharField(_("单位"), max_length=32, blank=True)
    direction = models.CharField(
        _("方向"), max_length=8, choices=Direction.choices, default=Direction.HIGHER
    )
    baseline = models.FloatField(_("基线"), null=True, blank=True)
    target = models.FloatField(_("目标"))
    floor = models.FloatField(_("底线(得0分)"))
    kind = models.CharField(
        _("类别"), max_length=16, choices=IndicatorKind.choices, default=IndicatorKind.OUTCOME
    )
    tags = models.JSONField(_("标签"), default=list, blank=True)
    description = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        constraints = [
            models.CheckConstraint(condition=~Q(code=""), name="indicator_code_not_empty"),
            models.CheckConstraint(
                condition=Q(direction__in=["higher", "lower"]), name="indicator_direction_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[c.value for c in IndicatorKind]), name="indicator_kind_valid"
            ),
            models.CheckConstraint(
                condition=(Q(direction="higher") & Q(floor__lte=models.F("target")))
                | (Q(direction="lower") & Q(floor__gte=models.F("target"))),
                name="indicator_floor_below_target",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EvaluationScheme(models.Model):
    name = models.CharField(_("名称"), max_length=200, unique=True)
    period_type = models.CharField(
        _("考核周期"), max_length=8, choices=PeriodType.choices, default=PeriodType.QUARTER
    )
    frequency_per_year = models.PositiveSmallIntegerField(_("每年考核次数"), default=4)
    description = models.TextField(_("说明"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    indicators = models.ManyToManyField(Indicator, through="SchemeItem", related_name="schemes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_type__in=["month", "quarter", "year"]),
                name="scheme_period_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(frequency_per_year__gte=1), name="scheme_frequency_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SchemeItem(models.Model):
    scheme = models.ForeignKey(EvaluationScheme, on_delete=models.CASCADE, related_name="items")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="items")
    weight = models.FloatField(_("权重"))
    rule = models.CharField(
        _("计分规则"), max_length=16, choices=ScoringRule.choices, default=ScoringRule.LINEAR
    )
    # threshold rule: [[threshold, score 0..1], ...]
    steps = models.JSONField(_("分档"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "indicator"], name="schemeitem_unique"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="schemeitem_weight_nonneg"),
            models.CheckConstraint(
                condition=Q(rule__in=["linear", "threshold"]), name="schemeitem_rule_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme_id}:{self.indicator_id} ×{self.weight}"


class Goal(models.Model):
    """A node in a tree of goals; leaves point at an indicator, parents average their children."""

    name = models.CharField(_("目标"), max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    weight = models.FloatField(_("权重"), default=1.0)
    indicator = models.ForeignKey(
        Indicator, null=True, blank=True, on_delete=models.PROTECT, related_name="goals"
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=0), name="goal_weight_nonneg"),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="goal_not_own_parent"),
            models.UniqueConstraint(fields=["parent", "name"], name="goal_unique_name_in_parent"),
        ]

    def __str__(self) -> str:
        return self.name


class Score(models.Model):
    scheme = models.ForeignKey(EvaluationScheme, on_delete=models.CASCADE, related_name="scores")
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=16)
    total = models.FloatField(null=True, blank=True)  # 0..100; None when no indicator has data
    # [{indicator, name, weight, value, score, points, status, evidence: {...}}]
    contributions = models.JSONField(default=list)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["scheme", "period", "-total"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "org_unit", "period"], name="score_unique_scheme_unit_period"
            ),
            models.CheckConstraint(
                condition=Q(total__isnull=True) | Q(total__gte=0, total__lte=100),
                name="score_total_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.org_unit_id} {self.period}: {self.total}"


class CommentSentiment(models.Model):
    """Cached sentiment of a callback comment (probability positive)."""

    callback = models.OneToOneField(
        "service_requests.Callback", on_delete=models.CASCADE, related_name="sentiment"
    )
    positive = models.FloatField()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(positive__gte=0, positive__lte=1), name="sentiment_positive_0_1"
            )
        ]

    def __str__(self) -> str:
        return f"{self.callback_id}: {self.positive:.3f}"


class MetricDaily(models.Model):
    """Counters for orders created on `day` (local date), by responsible unit, area and category."""

    day = models.DateField()
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.CASCADE, related_name="+")
    area = models.ForeignKey("org.OrgUnit", on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=100, blank=True)
    ttr_hist = models.JSONField(default=dict)  # hours to resolve (ceil) -> count

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "org_unit", "area", "category"], name="metricdaily_unique_key"
            )
        ]
        indexes = [
            models.Index(fields=["day", "org_unit"], name="metricdaily_day_unit"),
            models.Index(fields=["org_unit", "day"], name="metricdaily_unit_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.org_unit_id}/{self.area_id} {self.category}"


class MetricMonthly(models.Model):
    """The same counters summed per month (`month` = its first day): what dashboards read.

    Evaluation periods are whole months, quarters or years, so a year is at most 12 rows per
    unit × area × category, whatever the number of requests.
    """

    month = models.DateField()
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.CASCADE, related_name="+")
    area = models.ForeignKey("org.OrgUnit", on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=100, blank=True)
    ttr_hist = models.JSONField(default=dict)

    class Meta:
        ordering = ["month"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "org_unit", "area", "category"], name="metricmonthly_unique_key"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="metricmonthly_first_day"),
        ]
        indexes = [models.Index(fields=["month", "org_unit"], name="metricmonthly_month_unit")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.org_unit_id}/{self.area_id} {self.category}"


for _field in COUNTER_FIELDS:
    MetricDaily.add_to_class(_field, models.PositiveIntegerField(default=0))
    MetricMonthly.add_to_class(_field, models.PositiveIntegerField(default=0))


class MetricPendingRefresh(models.Model):
    """A (day, responsible unit) whose counters are out of date: the intake and workflow
    writes only upsert this marker, in their own transaction; every counter read
    (`aggregates.metrics_refresh_pending`) recomputes the marked keys from raw data first, so
    dashboards stay exactly equal to the raw work orders while a write costs one small upsert.
    """

    day = models.DateField()
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.CASCADE, related_name="+")
    marked_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "org_unit"], name="metricpending_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.org_unit_id}"


class SignalKind(models.TextChoices):
    CONTRADICTION = "contradiction", _("评分与评论矛盾")
    UNSCORED = "unscored", _("评论待判断情感")
    FAST = "fast", _("办结后很快回访")
    PHONE = "phone", _("同一号码本月评价多个工单")
    REOPENED = "reopened", _("称已解决后重办")
    REPEAT = "repeat", _("称已解决后又报同类问题")


class SignalCandidate(models.Model):
    """One row that a gaming signal may list, precomputed from raw data (`signal_store`).

    Derived data like MetricDaily, kept exactly equal to what `signal_store.candidates_for`
    computes from the raw requests, orders, callbacks and sentiments: writes mark keys pending
    (SignalPending), every read refreshes them first, and `qz evaluation metrics` rebuilds and
    verifies. Thresholds that users can change are applied when reading: FAST rows are stored
    for gaps up to FAST_CALLBACK_MAX_MINUTES, PHONE rows for every number with at least two
    orders in a month.
    """

    kind = models.CharField(max_length=16, choices=SignalKind.choices)
    day = (
        models.DateField()
    )  # local day: callback answered (callback kinds), order created (others)
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(
        "service_requests.WorkOrder", on_delete=models.CASCADE, related_name="+"
    )
    callback = models.ForeignKey(
        "service_requests.Callback", on_delete=models.CASCADE, null=True, related_name="+"
    )
    later = models.ForeignKey(
        "service_requests.ServiceRequest", on_delete=models.CASCADE, null=True, related_name="+"
    )
    phone_hash = models.CharField(max_length=64, blank=True)
    value = models.FloatField(null=True)  # FAST: minutes after closure

    class Meta:
        indexes = [
            models.Index(fields=["kind", "day"], name="signalcand_kind_day"),
            models.Index(fields=["order", "kind"], name="signalcand_order"),
            models.Index(fields=["phone_hash", "day"], name="signalcand_phone_day"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.day} order {self.order_id}"


class SignalPending(models.Model):
    """A key whose signal candidates are out of date: "o:<order id>" or
    "p:<YYYY-MM-01>:<phone hash>". Upserted by writers in their own transaction, consumed by
    `signal_store.signals_refresh_pending` before every read (same scheme as MetricPendingRefresh).
    """

    key = models.CharField(max_length=96, unique=True)
    marked_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.key
