"""Forms. Plain labels, no maxlength (phone voice typing must never be cut off silently: the
services check lengths and say what to do), and inputmode/autocomplete hints for phone keyboards."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

from qingzhuang.core.dates import EARLIEST_DATE
from qingzhuang.core.errors import ApplicationError
from qingzhuang.duties.models import Certificate, FeedbackKind, ListKind, WorkItem
from qingzhuang.duties.services import (
    check_feedback_date,
    check_task_date,
    latest_task_date,
)


def _text(
    label: StrOrPromise, help_text: StrOrPromise = "", required: bool = True, **attrs: str
) -> forms.CharField:
    widget_attrs = {"autocomplete": "off", "enterkeyhint": "next", **attrs}
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        widget=forms.TextInput(attrs=widget_attrs),
    )


def _area(
    label: StrOrPromise, help_text: StrOrPromise = "", required: bool = True, rows: int = 4
) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _checked_date(value: Any, check: Any) -> Any:
    """Run the service's date check here too, so the message sits next to the date box."""
    if value is not None:
        try:
            check(value)
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from exc
    return value


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        # <input type=date> only accepts ISO dates; a localised format would show an empty box.
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TaskForm(forms.Form):
    org_unit: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("交给哪个村(社区)"), queryset=None, empty_label=_("请选择村(社区)")
    )
    issuer = _text(_("交办单位"), _("谁交办的，例如“县农业农村局”“镇综治办”。"))
    title = _text(_("交办的事项"), _("一句话写清要村里做什么，可以用语音输入。"))
    detail = _area(_("具体要求（可不填）"), required=False, rows=3)
    assigned_on = forms.DateField(
        label=_("交办日期"), widget=DateInput(), initial=timezone.localdate
    )

    def __init__(self, *args: Any, villages: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = villages  # type: ignore[attr-defined]
        if villages.count() == 1:
            self.fields["org_unit"].initial = villages.first()
        self.fields["assigned_on"].widget.attrs.update(
            min=EARLIEST_DATE.isoformat(), max=latest_task_date().isoformat()
        )

    def clean_assigned_on(self) -> Any:
        return _checked_date(self.cleaned_data.get("assigned_on"), check_task_date)


class CheckForm(forms.Form):
    title = _text(_("交办的事项"))
    issuer = _text(_("交办单位"), required=False)
    detail = forms.CharField(required=False, widget=forms.HiddenInput)


class WorkItemForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = WorkItem
        fields = ["list_kind", "name", "keywords", "legal_basis", "source", "note", "is_active"]
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "off"}),
            "keywords": forms.Textarea(attrs={"rows": 3}),
            "legal_basis": forms.Textarea(attrs={"rows": 2}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.widget.attrs.pop("maxlength", None)
        self.fields["list_kind"].choices = ListKind.choices  # type: ignore[attr-defined]


class CertificateForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Certificate
        fields = [
            "name",
            "keywords",
            "village_may_issue",
            "where_instead",
            "conditions",
            "legal_basis",
            "source",
            "is_active",
        ]
        widgets = {
            "keywords": forms.Textarea(attrs={"rows": 2}),
            "where_instead": forms.Textarea(attrs={"rows": 3}),
            "conditions": forms.Textarea(attrs={"rows": 2}),
            "legal_basis": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.widget.attrs.pop("maxlength", None)


class CertificateLookupForm(forms.Form):
    q = forms.CharField(
        label=_("您要开什么证明？"),
        help_text=_("直接说或写证明的名字，例如“无犯罪记录证明”“居住证明”。"),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "enterkeyhint": "search", "inputmode": "search"}
        ),
    )


class FeedbackForm(forms.Form):
    issuer = _text(_("哪个单位提出的要求"), _("例如“县某某局”“镇某某办”。不清楚的写“不清楚”。"))
    kind = forms.ChoiceField(
        label=_("问题类型"), choices=FeedbackKind.choices, widget=forms.RadioSelect
    )
    occurred_on = forms.DateField(
        label=_("什么时候遇到的"), widget=DateInput(), initial=timezone.localdate
    )
    text = _area(
        _("具体情况"),
        _("说清楚要求做什么、多久一次、花了多少时间。可以点手机键盘上的话筒用语音输入。"),
        rows=5,
    )
    evidence = forms.FileField(
        label=_("佐证材料（可不传）"),
        required=False,
        help_text=_(
            "截图、照片、通知文件都可以，不超过 10 MB。匿名反映时，系统会去掉照片里的拍摄地点、"
            "手机型号和文件属性里的作者、单位；正文、批注和修订记录里写着的名字去不掉，"
            "请上传前看一看。"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,.pdf,.doc,.docx,.xls,.xlsx"}),
    )
    anonymous = forms.BooleanField(
        label=_("匿名反映"),
        required=False,
        help_text=_(
            "勾选后，系统不记录您的姓名、单位、IP 地址和浏览器信息，任何人都查不到是谁反映的。"
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["occurred_on"].widget.attrs.update(
            min=EARLIEST_DATE.isoformat(), max=timezone.localdate().isoformat()
        )

    def clean_occurred_on(self) -> Any:
        return _checked_date(self.cleaned_data.get("occurred_on"), check_feedback_date)


class AnswerForm(forms.Form):
    answer = _area(_("答复内容"), _("写清楚做了什么、结果如何，反映人会用查询码看到。"), rows=5)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("查询码"),
        help_text=_("提交反映时显示的查询码，形如 ABCD-EFGH-JKMN，不区分大小写。"),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "enterkeyhint": "search",
            }
        ),
    )
