"""Auto-fill speed: one template of 30 villages x 40 fields, then 100 templates.

    .venv/bin/python bench/fill_speed.py [--villages 30] [--fields 40] [--templates 100]

Targets (DESIGN): one template < 1 s; 100 templates < 30 s. Runs against a throw-away
SQLite database in a temporary QZ_DATA_DIR, so the shared dev database is never touched.
Setup (org tree, template import, mapping, values) is not timed; only fill_template is.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def build_form(path: Path, title: str, villages: list[str], labels: list[str]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表1"
    ws["A1"] = title
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=2 + len(labels))
    ws["A2"] = "制表机关：基准县统计局"
    ws["A3"], ws["B3"] = "序号", "村名"
    ws.merge_cells("A3:A4")
    ws.merge_cells("B3:B4")
    for i, label in enumerate(labels):
        ws.cell(3, 3 + i, "基本情况" if i % 2 == 0 else "其他情况")
        ws.cell(4, 3 + i, f"{label}（人）")
    for r, name in enumerate([*villages, "合计"], start=5):
        ws.cell(r, 1, r - 4)
        ws.cell(r, 2, name)
    wb.save(path)
    return path


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--villages", type=int, default=30)
    parser.add_argument("--fields", type=int, default=40)
    parser.add_argument("--templates", type=int, default=100)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="qz-bench-fill-")
    os.environ["QZ_DATA_DIR"] = tmp
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from qingzhuang.datastore.models import DataElement, DataValue, FieldMapping
    from qingzhuang.datastore.services import fill_template
    from qingzhuang.org.models import OrgLevel
    from qingzhuang.org.services import org_unit_create
    from qingzhuang.reporting.services import template_import

    county = org_unit_create(
        code="990000000000", name="基准县", level=OrgLevel.COUNTY, parent=None, actor="bench"
    )
    town = org_unit_create(
        code="990000100000", name="基准镇", level=OrgLevel.TOWNSHIP, parent=county, actor="bench"
    )
    names = [f"第{i + 1}村" for i in range(args.villages)]
    villages = [
        org_unit_create(
            code=f"9900001002{i:02d}", name=n, level=OrgLevel.VILLAGE, parent=town, actor="bench"
        )
        for i, n in enumerate(names)
    ]
    labels = [f"指标{i + 1:03d}" for i in range(args.fields)]
    elements = [
        DataElement.objects.create(code=f"B{i:04d}", name=label, unit="人")
        for i, label in enumerate(labels)
    ]
    DataValue.objects.bulk_create(
        [
            DataValue(
                element=e,
                org_unit=v,
                period="2026",
                period_type="year",
                value=Decimal(100 + i + j),
                source="import",
            )
            for i, e in enumerate(elements)
            for j, v in enumerate(villages)
        ],
        batch_size=2000,
    )
    by_label = {e.name: e for e in elements}
    templates = []
    for t in range(args.templates):
        path = build_form(Path(tmp) / f"form{t}.xlsx", f"基准表{t}", names, labels)
        template = template_import(path=path, actor="bench").template
        FieldMapping.objects.bulk_create(
            [FieldMapping(field=f, element=by_label[f.label]) for f in template.fields.all()]
        )
        templates.append(template)
    out = Path(tmp) / "out"
    start = time.perf_counter()
    first = fill_template(
        template=templates[0], org_unit=town, period="2026", output=out / "one.xlsx", actor="bench"
    )
    one = time.perf_counter() - start
    print(
        f"fill one template: {args.villages} villages x {args.fields} fields = "
        f"{first.cells_filled} cells filled (+ totals) in {one:.3f} s  (target < 1 s)"
    )
    start = time.perf_counter()
    cells = 0
    for i, template in enumerate(templates):
        res = fill_template(
            template=template, org_unit=town, period="2026", output=out / f"{i}.xlsx", actor="bench"
        )
        cells += res.cells_filled
    many = time.perf_counter() - start
    print(
        f"fill {len(templates)} templates: {cells} cells in {many:.2f} s "
        f"({many / len(templates) * 1000:.0f} ms each)  (target < 30 s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
