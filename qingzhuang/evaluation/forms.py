"""Page forms for the evaluation settings and schemes (the services check the rules again)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qingzhuang.evaluation.models import (
    FAST_CALLBACK_MAX_MINUTES,
    MAX_FREQUENCY_PER_YEAR,
    MAX_MIN_SAMPLE,
    PeriodType,
    SatisfactionMode,
)


class MetricSettingsForm(forms.Form):
    satisfaction_mode = forms.ChoiceField(label=_("满意率口径"), choices=SatisfactionMode.choices)
    partly_weight = forms.FloatField(label=_("部分解决权重"), min_value=0, max_value=1)
    min_sample = forms.IntegerField(label=_("最少样本"), min_value=1, max_value=MAX_MIN_SAMPLE)


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
