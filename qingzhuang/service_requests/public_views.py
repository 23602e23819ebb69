"""Public pages at /p/: intake (no login), status by tracking code, callback by one-time link,
and a printable QR poster per village. They never show names, phones or ID numbers."""

from __future__ import annotations

import re
import uuid
from typing import Any

import segno
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from qingzhuang.core.errors import ApplicationError
from qingzhuang.core.ratelimit import ratelimit
from qingzhuang.duties.voice import MAX_VOICE_BYTES, MAX_VOICE_SECONDS, validate_voice_upload
from qingzhuang.org.models import OrgLevel, OrgUnit
from qingzhuang.service_requests import selectors, services, voice
from qingzhuang.service_requests.forms import CallbackForm, PublicIntakeForm, StatusLookupForm
from qingzhuang.service_requests.models import Callback, Channel, hash_token
from qingzhuang.service_requests.workflow import RESIDENT


def _villages() -> list[OrgUnit]:
    return list(
        OrgUnit.objects.filter(level__in=[OrgLevel.VILLAGE, OrgLevel.COMMUNITY], is_active=True)
        .select_related("parent")
        .order_by("path")
    )


# The browser's form token (a session cookie): the hidden `client_key` of every intake form it
# is shown. Browsers fetch /p/ again on Back and restore what was typed but not the hidden field;
# with the token kept here, a resubmission carries the same token and the same text, hence the
# same idempotency key, and lands on the first request's confirmation page.
INTAKE_COOKIE = "qz_intake"
_TOKEN = re.compile(r"[0-9a-f]{32}")


def _form_token(request: HttpRequest) -> str:
    token = request.COOKIES.get(INTAKE_COOKIE, "")
    return token if _TOKEN.fullmatch(token) else uuid.uuid4().hex


@require_http_methods(["GET", "POST"])
@ratelimit("public_intake")
def intake(request: HttpRequest, code: str = "") -> HttpResponse:
    villages = _villages()
    fixed = next((v for v in villages if v.code == code), None) if code else None
    if code and fixed is None:
        # /p/v/<code>/ is the link in a village's QR poster: an unknown code is a stale or
        # misprinted poster, which the resident should be told rather than shown another form
        return render(request, "service_requests/public/bad_qr.html", {"code": code}, status=404)
    choices = [(v.code, f"{v.parent.name if v.parent else ''} {v.name}".strip()) for v in villages]
    token = _form_token(request)
    initial = {"client_key": token, "village": fixed.code if fixed else ""}
    form = PublicIntakeForm(
        request.POST or None, request.FILES or None, villages=choices, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = next(v for v in villages if v.code == data["village"])
        photos = []
        if data.get("photo"):
            f = data["photo"]
            if f.size > services.MAX_PHOTO_BYTES:
                form.add_error("photo", _("照片超过 8MB，请压缩后再传。"))
            else:
                photos.append(services.Upload(f.name, f.read()))
        recording = _voice_upload(form, data.get("voice"))
        if not form.errors:
            submit = {
                "org_unit": unit,
                "request_type": data["request_type"],
                "text": data["text"],
                "channel": Channel.WEB,
                "actor": RESIDENT,
                "location": data["location"],
                "resident_phone": data["phone"],
                "resident_name": data["name"],
                "idempotency_key": services.form_submission_key(
                    token=data["client_key"],
                    unit=unit,
                    request_type=data["request_type"],
                    text=data["text"],
                    attachment=recording.content if recording is not None else b"",
                ),
                "photos": photos,
            }
            try:
                if recording is not None:
                    result = voice.request_submit_voice(voice=recording, **submit)
                else:
                    result = services.request_submit(**submit)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("public:thanks", code=result.request.tracking_code)
    response = render(
        request, "service_requests/public/intake.html", {"form": form, "fixed": fixed}
    )
    response.set_cookie(
        INTAKE_COOKIE,
        token,
        path=reverse("public:intake"),
        httponly=True,
        samesite="Lax",
        # like the session cookie: Secure in production, and on any HTTPS request
        secure=settings.SESSION_COOKIE_SECURE or request.is_secure(),
    )
    return response


def _voice_upload(form: PublicIntakeForm, f: Any) -> services.Upload | None:
    """The recording as bytes, or None; a bad one becomes an error on the voice field."""
    if not f:
        return None
    if f.size > MAX_VOICE_BYTES:
        form.add_error(
            "voice",
            _("录音文件太大了（超过 %(mb)s MB）。请重新录一段不超过 %(seconds)s 秒的语音。")
            % {"mb": MAX_VOICE_BYTES // (1024 * 1024), "seconds": MAX_VOICE_SECONDS},
        )
        return None
    try:
        validate_voice_upload(f)
    except ApplicationError as exc:
        form.add_error("voice", exc.message)
        return None
    return services.Upload(f.name, f.read())


@ratelimit("public_lookup", methods=("GET", "POST"))
def thanks(request: HttpRequest, code: str) -> HttpResponse:
    status = selectors.public_status(tracking_code=code)
    return render(request, "service_requests/public/thanks.html", {"status": status})


def status_lookup(request: HttpRequest) -> HttpResponse:
    form = StatusLookupForm(request.GET or None)
    if form.is_valid():
        return redirect("public:status", code=form.cleaned_data["code"].strip().upper())
    return render(request, "service_requests/public/lookup.html", {"form": form})


@ratelimit("public_lookup", methods=("GET", "POST"))
def status(request: HttpRequest, code: str) -> HttpResponse:
    status = selectors.public_status(tracking_code=code)
    return render(request, "service_requests/public/status.html", {"status": status})


@require_http_methods(["GET", "POST"])
@ratelimit("public_lookup", methods=("GET", "POST"))
def callback(request: HttpRequest, token: str) -> HttpResponse:
    cb = (
        Callback.objects.select_related("order__request")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if cb is None:
        return render(
            request,
            "core/error.html",
            {"title": _("链接无效"), "message": _("回访链接无效，请核对短信中的链接。")},
            status=404,
        )
    form = CallbackForm(request.POST or None)
    done = cb.answered_at is not None
    if request.method == "POST" and form.is_valid():
        try:
            services.callback_answer(token=token, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            return render(request, "service_requests/public/callback_done.html", {})
    return render(
        request,
        "service_requests/public/callback.html",
        {"form": form, "done": done, "code": cb.order.request.tracking_code},
    )


def poster(request: HttpRequest, code: str) -> HttpResponse:
    """A printable A4 poster with the village's QR code (SVG inline, generated locally)."""
    unit = get_object_or_404(OrgUnit, code=code, level__in=[OrgLevel.VILLAGE, OrgLevel.COMMUNITY])
    url = request.build_absolute_uri(reverse("public:intake_village", args=[unit.code]))
    qr = segno.make(url, error="m")
    svg = qr.svg_inline(scale=8, border=2)
    return render(
        request, "service_requests/public/poster.html", {"unit": unit, "url": url, "svg": svg}
    )


def qr_svg(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_object_or_404(OrgUnit, code=code, level__in=[OrgLevel.VILLAGE, OrgLevel.COMMUNITY])
    url = request.build_absolute_uri(reverse("public:intake_village", args=[unit.code]))
    import io

    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", scale=8, border=2)
    return HttpResponse(buf.getvalue(), content_type="image/svg+xml")
