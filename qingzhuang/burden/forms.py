"""Page forms for the burden ledger (plain labels; they work with phone voice typing)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qingzhuang.burden import limits
from qingzhuang.burden.models import (
    AdmissionReview,
    Demand,
    DemandKind,
    EstimateKind,
    IssuerLevel,
    ReviewStatus,
    Rule,
)
from qingzhuang.burden.services import demand_fingerprint
from qingzhuang.org.models import Department

ESTIMATE = ["respondents", "frequency_per_year", "hours_per_response", "preparation_hours"]
KIND_FIELDS = {
    "report": ["template", "respondents", "frequency_per_year", "hours_per_response"],
    "document": ["chars", "asks_followup", "specific_task"],
    "meeting": ["duration_minutes", "attendees", "level", "covered_by_document"],
    "inspection": ["approval_code", "preparation_hours"],
    "app": ["demand_text", "frequency_per_year"],
}


# <input type="date"> only takes ISO dates; the zh-hans display format (2026/04/01) blanks it.
ISO_DATE = "%Y-%m-%d"


def number_field(model: type[models.Model], name: str, **kwargs: Any) -> forms.Field:
    """The form field for a number the model keeps, bounded as the model can hold it (digits
    and decimal places of a DecimalField; the portable integer range, see `limits`)."""
    kwargs.setdefault("max_value", limits.max_value(model, name))
    kwargs.setdefault("min_value", 0)
    if isinstance(model._meta.get_field(name), models.DecimalField):
        kwargs.setdefault("max_digits", None)  # max_value says it plainly; decimal places stay
    field = model._meta.get_field(name).formfield(**kwargs)  # type: ignore[union-attr]
    assert field is not None  # noqa: S101 - a number field always has a form field
    return field


class LedgerDateField(forms.DateField):
    """A received or deadline date within the range the ledger accepts (see `limits`)."""

    def validate(self, value: Any) -> None:
        super().validate(value)
        problem = limits.date_problem(value) if value else ""
        if problem:
            raise forms.ValidationError(problem, code="out_of_range")


class DemandForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=DemandKind.choices)
    title = forms.CharField(label=_("名称"), max_length=255)
    issuer = forms.ModelChoiceField(
        label=_("下达部门"), queryset=Department.objects.all(), required=False
    )
    issuer_new = forms.CharField(label=_("或填写新部门名称"), max_length=100, required=False)
    received = LedgerDateField(
        label=_("收到日期"),
        initial=timezone.localdate,
        widget=forms.DateInput(format=ISO_DATE, attrs={"type": "date"}),
    )
    deadline = LedgerDateField(
        label=_("截止日期"),
        required=False,
        widget=forms.DateInput(format=ISO_DATE, attrs={"type": "date"}),
    )
    chars = number_field(Demand, "chars", label=_("字数"), required=False)
    asks_followup = forms.BooleanField(label=_("要求乡镇配套发文或再报材料"), required=False)
    specific_task = forms.NullBooleanField(
        label=_("部署专项工作/具体任务"),
        required=False,
        widget=forms.Select(
            choices=[("unknown", _("按标题判断")), ("true", _("是")), ("false", _("否"))]
        ),
    )
    duration_minutes = number_field(
        Demand, "duration_minutes", label=_("会议时长(分钟)"), required=False
    )
    attendees = number_field(Demand, "attendees", label=_("参会人数"), required=False)
    level = forms.ChoiceField(
        label=_("会议层级"), choices=[("", "—"), *IssuerLevel.choices], required=False
    )
    covered_by_document = forms.BooleanField(label=_("已有文件部署过"), required=False)
    approval_code = forms.CharField(label=_("审批编码(一事一码)"), max_length=64, required=False)
    demand_text = forms.CharField(
        label=_("具体要求"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    template: forms.ModelChoiceField = forms.ModelChoiceField(  # type: ignore[type-arg]
        label=_("报表模板"),
        queryset=None,
        required=False,  # type: ignore[arg-type]
    )
    respondents = number_field(
        Demand, "respondents", label=_("填报单位(人)数"), min_value=1, required=False, initial=None
    )
    frequency_per_year = number_field(
        Demand, "frequency_per_year", label=_("每年次数"), min_value=1, required=False, initial=None
    )
    hours_per_response = number_field(
        Demand, "hours_per_response", label=_("每次耗时(小时)"), required=False, initial=None
    )
    preparation_hours = number_field(
        Demand, "preparation_hours", label=_("准备时间(小时)"), required=False, initial=None
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from qingzhuang.reporting.models import ReportTemplate

        self.fields["template"].queryset = ReportTemplate.objects.all()  # type: ignore[attr-defined]


EDIT_COMMON = ["title", "issuer", "issuer_new", "received", "deadline"]


class DemandEditForm(DemandForm):
    """The entry form prefilled from a stored demand, plus how a change of hours counts."""

    estimate_kind = forms.ChoiceField(
        label=_("如果负担时间因此改变，属于"),
        choices=[
            (EstimateKind.RE_ESTIMATE, _("更正登记错误（重新估算）")),
            (EstimateKind.PROGRAM_CHANGE, _("上级改变了要求（实际要求变化）")),
        ],
        initial=EstimateKind.RE_ESTIMATE,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("修改说明（可不填）"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # What the demand held when the page was opened; a save over a later change is refused.
    # Kept as posted when the page is shown again, so only reloading the page clears a conflict.
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    @staticmethod
    def shown_fields(kind: str) -> list[str]:
        """The fields the edit page shows for a kind: the entry page's, and always the estimate."""
        own = [f for f in KIND_FIELDS[kind] if f not in ESTIMATE]
        return [*EDIT_COMMON, *own, *ESTIMATE, "estimate_kind", "reason"]

    @staticmethod
    def initial_for(demand: Demand) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(demand, name)
            for name in ("kind", "title", "received", "deadline", "chars", "asks_followup",
                         "duration_minutes", "attendees", "level", "covered_by_document",
                         "approval_code", "demand_text", *ESTIMATE)
        }  # fmt: skip
        initial["fingerprint"] = demand_fingerprint(demand=demand)
        initial["issuer"] = demand.issuer_id
        initial["template"] = demand.template_id
        initial["specific_task"] = {None: "unknown", True: "true", False: "false"}[
            demand.specific_task
        ]
        return initial


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("事项清单 (CSV 或 xlsx)"),
        help_text=_(
            "列：kind,title,issuer,received,deadline,chars,asks_followup,duration_minutes,"
            "covered_by_document,approval_code,demand"
        ),
    )
    store = forms.BooleanField(label=_("检查后入账（不勾选则只检查）"), required=False)


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("文件 (docx/doc/pdf/txt)"))
    upper = forms.FileField(label=_("上级原文件（可选，用于查照搬）"), required=False)
    demand = forms.IntegerField(widget=forms.HiddenInput, required=False)


class RuleForm(forms.ModelForm):  # type: ignore[type-arg]
    # Bounded here, so a negative or huge threshold gets a plain message, never the name of
    # the database constraint behind it.
    threshold = number_field(
        Rule, "threshold", required=False,
        error_messages={"min_value": _("阈值不能为负数。")},
    )  # fmt: skip
    threshold_alt = number_field(
        Rule, "threshold_alt", required=False,
        error_messages={"min_value": _("阈值不能为负数。")},
    )  # fmt: skip

    class Meta:
        model = Rule
        fields = [
            "title",
            "enabled",
            "threshold",
            "threshold_alt",
            "keywords",
            "exceptions",
            "citation",
        ]
        widgets = {
            "keywords": forms.Textarea(attrs={"rows": 2}),
            "exceptions": forms.Textarea(attrs={"rows": 2}),
            "citation": forms.Textarea(attrs={"rows": 4}),
        }


class AdmissionForm(forms.Form):
    title = forms.CharField(label=_("报表名称"), max_length=255)
    file = forms.FileField(label=_("空白表样 (xlsx/xls/csv/docx)"))
    department = forms.ModelChoiceField(label=_("申请部门"), queryset=Department.objects.all())
    year = forms.IntegerField(label=_("年度"))  # bounded in __init__: the year moves on
    legal_basis = forms.CharField(label=_("依据文件"), max_length=255, required=False)
    respondents = number_field(AdmissionReview, "respondents", label=_("填报单位数"), min_value=1)
    frequency_per_year = number_field(
        AdmissionReview, "frequency_per_year", label=_("每年填报次数"), min_value=1
    )
    hours_per_response = number_field(
        AdmissionReview, "hours_per_response", label=_("每次耗时(小时)")
    )
    preparation_hours = number_field(
        AdmissionReview, "preparation_hours", label=_("准备时间(小时)")
    )

    def __init__(self, *args: Any, department: Department | None = None, **kwargs: Any) -> None:
        """Given a department, it is the only one offered (department staff submit for their
        own); the year's upper bound moves with the calendar."""
        super().__init__(*args, **kwargs)
        self.fields["year"] = forms.IntegerField(
            label=_("年度"), min_value=limits.EARLIEST_YEAR, max_value=limits.latest_year()
        )
        if department is not None:
            choice: Any = self.fields["department"]
            choice.queryset = Department.objects.filter(pk=department.pk)
            choice.empty_label = None


class DecisionForm(forms.Form):
    status = forms.ChoiceField(
        label=_("审查结论"),
        choices=[c for c in ReviewStatus.choices if c[0] != ReviewStatus.PENDING],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}))
