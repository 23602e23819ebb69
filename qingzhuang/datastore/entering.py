"""Data entry: the numbers a person types on one village's page for one period.

The page asks for numbers not yet known and offers corrections of known ones. Two people may
have the page open at once, so the page says what each number was when it was shown
(``entry_token``) and a save over a number that changed since is refused instead of silently
replacing the other person's figure, the way burden refuses a stale edit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext, ngettext

from qingzhuang.core.errors import Conflict, InvalidInput
from qingzhuang.datastore.models import DataElement, DataValue
from qingzhuang.datastore.numbers import human_number, plain_number
from qingzhuang.datastore.periods import Period, parse_period
from qingzhuang.i18n import join_list
from qingzhuang.org.models import OrgUnit


@dataclass
class EntryResult:
    saved: int
    warnings: list[str] = field(default_factory=list)


def entry_token(value: Decimal | None) -> str:
    """What the page remembers of a stored number: the number itself, "" for none yet.
    A value, not a time: a figure changed and changed back leaves the page current."""
    return "" if value is None else plain_number(value)


def _stale(
    elements: dict[str, DataElement],
    stored: dict[str, Decimal],
    typed: dict[str, str],
    seen: dict[str, str],
) -> list[str]:
    """Typed items whose stored number is no longer the one the page showed. Typing the very
    number that is stored now is no conflict: nothing of the other person's would be lost."""
    from qingzhuang.datastore.services import to_decimal

    out = []
    for code in typed:
        if code not in seen or code not in elements:
            continue
        now = stored.get(code)
        if entry_token(now) == seen[code]:
            continue
        try:
            same = now is not None and to_decimal(typed[code], element=elements[code]) == now
        except InvalidInput:
            same = False
        if not same:
            out.append(code)
    return out


def _conflict(
    elements: dict[str, DataElement], stored: dict[str, Decimal], codes: list[str]
) -> str:
    items = []
    for code in codes:
        now = stored.get(code)
        if now is None:
            items.append(gettext("“%(name)s”（现在没有数）") % {"name": elements[code].name})
        else:
            items.append(
                gettext("“%(name)s”（现在是 %(value)s）")
                % {"name": elements[code].name, "value": human_number(now)}
            )
    return ngettext(
        "您打开页面后，%(items)s已被他人填写或修改。为免覆盖别人的数，这次全部没有保存；"
        "其余填好的数已保留，请核对这一项后再保存。",
        "您打开页面后，%(items)s已被他人填写或修改。为免覆盖别人的数，这次全部没有保存；"
        "其余填好的数已保留，请核对这几项后再保存。",
        len(codes),
    ) % {"items": join_list(items)}


@transaction.atomic
def data_entry_save(
    *,
    org_unit: OrgUnit,
    period: str | Period,
    typed: dict[str, str],
    seen: dict[str, str],
    actor: Any,
) -> EntryResult:
    """Store the numbers typed on the entry page (element code → text), all or nothing.

    ``seen`` holds the ``entry_token`` of each item as the page showed it; an item typed over
    a number that appeared or changed since is refused with Conflict (``extra["conflicts"]``
    lists the codes). Items without a token are not checked (callers that have no page).
    A number that fails a check is refused with InvalidInput, ``extra["errors"]`` giving the
    messages per code. An item that no longer exists (merged away) is refused too, never
    skipped: the person believes it was saved.
    """
    from qingzhuang.datastore.services import data_value_set, to_decimal

    p = parse_period(period)
    elements = {e.code: e for e in DataElement.objects.filter(code__in=list(typed))}
    gone = [code for code in typed if code not in elements]
    if gone:
        raise Conflict(
            gettext("有数据元已被合并或删除（%(codes)s），请刷新页面后重新填写。")
            % {"codes": join_list(gone)},
            extra={"conflicts": gone},
        )
    code_of = {e.pk: e.code for e in elements.values()}
    rows = (
        DataValue.objects.select_for_update()
        .filter(
            element_id__in=list(code_of),
            org_unit=org_unit,
            period=p.code,
            category_option__isnull=True,
        )
        .values_list("element_id", "value")
    )
    stored: dict[str, Decimal] = {code_of[pk]: value for pk, value in rows}
    stale = _stale(elements, stored, typed, seen)
    if stale:
        raise Conflict(_conflict(elements, stored, stale), extra={"conflicts": stale})
    errors: dict[str, list[str]] = {}
    pending: dict[str, Decimal] = {}
    for code, text in typed.items():
        try:
            pending[code] = to_decimal(text, where=elements[code].name, element=elements[code])
        except InvalidInput as exc:
            errors.setdefault(code, []).append(exc.message)
    warnings: list[str] = []
    for code, number in pending.items():
        try:
            res = data_value_set(
                element=elements[code],
                org_unit=org_unit,
                period=p,
                value=number,
                actor=actor,
                pending=pending,
            )
        except InvalidInput as exc:
            errors.setdefault(code, []).append(exc.message)
        else:
            warnings += res.warnings
    if errors:
        raise InvalidInput(
            gettext("有数值未通过检查，全部未保存，请修改后再提交"), extra={"errors": errors}
        )
    return EntryResult(len(pending), warnings)
