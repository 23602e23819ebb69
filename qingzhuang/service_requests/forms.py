"""Forms for the public intake, staff entry, actions, duty list and 12345 import."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qingzhuang.core.errors import InvalidInput
from qingzhuang.service_requests.models import Channel, RequestType, Resolution, Satisfaction
from qingzhuang.service_requests.phones import normalise_phone
from qingzhuang.service_requests.workflow import MAX_NOTE

STAFF_CHANNELS = [
    (Channel.PHONE, Channel.PHONE.label),
    (Channel.WALK_IN, Channel.WALK_IN.label),
    (Channel.HOTLINE_12345, Channel.HOTLINE_12345.label),
    (Channel.WECHAT, Channel.WECHAT.label),
]


class PublicIntakeForm(forms.Form):
    village = forms.ChoiceField(label=_("问题在哪个村(社区)"))
    request_type = forms.ChoiceField(
        label=_("您要"),
        choices=RequestType.choices,
        initial=RequestType.HELP,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("请说说是什么事（录了语音可以不写）"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 5, "placeholder": "例如：三组村道有个大坑，晚上看不见，容易摔跤"}
        ),
    )
    voice = forms.FileField(
        label=_("不方便打字？录一段语音(选填，最长60秒)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "audio/*"}),
    )
    location = forms.CharField(label=_("具体位置(选填)"), max_length=200, required=False)
    photo = forms.FileField(label=_("照片(选填，最多8MB)"), required=False)
    phone = forms.CharField(
        label=_("联系电话(选填，方便回访)"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    name = forms.CharField(label=_("称呼(选填)"), max_length=50, required=False)
    client_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=80)

    def __init__(self, *args: Any, villages: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [("", "请选择"), *villages]  # type: ignore[attr-defined]

    def clean_phone(self) -> str:
        try:
            return normalise_phone(self.cleaned_data.get("phone") or "")
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from exc

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            "voice" in self.fields
            and not (data.get("text") or "").strip()
            and not data.get("voice")
        ):
            raise forms.ValidationError(
                _("请写几句话说明是什么事，或者点“开始录音”录一段语音（两样有一样就行）。")
            )
        return data


class StaffEntryForm(PublicIntakeForm):
    channel = forms.ChoiceField(label=_("来源"), choices=STAFF_CHANNELS)
    subject = forms.CharField(label=_("标题(选填)"), max_length=200, required=False)
    category = forms.ChoiceField(label=_("分类(选填，不填由系统建议)"), required=False)
    id_number = forms.CharField(label=_("身份证号(选填)"), max_length=32, required=False)
    external_id = forms.CharField(label=_("外部编号(如12345工单号)"), max_length=64, required=False)

    def __init__(self, *args: Any, categories: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [  # type: ignore[attr-defined]
            ("", _("由系统建议")),
            *[(c, c) for c in categories],
        ]
        # Staff type what they heard; voice messages come from residents on the public page.
        del self.fields["voice"]
        self.fields["text"].required = True
        self.fields["text"].label = _("诉求内容")


class StatusLookupForm(forms.Form):
    code = forms.CharField(label=_("查询码"), max_length=16)


class CallbackForm(forms.Form):
    resolved = forms.ChoiceField(
        label=_("问题解决了吗"), choices=Resolution.choices, widget=forms.RadioSelect
    )
    satisfaction = forms.ChoiceField(
        label=_("您满意吗"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("还想说的(选填)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NoteForm(forms.Form):
    """The note, reason or result typed with a work-order action (the service checks it too)."""

    note = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RecategoriseForm(forms.Form):
    """改分类: a choice among the known categories, never free text (a typo would split them)."""

    category = forms.ChoiceField(label=_("分类"))

    def __init__(self, *args: Any, categories: list[str], current: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = [*categories, *([current] if current and current not in categories else [])]
        self.fields["category"].choices = [(c, c) for c in names]  # type: ignore[attr-defined]
        self.fields["category"].error_messages["invalid_choice"] = _(
            "没有“%(value)s”这个分类，请从列表中选择。需要新分类的，请先在权责清单中添加。"
        )


class DutyRuleForm(forms.Form):
    category = forms.ChoiceField(label=_("分类"), required=False)
    new_category = forms.CharField(
        label=_("新分类（列表里没有时才填）"), max_length=20, required=False
    )
    area = forms.ChoiceField(label=_("适用区域"), required=False)
    lead_unit = forms.ChoiceField(label=_("主办单位(不选=问题所在村)"), required=False)
    lead_office = forms.CharField(label=_("主办站所/科室"), max_length=100, required=False)
    assisting_units = forms.MultipleChoiceField(label=_("协办单位"), required=False)
    department = forms.ChoiceField(label=_("属县级部门事项：部门"), required=False)
    reason = forms.CharField(label=_("依据/理由"), max_length=300, required=False)
    replace = forms.BooleanField(label=_("已有规则，确认替换"), required=False)

    def __init__(
        self,
        *args: Any,
        units: list[tuple[str, str]],
        departments: list[tuple[str, str]],
        categories: list[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *[(c, c) for c in categories],
        ]
        self.fields["category"].error_messages["invalid_choice"] = _(
            "没有“%(value)s”这个分类。请从列表中选择；确实要新增分类的，请填在“新分类”一栏。"
        )
        self.fields["area"].choices = [("", "全镇"), *units]  # type: ignore[attr-defined]
        self.fields["lead_unit"].choices = [("", "问题所在村(社区)"), *units]  # type: ignore[attr-defined]
        self.fields["assisting_units"].choices = units  # type: ignore[attr-defined]
        self.fields["department"].choices = [("", "—"), *departments]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        new = (data.get("new_category") or "").strip()
        if data.get("category") and new:
            raise forms.ValidationError(_("分类请从列表中选一个，或者填新分类，不要两样都填。"))
        if not data.get("category") and not new and "category" not in self.errors:
            raise forms.ValidationError(_("请选择分类；列表里没有的，填在“新分类”一栏。"))
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label=_("12345 导出文件 (CSV / XLSX)"))
    text_column = forms.CharField(label=_("诉求内容所在列"), initial="诉求内容")
    village_column = forms.CharField(
        label=_("村(社区)所在列"), initial="所属村社区", required=False
    )
    type_column = forms.CharField(label=_("诉求类型所在列"), initial="诉求类型", required=False)
    phone_column = forms.CharField(label=_("来电号码所在列"), initial="来电号码", required=False)
    name_column = forms.CharField(label=_("姓名所在列"), initial="来电人", required=False)
    external_id_column = forms.CharField(
        label=_("工单编号所在列"), initial="工单编号", required=False
    )
    time_column = forms.CharField(label=_("来电时间所在列"), initial="来电时间", required=False)
    category_column = forms.CharField(label=_("分类所在列"), initial="", required=False)
    location_column = forms.CharField(label=_("地址所在列"), initial="事发地址", required=False)


class SlaPolicyForm(forms.Form):
    """One row of the 办理时限 table; the service checks how the three numbers relate."""

    request_type = forms.ChoiceField(label=_("诉求类型"), choices=RequestType.choices)
    response_days = forms.IntegerField(label=_("响应时限（工作日）"), min_value=1)
    resolution_days = forms.IntegerField(label=_("办结时限（工作日）"), min_value=1)
    remind_before_days = forms.IntegerField(label=_("提前提醒（工作日）"), min_value=0)
