from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from qingzhuang.org.models import Department, OrgLevel, OrgUnit, Role, User

# The level a new unit most likely has, below the admin's own unit.
CHILD_LEVEL = {
    OrgLevel.COUNTY: OrgLevel.TOWNSHIP,
    OrgLevel.TOWNSHIP: OrgLevel.VILLAGE,
    OrgLevel.VILLAGE: OrgLevel.GRID,
    OrgLevel.COMMUNITY: OrgLevel.GRID,
}


class OrgUnitForm(forms.Form):
    code = forms.CharField(label=_("行政区划代码"), max_length=32)
    name = forms.CharField(label=_("名称"), max_length=100)
    level = forms.ChoiceField(label=_("层级"), choices=OrgLevel.choices)
    parent = forms.ModelChoiceField(
        label=_("上级单位"), queryset=OrgUnit.objects.none(), required=False
    )

    def __init__(
        self,
        *args: object,
        parents: object = None,
        parent_required: bool = False,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if parents is not None:
            self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
        if parent_required:
            self.fields["parent"].required = True
            self.fields["parent"].error_messages["required"] = _("请选择上级单位")


def unit_form_initial(own_unit: OrgUnit | None) -> dict[str, Any]:
    """Pre-select the admin's own unit as parent and the level below it (a village under a
    township), the most common addition."""
    if own_unit is None or own_unit.level not in CHILD_LEVEL:
        return {}
    return {"level": CHILD_LEVEL[OrgLevel(own_unit.level)], "parent": own_unit.pk}


class OrgImportForm(forms.Form):
    file = forms.FileField(
        label=_("单位清单 CSV"),
        help_text=_("列：code, name, parent_code, level（UTF-8 或 GBK 编码）"),
    )


NEVER = "never"


class TokenForm(forms.Form):
    name = forms.CharField(label=_("令牌用途"), max_length=100, initial="API")
    expires = forms.ChoiceField(
        label=_("有效期"),
        choices=[
            ("30", _("30 天")),
            ("90", _("90 天")),
            ("365", _("1 年")),
            (NEVER, _("永不过期")),
        ],
        initial="90",
        help_text=_("到期后令牌自动失效，需要重新生成。"),
    )

    def expires_in_days(self) -> int | None:
        value = self.cleaned_data["expires"]
        return None if value == NEVER else int(value)


class PersonFilterForm(forms.Form):
    role = forms.ChoiceField(
        label=_("角色"), choices=[("", _("全部")), *Role.choices], required=False
    )
    q = forms.CharField(
        label=_("查找"),
        required=False,
        max_length=50,
        widget=forms.TextInput(
            attrs={"type": "search", "size": 16, "placeholder": _("姓名、用户名或单位")}
        ),
    )


class PersonForm(forms.Form):
    """What an admin may set on an account; the unit list is limited to the admin's scope."""

    display_name = forms.CharField(label=_("姓名"), max_length=50)
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices, initial=Role.VILLAGE_WORKER)
    org_unit = forms.ModelChoiceField(
        label=_("所属单位"),
        queryset=OrgUnit.objects.none(),
        help_text=_("决定此人能看到哪些单位的数据。"),
    )
    department = forms.ModelChoiceField(
        label=_("所属部门"),
        queryset=Department.objects.all(),
        required=False,
        help_text=_("部门工作人员必填，其他角色可不填。"),
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("role") == Role.DEPARTMENT_STAFF and not cleaned.get("department"):
            self.add_error("department", _("部门工作人员请选择所属部门。"))
        return cleaned


class PersonCreateForm(PersonForm):
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("登录时用，建立后不能修改。可用字母、数字和 @ . + - _"),
    )
    password = forms.CharField(
        label=_("初始密码"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "留空则由系统生成，建立后只显示一次。自己填写时至少 8 位，不能全是数字，也不能太常见。"
        ),
    )

    field_order = ["username", "display_name", "role", "org_unit", "department", "password"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            probe = User(
                username=cleaned.get("username", ""), display_name=cleaned.get("display_name", "")
            )
            try:
                password_validation.validate_password(password, probe)
            except ValidationError as exc:
                self.add_error("password", exc)
        return cleaned
