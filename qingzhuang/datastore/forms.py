"""Forms for the catalogue pages. They check what a field can check on its own (empty, too
long, not a number, a choice from the list); everything that needs the database (duplicate
names, units, numbers already stored) is checked by the services and shown on the same page."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from qingzhuang.datastore.catalogue import element_fingerprint
from qingzhuang.datastore.models import (
    CategoryOption,
    DataElement,
    PeriodType,
    RuleKind,
    ValueType,
)
from qingzhuang.datastore.rules import OUTLIER_RATIO
from qingzhuang.org.models import Department

ALIAS_SPLIT = re.compile(r"[\r\n,，、;；]+")
RATIO_MESSAGE = _("变化幅度请填 1 到 1000 之间的百分数，例如填 50，就是比上期增减一半以上时提醒")


class ElementForm(forms.Form):
    name = forms.CharField(
        label=_("名称"),
        max_length=255,
        help_text=_("这个数的正式叫法，例如“户籍人口”。同一个数只建一个数据元。"),
        error_messages={
            "required": _("请填写数据元名称，例如“户籍人口”"),
            "max_length": _("名称太长，请控制在 255 个字以内"),
        },
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    aliases = forms.CharField(
        label=_("别名（可不填）"),
        required=False,
        help_text=_("各部门报表上的其他说法，一行一个，或用顿号隔开，例如“户口人数、户籍人数”。"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    definition = forms.CharField(
        label=_("定义和口径（可不填）"),
        required=False,
        help_text=_("写清怎么统计，例如“截至年末在本村登记户籍的人数”。"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    unit = forms.CharField(
        label=_("计量单位"),
        required=False,
        max_length=32,
        help_text=_("例如 人、户、亩、万元；比率填 %。已经存了数值之后就不能再改。"),
        error_messages={"max_length": _("计量单位太长，请只写单位本身，例如“人”“万元”")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    value_type = forms.ChoiceField(
        label=_("值类型"),
        choices=ValueType.choices,
        initial=ValueType.NUMBER,
        error_messages={
            "required": _("请选择值类型"),
            "invalid_choice": _("请从列表中选择值类型：数值、整数或百分比"),
        },
    )
    period_type = forms.ChoiceField(
        label=_("多久填一次"),
        choices=PeriodType.choices,
        initial=PeriodType.YEAR,
        help_text=_("按月、按季还是按年填报。已经存了数值之后就不能再改。"),
        error_messages={
            "required": _("请选择多久填一次"),
            "invalid_choice": _("请从列表中选择时期类型：月、季或年"),
        },
    )
    owner = forms.ModelChoiceField(
        label=_("责任部门（一数一源）"),
        queryset=Department.objects.order_by("name"),
        required=False,
        empty_label=_("（暂不指定）"),
        help_text=_("这个数以哪个部门的口径为准。"),
        error_messages={"invalid_choice": _("所选部门不存在，请刷新页面后重选")},
    )
    additive = forms.BooleanField(
        label=_("各村的数可以相加，得到全镇合计"),
        required=False,
        initial=True,
        help_text=_("人数、户数、面积可以相加；比率、平均数、价格不能相加，请取消勾选。"),
    )
    options = forms.ModelMultipleChoiceField(
        label=_("分开填报的分类（可不选）"),
        queryset=CategoryOption.objects.order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("这个数要按男/女、年龄段等分开填时才勾选。建好后也可以在编辑页添加或移除。"),
        error_messages={"invalid_choice": _("所选分类不存在，请刷新页面后重选")},
    )
    # What the element held when the edit page was opened; a save over a later change is
    # refused. Kept as posted when the page is shown again, so only reloading clears a conflict.
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args: Any, with_options: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_options or not CategoryOption.objects.exists():
            del self.fields["options"]
        if not self.initial.get("fingerprint"):
            del self.fields["fingerprint"]  # a new element has nothing to be stale against

    def clean_aliases(self) -> list[str]:
        text = self.cleaned_data.get("aliases") or ""
        return [a.strip() for a in ALIAS_SPLIT.split(text) if a.strip()]

    @staticmethod
    def initial_for(element: DataElement) -> dict[str, Any]:
        return {
            "name": element.name,
            "aliases": "\n".join(str(a) for a in element.aliases or []),
            "definition": element.definition,
            "unit": element.unit,
            "value_type": element.value_type,
            "period_type": element.period_type,
            "owner": element.owner_id,
            "additive": element.additive,
            "fingerprint": element_fingerprint(element=element),
        }


class OptionForm(forms.Form):
    code = forms.CharField(
        label=_("编码（可不填）"),
        required=False,
        max_length=32,
        help_text=_("导入导出文件里用它，例如 M、F、AGE60；不填就自动编号。建好后不能改。"),
        error_messages={"max_length": _("分类编码最多 32 个字符")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    name = forms.CharField(
        label=_("名称"),
        max_length=50,
        help_text=_("报表上的说法，例如“男”“60岁以上”。"),
        error_messages={
            "required": _("请填写分类名称，例如“男”“60岁以上”"),
            "max_length": _("分类名称太长，请控制在 50 个字以内"),
        },
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, with_code: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_code:
            del self.fields["code"]


def _element_label(e: DataElement) -> str:
    return f"{e.name}（{e.unit or gettext('未填单位')}）· {e.code}"


class RuleForm(forms.Form):
    """One form for every rule kind; the page shows only the fields the chosen kind uses."""

    kind = forms.ChoiceField(
        label=_("规则类型"),
        choices=RuleKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择规则类型"),
            "invalid_choice": _("请从列表中选择规则类型"),
        },
    )
    parts = forms.MultipleChoiceField(
        label=_("分项（至少选两个，按住 Ctrl 多选）"),
        required=False,
        help_text=_("这些分项加起来应当等于本数据元，例如“男性人口”和“女性人口”。"),
        error_messages={"invalid_choice": _("所选分项不存在，请刷新页面后重选")},
    )
    total = forms.ChoiceField(
        label=_("总数"),
        required=False,
        help_text=_("本数据元是它的“其中项”，不能比它大，例如老年人口不大于户籍人口。"),
        error_messages={"invalid_choice": _("所选总数不存在，请刷新页面后重选")},
    )
    ratio_percent = forms.DecimalField(
        label=_("比上期增减超过多少就提醒（%）"),
        required=False,
        min_value=Decimal(1),
        max_value=Decimal(1000),
        max_digits=6,
        decimal_places=1,
        error_messages={
            "invalid": RATIO_MESSAGE,
            "min_value": RATIO_MESSAGE,
            "max_value": RATIO_MESSAGE,
            "max_digits": RATIO_MESSAGE,
            "max_decimal_places": RATIO_MESSAGE,
        },
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
    )
    is_error = forms.TypedChoiceField(
        label=_("不通过时"),
        choices=[("1", _("不许保存（错误）")), ("0", _("只提醒核实，仍可保存（警告）"))],
        coerce=lambda v: v == "1",
        empty_value=None,
        required=False,
        initial="1",
        widget=forms.RadioSelect,
    )
    name = forms.CharField(
        label=_("规则名称（可不填）"),
        required=False,
        max_length=255,
        help_text=_("填报时的提示里会用到它；不填就按规则内容自动起名。"),
        error_messages={"max_length": _("规则名称太长，请控制在 255 个字以内")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, element: DataElement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.element = element
        same: list[tuple[str, str]] = []
        rest: list[tuple[str, str]] = []
        for e in DataElement.objects.exclude(pk=element.pk).order_by("code"):
            fits = e.unit.strip() == element.unit.strip() and e.period_type == element.period_type
            (same if fits else rest).append((e.code, _element_label(e)))
        unit = element.unit or gettext("未填单位")
        groups: list[tuple[str, list[tuple[str, str]]]] = []
        if same:
            groups.append((gettext("单位和时期相同（%(unit)s），可以比较") % {"unit": unit}, same))
        if rest:
            groups.append((gettext("单位或时期不同"), rest))
        self.fields["parts"].choices = groups  # type: ignore[attr-defined]
        self.fields["total"].choices = [("", gettext("（请选择）")), *groups]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        others: list[str] = []
        ratio = OUTLIER_RATIO
        if kind == RuleKind.SUM_EQUALS:
            others = list(data.get("parts") or [])
            if len(others) < 2 and "parts" not in self.errors:
                self.add_error("parts", _("请至少选两个分项"))
        elif kind == RuleKind.NOT_ABOVE:
            others = [data["total"]] if data.get("total") else []
            if not others and "total" not in self.errors:
                self.add_error("total", _("请选总数：本数据元不能大于哪个数"))
        elif kind == RuleKind.OUTLIER:
            percent = data.get("ratio_percent")
            if percent is not None:
                ratio = float(percent) / 100
            elif "ratio_percent" not in self.errors:
                self.add_error("ratio_percent", _("请填写变化幅度，例如 50"))
        data["others"] = others
        data["ratio"] = ratio
        if data.get("is_error") is None:
            data["is_error"] = True
        return data

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "name": d.get("name", ""),
            "kind": d["kind"],
            "others": d["others"],
            "ratio": d["ratio"],
            "is_error": d["is_error"],
        }

    def error_field(self, field: str) -> str | None:
        """Where a service error belongs on this form."""
        kind = self.data.get("kind") if self.is_bound else ""
        if field == "others":
            return "parts" if kind == RuleKind.SUM_EQUALS else "total"
        if field == "ratio":
            return "ratio_percent"
        return field if field in self.fields else None

    @staticmethod
    def initial_for(rule: Any) -> dict[str, Any]:
        others = list(rule.others or [])
        return {
            "kind": rule.kind,
            "parts": others if rule.kind == RuleKind.SUM_EQUALS else [],
            "total": others[0] if rule.kind == RuleKind.NOT_ABOVE and others else "",
            "ratio_percent": f"{rule.ratio * 100:g}",
            "is_error": "1" if rule.is_error else "0",
            "name": rule.name,
        }
