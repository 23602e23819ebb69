"""Burden ledger endpoints: check demands against the rules, list the ledger."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Router, Schema

from qingzhuang.burden import selectors, services
from qingzhuang.burden.csv_io import CsvError, parse_row
from qingzhuang.burden.csv_io import CsvRow as _Row
from qingzhuang.core.errors import InvalidInput
from qingzhuang.org.scope import scope_for

router = Router(tags=["基层负担 burden"])


class DemandIn(Schema):
    kind: str
    title: str = ""
    issuer: str = ""
    received: str = ""
    deadline: str = ""
    chars: str = ""
    asks_followup: str = ""
    duration_minutes: str = ""
    covered_by_document: str = ""
    approval_code: str = ""
    demand: str = ""


class CheckIn(Schema):
    demands: list[DemandIn]


class FindingOut(Schema):
    rule: str
    message: str
    source: str


class CheckedOut(Schema):
    row: int
    title: str
    findings: list[FindingOut]


class CheckOut(Schema):
    demands: list[CheckedOut]


class DemandOut(Schema):
    id: int
    kind: str
    title: str
    issuer: str
    received: date
    deadline: date | None
    hours: float
    findings: list[FindingOut]


@router.post("/check", response=CheckOut, summary="按减负规则检查事项（不保存）")
def check(request: HttpRequest, payload: CheckIn) -> dict[str, object]:
    try:
        rows = [
            _Row(row=i, demand=parse_row({k: str(v) for k, v in d.dict().items()}, i))
            for i, d in enumerate(payload.demands, start=1)
        ]
    except CsvError as exc:
        raise InvalidInput(str(exc)) from exc
    unit = getattr(request.user, "org_unit", None)
    # A demand checked through the API need not have a received date yet.
    return services.demands_check(rows=rows, org_unit=unit, require_received=False)


@router.get("/demands", response=list[DemandOut], summary="台账事项（可见范围内）")
def demands(request: HttpRequest, kind: str = "", month: str = "") -> list[DemandOut]:
    qs = selectors.demand_list(scope=scope_for(request.user), kind=kind, month=month)[:1000]
    return [
        DemandOut(
            id=d.pk,
            kind=d.kind,
            title=d.title,
            issuer=d.issuer.name if d.issuer else "",
            received=d.received,
            deadline=d.deadline,
            hours=float(d.hours),  # type: ignore[attr-defined]
            findings=[
                FindingOut(rule=f.rule_code, message=f.message, source=f.source)
                for f in d.findings.all()
            ],
        )
        for d in qs
    ]
