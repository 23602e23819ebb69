"""gettext for the pure engines (sheets, matching, textclass), which also run without Django.

Inside the app, the CLI and the tests Django is set up, and these are Django's own functions, so
messages follow the active language (the English catalogue translates them). In plain Python
(bench scripts, a notebook) they return the Chinese source text. makemessages finds the calls
because the names are the standard gettext keywords.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType


def _translation() -> ModuleType | None:
    try:
        from django.apps import apps
    except ImportError:  # pragma: no cover - Django is a dependency of the product
        return None
    if not apps.ready:
        return None
    from django.utils import translation

    return translation


def gettext(message: str) -> str:
    translation = _translation()
    return message if translation is None else translation.gettext(message)


def ngettext(singular: str, plural: str, number: int) -> str:
    translation = _translation()
    if translation is None:
        return singular if number == 1 else plural
    return translation.ngettext(singular, plural, number)


def pgettext(context: str, message: str) -> str:
    translation = _translation()
    return message if translation is None else translation.pgettext(context, message)


def join_list(items: Iterable[str]) -> str:
    """Join items inside a sentence with the page language's enumeration comma: "甲、乙" / "A, B".

    The same catalogue entry as the `join_list` template filter (context "punctuation").
    """
    return pgettext("punctuation", "、").join(items)


def join_clauses(items: Iterable[str]) -> str:
    """Join whole clauses (several problems in one message) with "；" / "; "."""
    return pgettext("punctuation", "；").join(items)


def gettext_noop(message: str) -> str:
    """Mark a constant for extraction; translate it later with gettext()."""
    return message
