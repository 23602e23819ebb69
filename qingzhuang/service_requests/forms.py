"""Forms for the public intake, staff entry, actions, duty list and 12345 import."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qingzhuang.service_requests.models import Channel, RequestType, Resolution, Satisfaction

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
    category = forms.CharField(
        label=_("分类(选填，不填由系统建议)"), max_length=100, required=False
    )
    id_number = forms.CharField(label=_("身份证号(选填)"), max_length=32, required=False)
    external_id = forms.CharField(label=_("外部编号(如12345工单号)"), max_length=64, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
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
    note = forms.CharField(
        label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DutyRuleForm(forms.Form):
    category = forms.CharField(label=_("分类"), max_length=100)
    area = forms.ChoiceField(label=_("适用区域"), required=False)
    lead_unit = forms.ChoiceField(label=_("主办单位(不选=问题所在村)"), required=False)
    lead_office = forms.CharField(label=_("主办站所/科室"), max_length=100, required=False)
    assisting_units = forms.MultipleChoiceField(label=_("协办单位"), required=False)
    department = forms.ChoiceField(label=_("属县级部门事项：部门"), required=False)
    reason = forms.CharField(label=_("依据/理由"), max_length=300, required=False)

    def __init__(
        self,
        *args: Any,
        units: list[tuple[str, str]],
        departments: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", "全镇"), *units]  # type: ignore[attr-defined]
        self.fields["lead_unit"].choices = [("", "问题所在村(社区)"), *units]  # type: ignore[attr-defined]
        self.fields["assisting_units"].choices = units  # type: ignore[attr-defined]
        self.fields["department"].choices = [("", "—"), *departments]  # type: ignore[attr-defined]


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
