"""What the township already holds: the adapter between the burden ledger and the data store.

The reporting (ReportTemplate/TemplateField) and datastore (DataElement/DataValue/FieldMapping)
models belong to other apps; this module is the one place that reads them for the burden
ledger, so the rest of the app depends only on `FieldRef` lists and plain results.

A field is "held" when the store has a data element for it **with at least one value** (so it
can be served, not just described): either the template field is mapped to such an element,
or the field's label equals the element's name or an alias, or the matching engine says the
field and the element ask for the same item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qingzhuang.matching import FieldRef, candidate_pairs, compare


@dataclass
class HeldResult:
    total: int = 0
    held: list[dict[str, str]] = field(default_factory=list)  # {"label", "element"}
    store_available: bool = True

    @property
    def percent(self) -> int:
        return round(100 * len(self.held) / self.total) if self.total else 0


def _norm(label: str) -> str:
    return re.sub(r"[\s（）()：:、，,]+", "", label)


def fields_from_file(path: str | Path, *, display_name: str | None = None) -> list[FieldRef]:
    """Parse a form file with the sheets engine; one FieldRef per field."""
    from qingzhuang.sheets import parse_file

    book = parse_file(path, display_name=display_name)
    out: list[FieldRef] = []
    for sheet in book.sheets:
        for f in sheet.fields:
            out.append(
                FieldRef(
                    key=f"{sheet.name or ''}!{f.cell}",
                    label=f.label,
                    unit=f.unit,
                    path=tuple(f.path[:-1]),
                    form="new",
                    title=sheet.title or sheet.name or "",
                )
            )
    return out


def fields_from_template(template: Any) -> list[FieldRef]:
    return [
        FieldRef(
            key=f"t{template.pk}:{f.pk}",
            label=f.label,
            unit=f.unit,
            path=tuple(f.path[:-1]) if f.path else (),
            form=f"t{template.pk}",
            title=f.sheet.title or f.sheet.name or "",
        )
        for f in template.fields.select_related("sheet").order_by("position", "pk")
    ]


def _servable_elements() -> list[tuple[str, str, str, list[str]]] | None:
    """(code, name, unit, aliases) of elements with values; None if the store is missing."""
    try:
        from qingzhuang.datastore.models import DataElement
    except ImportError:  # pragma: no cover - the datastore app ships with the product
        return None
    rows = DataElement.objects.filter(values__isnull=False).distinct()
    return [(e.code, e.name, e.unit, list(e.aliases or [])) for e in rows]


def _mapped_held(template: Any) -> dict[str, str]:
    """label-key -> element code for template fields mapped to an element with values."""
    try:
        from qingzhuang.datastore.models import FieldMapping
    except ImportError:  # pragma: no cover
        return {}
    maps = FieldMapping.objects.filter(
        field__template=template, element__isnull=False, element__values__isnull=False
    ).select_related("field", "element")
    return {f"t{template.pk}:{m.field_id}": m.element.code for m in maps if m.element}


def held_fields(fields: list[FieldRef], *, template: Any = None) -> HeldResult:
    """Which of these fields the store can already serve (see module docstring)."""
    result = HeldResult(total=len(fields))
    elements = _servable_elements()
    if elements is None:
        result.store_available = False
        return result
    found: dict[str, str] = _mapped_held(template) if template is not None else {}
    by_name: dict[str, str] = {}
    refs: list[FieldRef] = []
    for code, name, unit, aliases in elements:
        for n in (name, *aliases):
            by_name.setdefault(_norm(n), code)
        refs.append(FieldRef(key=f"e:{code}", label=name, unit=unit, form="store"))
    rest: list[FieldRef] = []
    for f in fields:
        if f.key in found:
            continue
        match = by_name.get(_norm(f.label))
        if match:
            found[f.key] = match
        else:
            rest.append(f)
    if rest and refs:
        for a, b in candidate_pairs([*rest, *refs]):
            new, elem = (a, b) if a.form != "store" else (b, a)
            if new.form == "store" or elem.form != "store" or new.key in found:
                continue
            if compare(new, elem).same:
                found[new.key] = elem.key[2:]
    result.held = [{"label": f.label, "element": found[f.key]} for f in fields if f.key in found]
    return result


def overlapping_fields(
    fields: list[FieldRef], others: list[tuple[str, list[FieldRef]]]
) -> list[dict[str, str]]:
    """Fields that another approved form already asks for: {"label", "form", "other_label"}."""
    pool: list[FieldRef] = []
    titles: dict[str, str] = {}
    for i, (title, refs) in enumerate(others):
        form = f"o{i}"
        titles[form] = title
        pool.extend(
            FieldRef(
                key=f"{form}:{r.key}",
                label=r.label,
                unit=r.unit,
                path=r.path,
                form=form,
                title=r.title,
            )
            for r in refs
        )
    if not fields or not pool:
        return []
    seen: set[tuple[str, str]] = set()
    out: list[dict[str, str]] = []
    new_keys = {f.key for f in fields}
    for a, b in candidate_pairs([*fields, *pool]):
        if (a.key in new_keys) == (b.key in new_keys):
            continue
        new, old = (a, b) if a.key in new_keys else (b, a)
        if (new.key, old.form) in seen or not compare(new, old).same:
            continue
        seen.add((new.key, old.form))
        out.append({"label": new.label, "form": titles[old.form], "other_label": old.label})
    return out


def savings_hours(*, scope: Any, year: int, month: int | None = None) -> tuple[float, bool]:
    """Hours saved by auto-fill, from the datastore; (0, False) when it does not offer them."""
    try:
        from qingzhuang.datastore.selectors import savings_summary  # type: ignore[attr-defined]
    except ImportError:
        return 0.0, False
    summary = savings_summary(scope=scope, year=year, month=month)
    if isinstance(summary, dict):
        hours = summary.get("hours_saved", summary.get("hours", 0))
    else:
        hours = getattr(summary, "hours_saved", getattr(summary, "hours", 0))
    try:
        return float(hours or 0), True
    except (TypeError, ValueError):
        return 0.0, True
