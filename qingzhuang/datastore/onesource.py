"""一数一源 for automatic flows: a name the store already has is never given a new element.

Automap and harvest link a field to the element that owns its name. When several elements
share a name (a demo or an old import made two 户籍人口), the one that owns it as its name beats
one that only has it as an alias, then the one with more values, then the lowest code; the
ambiguity is reported so that a person can merge them, instead of a third one being made.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext

from qingzhuang.datastore.models import DataElement
from qingzhuang.i18n import join_list


def word(text: str) -> str:
    """The form of a name that two wordings of it share (spaces and letter case ignored)."""
    return re.sub(r"\s+", "", text or "").casefold()


@dataclass
class NameIndex:
    """Every element by its name and by its aliases, loaded in one query."""

    by_name: dict[str, list[DataElement]] = field(default_factory=dict)
    by_alias: dict[str, list[DataElement]] = field(default_factory=dict)
    values: dict[int, int] = field(default_factory=dict)

    @classmethod
    def build(cls) -> NameIndex:
        index = cls()
        for element in DataElement.objects.annotate(n_values=Count("values")).order_by("code"):
            index.add(element, values=element.n_values)  # type: ignore[attr-defined]
        return index

    def add(self, element: DataElement, *, values: int = 0) -> None:
        self.values[element.pk] = values
        self.by_name.setdefault(word(element.name), []).append(element)
        for alias in element.aliases or []:
            self.by_alias.setdefault(word(str(alias)), []).append(element)

    def _rank(self, element: DataElement) -> tuple[int, str]:
        return (-self.values.get(element.pk, 0), element.code)

    def owners(self, name: str) -> list[DataElement]:
        """Elements called ``name``, best first: name owners, then alias owners."""
        key = word(name)
        named = sorted(self.by_name.get(key, []), key=self._rank)
        aliased = sorted((e for e in self.by_alias.get(key, []) if e not in named), key=self._rank)
        return named + aliased

    def choose(self, label: str, among: Iterable[int]) -> DataElement | None:
        """The element for a field called ``label`` when matching offered several.

        Only a name decides: the elements the field's label names, or, when the label is
        worded differently, the elements offered if they all carry one same name.
        """
        pks = set(among)
        found = [e for e in self.owners(label) if e.pk in pks]
        if found:
            return found[0]
        offered = [e for key in self.by_name for e in self.by_name[key] if e.pk in pks]
        if len(offered) == len(pks) and len({word(e.name) for e in offered}) == 1:
            return sorted(offered, key=self._rank)[0]
        return None

    def namesakes(self, element: DataElement) -> list[DataElement]:
        """Other elements that have this element's name as their name or alias."""
        return [e for e in self.owners(element.name) if e.pk != element.pk]


def ambiguity(element: DataElement, others: list[DataElement]) -> dict[str, Any]:
    return {"name": element.name, "used": element.code, "others": [e.code for e in others]}


def ambiguity_warning(entry: dict[str, Any]) -> str:
    codes = [entry["used"], *entry["others"]]
    return gettext(
        "有 %(count)s 个数据元都叫“%(name)s”（%(codes)s），本次用的是 %(code)s。"
        "一个数只应有一个数据元，请在数据元目录中合并或改名"
    ) % {
        "count": len(codes),
        "name": entry["name"],
        "codes": join_list(codes),
        "code": entry["used"],
    }
