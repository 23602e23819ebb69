"""Voice messages from residents (语音留言): intake with a recording, staff summary.

An elderly resident who cannot type records a message on the public page; it is stored as an
Attachment of kind voice. There is no automatic transcription (no offline Chinese speech model
ships with the product): a staff member listens and types a summary, which becomes the request
text when the resident wrote none. The file is checked by ``qingzhuang.duties.voice`` (content
sniffed, 8 MB, 60 s) and is only ever served through the scoped staff view.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qingzhuang.audit.services import audit_record, snapshot
from qingzhuang.core.errors import InvalidInput
from qingzhuang.duties.voice import sniff_voice, validate_voice_upload
from qingzhuang.org.roles import require
from qingzhuang.org.scope import scope_for
from qingzhuang.service_requests import classify, services
from qingzhuang.service_requests.models import (
    Attachment,
    AttachmentKind,
    ServiceRequest,
    WorkOrder,
)
from qingzhuang.service_requests.workflow import MAX_NOTE, clean_note
from qingzhuang.service_requests.writer_lock import writer_lock

# The request text while only a recording exists (the database requires a non-empty text).
VOICE_ONLY_TEXT = "（语音留言，工作人员听后补写文字）"
EXTENSIONS = {"webm": "webm", "ogg": "ogg", "mp4": "m4a", "wav": "wav", "mp3": "mp3"}
MAX_SUMMARY = MAX_NOTE
SUMMARY_FIELDS = ["summary", "summary_by", "summary_at"]


def is_voice_only(request: ServiceRequest) -> bool:
    return request.text == VOICE_ONLY_TEXT


def request_submit_voice(
    *, voice: services.Upload, text: str = "", **submit: Any
) -> services.SubmitResult:
    """Intake with a voice message: the text becomes optional.

    The recording is checked before anything is stored; the request and its attachment are
    written in one transaction, so a request never exists without the voice it was sent with.
    A retry with the same idempotency key returns the first request and stores nothing.
    """
    validate_voice_upload(voice.content)
    voice_only = not (text or "").strip()
    if not submit.get("idempotency_key"):
        # Without a client key the intake keys on text+phone+place+day, and every voice-only
        # request has the same placeholder text: key on the recording itself instead.
        submit["idempotency_key"] = "voice-" + hashlib.sha256(voice.content).hexdigest()[:40]
    with writer_lock(), transaction.atomic():
        result = services.request_submit(text=VOICE_ONLY_TEXT if voice_only else text, **submit)
        if result.created:
            if voice_only:
                _forget_placeholder_guesses(result.request)
            request_attach_voice(request=result.request, upload=voice, actor=submit["actor"])
    return result


def _forget_placeholder_guesses(request: ServiceRequest) -> None:
    """The placeholder says nothing about the problem: drop the category guessed from it, the
    duplicate link (every voice-only request has the same placeholder) and any routing by that
    category. Staff categorise and dispatch after listening."""
    request.category = request.suggested_category = ""
    request.category_confidence = None
    request.category_overridden = False
    request.duplicate_of = None
    request.duplicate_similarity = None
    request.save(
        update_fields=[
            "category",
            "suggested_category",
            "category_confidence",
            "category_overridden",
            "duplicate_of",
            "duplicate_similarity",
        ]
    )
    order = WorkOrder.objects.get(request=request)
    order.org_unit = request.org_unit
    order.lead_office = ""
    order.referred_up = False
    order.referred_department = None
    order.referral_reason = ""
    order.save()
    order.assisting_units.clear()
    order.events.filter(action="submit").update(note="语音留言：待工作人员听后补写文字、分类并派单")


@transaction.atomic
def request_attach_voice(
    *, request: ServiceRequest, upload: services.Upload, actor: Any
) -> Attachment:
    """Store a checked recording as the request's voice attachment (audited)."""
    validate_voice_upload(upload.content)
    info = sniff_voice(upload.content)
    if info is None:  # not reached: validate_voice_upload refuses what sniff_voice cannot name
        raise InvalidInput(_("这个文件不是能识别的录音，请重新录音。"))
    digest = hashlib.sha256(upload.content).hexdigest()
    att = Attachment(
        request=request,
        kind=AttachmentKind.VOICE,
        content_type=info.mime,
        size=len(upload.content),
        sha256=digest,
        duration_seconds=round(info.duration, 1) if info.duration is not None else None,
    )
    att.file.save(
        f"{request.tracking_code}-voice-{digest[:8]}.{EXTENSIONS[info.kind]}",
        ContentFile(upload.content),
        save=False,
    )
    att.save()
    audit_record(
        actor=actor,
        action="service_requests.attachment.voice_attach",
        target=att,
        after=snapshot(att, ["request", "kind", "content_type", "size", "duration_seconds"]),
    )
    return att


def _require_handler(order: WorkOrder, user: Any) -> None:
    require(user, "requests.handle")
    if order.assignee_id is not None and order.assignee_id == user.pk:
        return
    scope_for(user).require(order.org_unit)


@transaction.atomic
def request_voice_summary(*, attachment: Attachment, summary: str, acting_user: Any) -> Attachment:
    """A staff member's typed summary of a voice message (audited).

    When the resident sent only the recording, the summary becomes the request text and the
    category is suggested from it, so the request reads, searches and counts like a typed one.
    """
    if attachment.kind != AttachmentKind.VOICE:
        raise InvalidInput(_("只有语音留言可以写摘要。"))
    request = ServiceRequest.objects.select_for_update().get(pk=attachment.request_id)
    order = WorkOrder.objects.select_related("org_unit").get(request=request)
    _require_handler(order, acting_user)
    summary = clean_note(summary, MAX_SUMMARY)
    if len(summary) < 5:
        raise InvalidInput(_("请把听到的内容写清楚一些（至少5个字）：什么地方、什么问题。"))
    before = snapshot(attachment, SUMMARY_FIELDS) | {"text": request.text}
    attachment.summary = summary
    attachment.summary_by = acting_user
    attachment.summary_at = timezone.now()
    attachment.save(update_fields=SUMMARY_FIELDS)
    if is_voice_only(request):
        request.text = summary[: services.MAX_TEXT]
        fields = ["text"]
        suggestion = classify.suggest(request.subject, request.text)
        if suggestion and not request.category_overridden and not request.category:
            request.suggested_category, request.category_confidence = suggestion
            request.category = request.suggested_category
            fields += ["suggested_category", "category_confidence", "category"]
        request.save(update_fields=fields)
    services.event_add(
        order=order,
        action="voice_summary",
        actor=acting_user,
        from_state=order.state,
        note=summary[:200],
    )
    audit_record(
        actor=acting_user,
        action="service_requests.attachment.voice_summary",
        target=attachment,
        before=before,
        after=snapshot(attachment, SUMMARY_FIELDS) | {"text": request.text},
    )
    return attachment
