"""一数一源 for automatic flows: a name the store already has is never given a new element.

Automap and harvest link a field to the element that owns its name. When several elements
share a name (a demo or an old import made two 户籍人口), the one that owns it as its name beats
one that only has it as an alias, then the one with more values, then the lowest code; the
ambiguity is reported so that a person can merge them, instead of a third one being made.
An element made for a field is named so that the form's other fields of that label cannot be
taken for it (``distinct_names``: "(一)淡水捕捞产量 › 1.鱼类", not a sixteenth "1.鱼类").
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
from qingzhuang.reporting.models import TemplateField


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


CONTEXT = " › "  # between the parts of a header path in an element name


def _name_candidates(f: TemplateField) -> list[str]:
    """Names for a field from shortest to longest: its label, then with more of its header
    path, then with its sheet; 男/女/小计 are never named without their parent."""
    path = [re.sub(r"\s+", " ", str(p)).strip() for p in f.path or []] or [f.label]
    # an indicator list with several value columns ends its path with the column heading
    leaf = len(path) if path[-1] == f.label or f.label not in path else path.index(f.label) + 1
    shortest = 2 if len(f.label) <= 2 and leaf >= 2 else 1
    first = [f.label, *path[leaf:]] if shortest == 1 else [*path[leaf - 2 : leaf], *path[leaf:]]
    names = [CONTEXT.join(first)]
    for k in range(shortest + 1, leaf + 1):
        names.append(CONTEXT.join([*path[leaf - k : leaf], *path[leaf:]]))
    sheet = re.sub(r"\s+", "", f.sheet.title or f.sheet.name or "")
    names.append(CONTEXT.join([sheet, *path]) if sheet else CONTEXT.join(path))
    names.append(f"{names[-1]}（{f.cell}）")  # the same heading twice in one sheet
    return names


def distinct_names(fields: list[TemplateField]) -> dict[int, str]:
    """A name for each field that no other field of the form shares, where that is possible.

    Why: sixteen "1.鱼类" in one workbook are sixteen items; named alike, nobody can tell the
    elements apart and the store warns about namesakes it made itself.
    """
    options = {f.pk: _name_candidates(f) for f in fields}
    step = dict.fromkeys(options, 0)
    while True:
        by_name: dict[str, list[int]] = {}
        for pk, names in options.items():
            by_name.setdefault(names[step[pk]], []).append(pk)
        clashing = [
            pk
            for pks in by_name.values()
            if len(pks) > 1
            for pk in pks
            if step[pk] + 1 < len(options[pk])
        ]
        if not clashing:
            return {pk: names[step[pk]] for pk, names in options.items()}
        for pk in clashing:
            step[pk] += 1


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
