"""JSON API: check a task against the village lists; public certificate lookup."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from qingzhuang.duties import services

router = Router(tags=["村级事项准入 duties"])


class CheckIn(Schema):
    text: str
    issuer: str = ""


class CheckOut(Schema):
    list: str
    flagged: bool
    item: str | None
    message: str


@router.post("/check", response=CheckOut, summary="核对交办事项属于哪张清单（不保存）")
def check(request: HttpRequest, payload: CheckIn) -> CheckOut:
    o = services.work_item_check(payload.text, payload.issuer)
    return CheckOut(
        list=o.list, flagged=o.flagged, item=o.item.name if o.item else None, message=o.message
    )


class CertificateOut(Schema):
    found: bool
    certificate: str | None
    village_may_issue: bool
    where_instead: str
    message: str


@router.get(
    "/certificates/lookup", response=CertificateOut, auth=None, summary="村(社区)能否开具某个证明"
)
def certificate_lookup(request: HttpRequest, q: str) -> CertificateOut:
    a = services.certificate_lookup(q)
    return CertificateOut(
        found=a.found,
        certificate=a.certificate.name if a.certificate else None,
        village_may_issue=a.may_issue,
        where_instead=a.where_instead,
        message=a.message,
    )
