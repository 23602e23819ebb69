"""Open311 GeoReport v2 (JSON only): services, requests list/create, one request.

Public GETs never include personal data. An authenticated caller (session or bearer token) sees
only requests in their scope; anonymous callers see the public view of all requests.
POST creates a request through the same intake service; `client_id` (or `attribute[client_id]`)
makes a retry idempotent.
"""

from __future__ import annotations

import json
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from qingzhuang.core.errors import ApplicationError, InvalidInput
from qingzhuang.core.ratelimit import ratelimit
from qingzhuang.org.scope import scope_for
from qingzhuang.service_requests import selectors, services
from qingzhuang.service_requests.api import village_by_code
from qingzhuang.service_requests.models import Channel, RequestType, ServiceRequest, WorkOrderState

OPEN311_STATUS_CLOSED = {WorkOrderState.CLOSED, WorkOrderState.MERGED, WorkOrderState.REFERRED}


def _error(exc: ApplicationError) -> JsonResponse:
    return JsonResponse(
        [{"code": exc.http_status, "description": exc.message}],
        status=exc.http_status,
        safe=False,
        json_dumps_params={"ensure_ascii": False},
    )


def _json(data: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def services_list(request: HttpRequest) -> JsonResponse:
    return _json(
        [
            {
                "service_code": value,
                "service_name": str(label),
                "description": f"{label}类诉求",
                "metadata": False,
                "type": "realtime",
                "keywords": "",
                "group": "接诉即办",
            }
            for value, label in RequestType.choices
        ]
    )


def _public(r: ServiceRequest) -> dict[str, Any]:
    order = getattr(r, "work_order", None)
    state = order.state if order else WorkOrderState.RECEIVED
    return {
        "service_request_id": r.tracking_code,
        "status": "closed" if state in OPEN311_STATUS_CLOSED else "open",
        "status_notes": order.get_state_display() if order else "",
        "service_name": r.get_request_type_display(),
        "service_code": r.request_type,
        "description": selectors.mask_personal_text(r.text),
        "agency_responsible": order.org_unit.name if order else "",
        "service_notice": "",
        "requested_datetime": r.created_at.isoformat(),
        "updated_datetime": (order.updated_at if order else r.created_at).isoformat(),
        "expected_datetime": order.resolution_due_at.isoformat()
        if order and order.resolution_due_at
        else None,
        "address": r.location,
        "address_id": r.org_unit.code,
        "zipcode": None,
        "lat": float(r.latitude) if r.latitude is not None else None,
        "long": float(r.longitude) if r.longitude is not None else None,
        "media_url": None,
    }


@csrf_exempt
@require_http_methods(["GET", "POST"])
@ratelimit("public_intake")  # counts POSTs only
def requests_view(request: HttpRequest) -> JsonResponse:
    if request.method == "POST":
        return _create(request)
    user = _user(request)
    start = (
        parse_datetime(request.GET.get("start_date", "") or "")
        if request.GET.get("start_date")
        else None
    )
    if user is not None:
        qs = selectors.requests_in_scope(scope=scope_for(user)).order_by("-created_at")
        if start:
            qs = qs.filter(created_at__gte=start)
        qs = qs[:200]
    else:
        qs = selectors.requests_public(since=start, limit=200)
    ids = request.GET.get("service_request_id", "")
    rows = [_public(r) for r in qs]
    if ids:
        wanted = {i.strip().upper() for i in ids.split(",")}
        rows = [r for r in rows if r["service_request_id"] in wanted]
    return _json(rows)


@ratelimit("public_lookup", methods=("GET",))
def request_detail(request: HttpRequest, code: str) -> JsonResponse:
    user = _user(request)
    qs: QuerySet[ServiceRequest] = ServiceRequest.objects.select_related(
        "org_unit", "work_order__org_unit"
    )
    if user is not None:
        qs = selectors.requests_in_scope(scope=scope_for(user)).select_related(
            "work_order__org_unit"
        )
    r = qs.filter(tracking_code=code.upper()).first()
    if r is None:
        return _json([{"code": 404, "description": "没有这个诉求编号"}], status=404)
    return _json([_public(r)])


def _user(request: HttpRequest) -> Any:
    """Session user, or a bearer/api_key token; None for anonymous (public view)."""
    if request.user.is_authenticated:
        return request.user
    from qingzhuang.org.services import api_token_authenticate

    header = request.headers.get("Authorization", "")
    key = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    key = key or request.GET.get("api_key", "")
    return api_token_authenticate(key) if key else None


def _create(request: HttpRequest) -> JsonResponse:
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return _error(InvalidInput(_("请求体不是合法的 JSON。")))
    else:
        data = request.POST.dict()
    try:
        code = str(data.get("service_code", "")).strip()
        if code not in RequestType.values:
            raise InvalidInput(_("service_code 不正确，请先调用 services.json 查看可用的编码。"))
        unit_code = str(data.get("address_id") or data.get("attribute[village_code]") or "")
        lat, lon = data.get("lat"), data.get("long")
        result = services.request_submit(
            org_unit=village_by_code(unit_code),
            request_type=code,
            text=str(data.get("description", "")),
            channel=Channel.OPEN311,
            actor="open311",
            location=str(data.get("address_string", ""))[:200],
            latitude=round(float(lat), 6) if lat not in (None, "") else None,
            longitude=round(float(lon), 6) if lon not in (None, "") else None,
            resident_phone=str(data.get("phone", "")),
            resident_name=" ".join(
                str(data.get(k, "")) for k in ("first_name", "last_name")
            ).strip(),
            idempotency_key=str(
                data.get("client_id")
                or data.get("attribute[client_id]")
                or data.get("device_id")
                or ""
            ),
        )
    except ApplicationError as exc:
        return _error(exc)
    except (TypeError, ValueError):
        return _error(InvalidInput(_("lat/long 必须是数字。")))
    r = result.request
    return _json(
        [
            {
                "service_request_id": r.tracking_code,
                "service_notice": "已受理",
                "account_id": None,
                "token": None,
            }
        ],
        status=201 if result.created else 200,
    )
