"""Report templates over JSON: the catalogue and each template's fields."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Router, Schema

from qingzhuang.reporting import selectors

router = Router(tags=["报表模板 templates"])


class TemplateOut(Schema):
    id: int
    title: str
    issuer: str
    format: str
    frequency: str
    deadline: date | None
    admission_status: str
    fields: int


class FieldOut(Schema):
    id: int
    sheet: str | None
    cell: str
    path: list[str]
    label: str
    unit: str
    element: str | None


class TemplateDetailOut(Schema):
    id: int
    title: str
    issuer: str
    format: str
    frequency: str
    fields: list[FieldOut]


@router.get("/templates", response=list[TemplateOut], summary="报表模板列表")
def list_templates(request: HttpRequest, q: str = "") -> list[TemplateOut]:
    return [
        TemplateOut(
            id=t.pk,
            title=t.title,
            issuer=t.issuer.name if t.issuer else "",
            format=t.format,
            frequency=t.frequency,
            deadline=t.deadline,
            admission_status=t.admission_status,
            fields=t.field_count,  # type: ignore[attr-defined]
        )
        for t in selectors.templates_list(q=q)
    ]


@router.get("/templates/{pk}", response=TemplateDetailOut, summary="报表模板详情（含字段）")
def get_template(request: HttpRequest, pk: int) -> TemplateDetailOut:
    t = selectors.template_detail(pk=pk)
    fields = []
    for sheet in t.sheets.all():
        for f in sheet.fields.all():
            mapping = getattr(f, "mapping", None)
            fields.append(
                FieldOut(
                    id=f.pk,
                    sheet=sheet.name,
                    cell=f.cell,
                    path=list(f.path),
                    label=f.label,
                    unit=f.unit,
                    element=mapping.element.code if mapping and mapping.element else None,
                )
            )
    return TemplateDetailOut(
        id=t.pk,
        title=t.title,
        issuer=t.issuer.name if t.issuer else "",
        format=t.format,
        frequency=t.frequency,
        fields=fields,
    )
