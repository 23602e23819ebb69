"""`{% load duties_help %}{% walkthrough %}`: the first-time walkthrough for the user's role;
`{% voice_recorder_labels %}`: the voice recorder's words in the page language.

Renders the stylesheet, the steps as JSON (json_script, no inline code) and the script. Put it
once in the base layout, or on a single page; it renders nothing for visitors not logged in.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from qingzhuang.duties.help_content import walkthrough_for

register = template.Library()


@register.inclusion_tag("duties/_walkthrough.html", takes_context=True)
def walkthrough(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    # Rendered at most once per response (the base layout and a page may both include it).
    if request is None or getattr(request, "_qz_walkthrough_done", False):
        return {"walkthrough": None}
    request._qz_walkthrough_done = True
    return {"walkthrough": walkthrough_for(getattr(request, "user", None))}


@register.inclusion_tag("duties/_voice_labels.html")
def voice_recorder_labels() -> dict[str, Any]:
    """Words for duties/voice_recorder.js ({n} and {max} are filled in by the script)."""
    return {
        "labels": {
            "noMic": _(
                "这台手机或电脑的浏览器不能录音。请直接写文字，或者点手机键盘上的话筒用语音输入。"
            ),
            "https": _(
                "录音需要用 https 地址打开本页面。请直接写文字，或者用手机键盘上的话筒语音输入。"
            ),
            "start": _("开始录音"),
            "stop": _("停止"),
            "clear": _("删除录音"),
            "again": _("重新录音"),
            "silent": _("没有录到声音。请检查麦克风后再试一次。"),
            "noForm": _("录好了，但这个浏览器不能把录音放进表单。请改用文字填写。"),
            "done": _("录好了，共 {n} 秒。可以先点播放听一听，再提交。"),
            "opening": _("正在打开麦克风……如果手机问是否允许使用麦克风，请点“允许”。"),
            "recording": _("正在录音，请说话。说完点“停止”。最长 {max} 秒。"),
            "limit": _("已到 {max} 秒，自动停止。"),
            "denied": _(
                "没有得到使用麦克风的允许。请在浏览器设置里允许本网站使用麦克风，或改用文字填写。"
            ),
            "notFound": _("没有找到麦克风。请插上耳机麦克风，或改用文字填写。"),
            "cleared": _("录音已删除。"),
        }
    }
