"""What every page form shares."""

from __future__ import annotations

from django import forms
from django.utils.translation import pgettext


def errors_text(form: forms.BaseForm) -> str:
    """A bound form's errors as one line for a flash message: "最少样本：确保该值大于或等于1。".

    For the small settings forms that post from a table or a side panel and redirect back,
    where there is no form on the next page to show the errors beside their fields.
    """
    colon = pgettext("punctuation", "：")
    parts: list[str] = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = f"{field.label}{colon}" if field is not None and field.label else ""
        parts.extend(f"{label}{error}" for error in errors)
    # Django's messages end with "。" / "."; inside the joined line only the last one keeps it.
    ends = ("。", ".")
    return pgettext("punctuation", "；").join(
        [p.rstrip("".join(ends)) for p in parts[:-1]] + parts[-1:]
    )
