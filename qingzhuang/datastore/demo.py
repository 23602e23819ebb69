"""Demo data store: accepted concepts, elements, and values for 2025 and 2026Q3.

So that a new user sees auto-fill work on first start: every demo form fills completely.
"""

from __future__ import annotations

import hashlib
import tempfile
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from qingzhuang.core.demo import DemoContext
from qingzhuang.datastore.models import DataElement, DataValue, FillEvent, RuleKind, ValueSource
from qingzhuang.reporting.models import ReportTemplate, TemplateField

PERIODS = ["2025", "2026Q3"]

# element name -> (low, high) per village; derived items are computed from 户籍人口
BASES = {
    "户籍人口": (900, 3200),
    "低保户数": (8, 45),
    "耕地面积": (800, 5200),
    "村集体经济收入": (6, 90),
}
RATIOS = {
    "常住人口": ("户籍人口", Decimal("0.86")),
    "60岁以上老年人口": ("户籍人口", Decimal("0.23")),
    "农村劳动力人数": ("户籍人口", Decimal("0.58")),
    "外出务工人数": ("户籍人口", Decimal("0.27")),
    "低保人数": ("低保户数", Decimal("1.9")),
}


def _spread(key: str, low: int, high: int) -> Decimal:
    digest = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16)
    return Decimal(low + digest % (high - low + 1))


def _value(name: str, village_code: str, period: str) -> Decimal | None:
    growth = Decimal("1.02") if period != "2025" else Decimal(1)
    if name in BASES:
        low, high = BASES[name]
        return (_spread(f"{name}{village_code}", low, high) * growth).quantize(Decimal(1))
    if name in RATIOS:
        base_name, ratio = RATIOS[name]
        base = _value(base_name, village_code, period)
        return None if base is None else (base * ratio).quantize(Decimal(1))
    return None


@transaction.atomic
def seed(ctx: DemoContext) -> None:
    from qingzhuang.datastore import services
    from qingzhuang.datastore.filling import output_suffix
    from qingzhuang.datastore.harvesting import elements_for_unmapped
    from qingzhuang.reporting.demo import demo_templates

    templates = demo_templates()
    accepted = services.concepts_accept(actor="demo")
    for t in templates:
        fields = list(TemplateField.objects.filter(template=t).select_related("mapping__element"))
        elements_for_unmapped(t, fields, "demo")
    elements = {
        e.name: e
        for e in DataElement.objects.filter(mappings__field__template__in=templates).distinct()
    }
    hj, old = elements.get("户籍人口"), elements.get("60岁以上老年人口")
    if hj and old:
        services.validation_rule_create(
            name="60岁以上老年人口不大于户籍人口",
            kind=RuleKind.NOT_ABOVE,
            element=old,
            others=[hj.code],
            actor="demo",
        )
    stored = 0
    for village in ctx.villages:
        for period in PERIODS:
            for name, element in elements.items():
                number = _value(name.split("：")[-1], village.code, period)
                if number is None:
                    continue
                exists = DataValue.objects.filter(
                    element=element, org_unit=village, period=period, category_option=None
                ).exists()
                if exists:
                    continue
                services.data_value_set(
                    element=element,
                    org_unit=village,
                    period=period,
                    value=number,
                    actor="demo",
                    source=ValueSource.IMPORT,
                    source_file="演示数据",
                    validate=False,
                )
                stored += 1
    fills = 0
    if ctx.township is not None and not FillEvent.objects.filter(template__in=templates).exists():
        with tempfile.TemporaryDirectory() as tmp:
            for t in templates:
                services.fill_template(
                    template=t,
                    org_unit=ctx.township,
                    period="2025",
                    output=Path(tmp) / f"{t.pk}{output_suffix(t.format)}",
                    actor=ctx.users.get("admin", "demo"),
                )
                fills += 1
    ctx.say(
        f"数据仓：{len(elements)} 个数据元（本次接受 {len(accepted)} 个重复项），"
        f"新存数值 {stored} 个（{'、'.join(PERIODS)}），演示填表 {fills} 次"
    )


__all__ = ["ReportTemplate", "seed"]
