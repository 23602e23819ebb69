"""Page forms for the evaluation settings and schemes (the services check the rules again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qingzhuang.evaluation.models import (
    FAST_CALLBACK_MAX_MINUTES,
    MAX_FREQUENCY_PER_YEAR,
    MAX_MIN_SAMPLE,
    Direction,
    EvaluationScheme,
    IndicatorKind,
    PeriodType,
    SatisfactionMode,
)

WEIGHT_FIELDS = ("weight_satisfied", "weight_fairly", "weight_dissatisfied")


class MetricSettingsForm(forms.Form):
    """Django's FloatField already refuses nan/inf; the ordering rule is checked in the service
    too (against the stored weights when a field is left out)."""

    satisfaction_mode = forms.ChoiceField(label=_("满意率口径"), choices=SatisfactionMode.choices)
    weight_satisfied = forms.FloatField(
        label=_("满意权重"), min_value=0, max_value=1, required=False
    )
    weight_fairly = forms.FloatField(
        label=_("基本满意权重"), min_value=0, max_value=1, required=False
    )
    weight_dissatisfied = forms.FloatField(
        label=_("不满意权重"), min_value=0, max_value=1, required=False
    )
    partly_weight = forms.FloatField(label=_("部分解决权重"), min_value=0, max_value=1)
    min_sample = forms.IntegerField(label=_("最少样本"), min_value=1, max_value=MAX_MIN_SAMPLE)

    def changes(self) -> dict[str, Any]:
        """cleaned_data without the weights left empty (they keep their stored values)."""
        return {
            k: v for k, v in self.cleaned_data.items() if not (k in WEIGHT_FIELDS and v is None)
        }


class SignalSettingsForm(forms.Form):
    fast_callback_minutes = forms.IntegerField(
        label=_("“秒回访”分钟数"), min_value=1, max_value=FAST_CALLBACK_MAX_MINUTES
    )
    phone_many_orders = forms.IntegerField(
        label=_("同一号码评价工单数"), min_value=2, max_value=MAX_MIN_SAMPLE
    )


class SchemeForm(forms.Form):
    name = forms.CharField(label=_("方案名称"), max_length=200)
    period_type = forms.ChoiceField(label=_("考核周期"), choices=PeriodType.choices)
    frequency_per_year = forms.IntegerField(
        label=_("每年考核次数"), min_value=1, max_value=MAX_FREQUENCY_PER_YEAR
    )


class IndicatorForm(forms.Form):
    """The 新增或修改指标 panel; the service checks the formula and the floor/target rules."""

    code = forms.CharField(label=_("编码"), max_length=64)
    name = forms.CharField(label=_("名称"), max_length=200)
    formula = forms.CharField(label=_("公式"), max_length=500)
    unit = forms.CharField(label=_("单位"), max_length=32, required=False)
    direction = forms.ChoiceField(label=_("方向"), choices=Direction.choices)
    kind = forms.ChoiceField(label=_("类别"), choices=IndicatorKind.choices)
    baseline = forms.FloatField(label=_("基线"), required=False)
    floor = forms.FloatField(label=_("底线"))
    target = forms.FloatField(label=_("目标"))
    tags = forms.CharField(label=_("标签"), required=False)
    scheme = forms.ModelChoiceField(
        label=_("考核方案"), queryset=EvaluationScheme.objects.all(), required=False
    )
    weight = forms.FloatField(label=_("权重"), min_value=0, required=False)

    def clean_tags(self) -> list[str]:
        text = self.cleaned_data.get("tags") or ""
        return [t.strip() for t in text.replace("，", ",").split(",") if t.strip()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if (
            data.get("scheme") is not None
            and data.get("weight") is None
            and "weight" not in self.errors
        ):
            self.add_error("weight", self.fields["weight"].error_messages["required"])
        return data

    def indicator_fields(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("scheme", "weight")}
