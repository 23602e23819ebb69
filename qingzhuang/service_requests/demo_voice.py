"""The demo township's example voice message (called from qingzhuang/duties/demo.py, which runs
after service_requests). Idempotent: a fixed idempotency key, so a second run stores nothing."""

from __future__ import annotations

from typing import Any

from qingzhuang.duties.voice import demo_voice_wav
from qingzhuang.service_requests import services
from qingzhuang.service_requests.models import Channel, RequestType, ServiceRequest
from qingzhuang.service_requests.voice import request_submit_voice

DEMO_VOICE_KEY = "demo-voice-1"


def seed_voice(ctx: Any) -> ServiceRequest | None:
    """One voice-only request from an elderly resident in the worker 'qingshan''s village."""
    worker = ctx.users.get("qingshan")
    unit = getattr(worker, "org_unit", None) or (ctx.villages[0] if ctx.villages else None)
    if unit is None:
        return None
    result = request_submit_voice(
        voice=services.Upload("voice.wav", demo_voice_wav()),
        org_unit=unit,
        request_type=RequestType.HELP,
        channel=Channel.WEB,
        actor="demo",
        resident_name="王奶奶",
        idempotency_key=DEMO_VOICE_KEY,
    )
    if result.created:
        ctx.say(f"语音留言：示例 1 条（{unit.name}，查询码 {result.request.tracking_code}）")
    return result.request
