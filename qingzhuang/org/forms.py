from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qingzhuang.org.models import OrgLevel, OrgUnit


class OrgUnitForm(forms.Form):
    code = forms.CharField(label=_("行政区划代码"), max_length=32)
    name = forms.CharField(label=_("名称"), max_length=100)
    level = forms.ChoiceField(label=_("层级"), choices=OrgLevel.choices)
    parent = forms.ModelChoiceField(
        label=_("上级单位"), queryset=OrgUnit.objects.none(), required=False
    )

    def __init__(self, *args: object, parents: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if parents is not None:
            self.fields["parent"].queryset = parents  # type: ignore[attr-defined]


class OrgImportForm(forms.Form):
    file = forms.FileField(
        label=_("单位清单 CSV"),
        help_text=_("列：code, name, parent_code, level（UTF-8 或 GBK 编码）"),
    )


class TokenForm(forms.Form):
    name = forms.CharField(label=_("令牌用途"), max_length=100, initial="API")
