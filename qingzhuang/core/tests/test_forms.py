"""The one-line summary of a form's errors used by the small settings forms."""

from __future__ import annotations

import pytest
from django import forms
from django.utils import translation

from qingzhuang.core.forms import errors_text


class _Limits(forms.Form):
    days = forms.IntegerField(label="办结时限", min_value=1)
    remind = forms.IntegerField(label="提前提醒", min_value=0)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-hans", "办结时限：输入整数；提前提醒：确保该值大于或等于0。"),
        (
            "en",
            "办结时限: Enter a whole number; 提前提醒: Ensure this value is greater than or equal to 0.",
        ),
    ],
)
def test_errors_join_into_one_line_with_one_full_stop(language: str, expected: str) -> None:
    with translation.override(language):
        form = _Limits({"days": "x", "remind": "-1"})
        assert not form.is_valid()
        assert errors_text(form) == expected
