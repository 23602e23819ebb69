"""Checking a resident's voice message before it is stored as an attachment.

The browser recorder (static/duties/voice_recorder.js) produces webm/ogg (Chrome, Firefox,
Android) or mp4 (Safari); residents may also attach a wav/m4a/mp3 file from their phone. The
content is sniffed from its first bytes (the name and the browser's content type are not
trusted), the size is capped, and the duration is read where the container states it
(wav, mp4/m4a, ogg, webm with a Duration element). Recordings from MediaRecorder often carry no
duration; then the size cap (and the recorder's own 60-second stop) is the limit.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from qingzhuang.core.errors import InvalidInput

MAX_VOICE_BYTES = 8 * 1024 * 1024
MAX_VOICE_SECONDS = 60
_SLACK_SECONDS = 1.5  # the recorder stops at 60 s; containers round up a little
MIN_VOICE_BYTES = 64

MIME = {
    "webm": "audio/webm",
    "ogg": "audio/ogg",
    "mp4": "audio/mp4",
    "wav": "audio/wav",
    "mp3": "audio/mpeg",
}


@dataclass(frozen=True)
class VoiceInfo:
    kind: str  # webm | ogg | mp4 | wav | mp3
    mime: str
    duration: float | None  # seconds, when the container says


def _read_all(file: Any) -> bytes:
    if isinstance(file, bytes | bytearray):
        return bytes(file)
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(MAX_VOICE_BYTES + 1)
    if hasattr(file, "seek"):
        file.seek(0)
    return bytes(data)


def sniff_kind(head: bytes) -> str | None:
    """The container named by the first bytes, or None for anything that is not audio we take."""
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"  # EBML: WebM (or Matroska audio from some recorders)
    if head[:4] == b"OggS":
        return "ogg"
    if head[4:8] == b"ftyp":
        return "mp4"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:3] == b"ID3":
        return "mp3"
    if len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0 and (head[1] & 0x06):
        return "mp3"  # MPEG audio frame sync, layer I–III (ADTS AAC has layer bits 00)
    return None


# ------------------------------------------------------------------ durations per container


def _wav_duration(data: bytes) -> float | None:
    pos, byte_rate = 12, 0
    while pos + 8 <= len(data):
        cid, size = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        body = pos + 8
        if cid == b"fmt " and size >= 12:
            byte_rate = struct.unpack("<I", data[body + 8 : body + 12])[0]
        elif cid == b"data":
            if not byte_rate:
                return None
            # A streamed wav may say 0xFFFFFFFF; count what is actually there.
            actual = min(size, len(data) - body)
            return actual / byte_rate
        pos = body + size + (size & 1)
    return None


def _mp4_duration(data: bytes) -> float | None:
    def boxes(start: int, end: int) -> Any:
        pos = start
        while pos + 8 <= end:
            size = struct.unpack(">I", data[pos : pos + 4])[0]
            kind = data[pos + 4 : pos + 8]
            header = 8
            if size == 1 and pos + 16 <= end:
                size = struct.unpack(">Q", data[pos + 8 : pos + 16])[0]
                header = 16
            elif size == 0:
                size = end - pos
            if size < header:
                return
            yield kind, pos + header, min(pos + size, end)
            pos += size

    for kind, body, end in boxes(0, len(data)):
        if kind != b"moov":
            continue
        for sub, sbody, _send in boxes(body, end):
            if sub != b"mvhd":
                continue
            version = data[sbody]
            if version == 1:
                timescale, duration = struct.unpack(">IQ", data[sbody + 20 : sbody + 32])
            else:
                timescale, duration = struct.unpack(">II", data[sbody + 12 : sbody + 20])
            if timescale and duration and duration != 0xFFFFFFFF:
                return float(duration) / float(timescale)
            return None
    return None


def _ogg_duration(data: bytes) -> float | None:
    rate, pre_skip = 0, 0
    head = data[:512]
    i = head.find(b"OpusHead")
    if i >= 0 and i + 12 <= len(head):
        rate = 48000
        pre_skip = struct.unpack("<H", head[i + 10 : i + 12])[0]
    else:
        j = head.find(b"\x01vorbis")
        if j >= 0 and j + 16 <= len(head):
            rate = struct.unpack("<I", head[j + 12 : j + 16])[0]
    if not rate:
        return None
    last = data.rfind(b"OggS")
    if last < 0 or last + 14 > len(data):
        return None
    granule = struct.unpack("<q", data[last + 6 : last + 14])[0]
    if granule <= 0:
        return None
    return max(0, granule - pre_skip) / rate


def _vint(data: bytes, pos: int, keep_marker: bool) -> tuple[int, int]:
    """An EBML variable-length integer at pos: (value, length)."""
    first = data[pos]
    length = 1
    mask = 0x80
    while length <= 8 and not first & mask:
        mask >>= 1
        length += 1
    if length > 8 or pos + length > len(data):
        raise ValueError("bad vint")
    value = first if keep_marker else first & (mask - 1)
    for b in data[pos + 1 : pos + length]:
        value = (value << 8) | b
    return value, length


_EBML_CONTAINERS = {0x18538067, 0x1549A966}  # Segment, Info
_CLUSTER = 0x1F43B675


def _webm_duration(data: bytes) -> float | None:
    scale, duration = 1_000_000, None
    pos, end = 0, min(len(data), 1 << 20)
    try:
        while pos < end:
            eid, n = _vint(data, pos, keep_marker=True)
            size, m = _vint(data, pos + n, keep_marker=False)
            body = pos + n + m
            unknown = size == (1 << (7 * m)) - 1
            if eid == _CLUSTER:
                break
            if eid in _EBML_CONTAINERS:
                pos = body  # descend
                continue
            if eid == 0x2AD7B1:  # TimecodeScale
                scale = int.from_bytes(data[body : body + size], "big")
            elif eid == 0x4489:  # Duration (float, in TimecodeScale units)
                raw = data[body : body + size]
                duration = struct.unpack(">d" if size == 8 else ">f", raw)[0]
            if unknown:
                break
            pos = body + size
    except (ValueError, IndexError, struct.error):
        return None
    if duration is None or duration <= 0:
        return None
    return float(duration) * scale / 1e9


_DURATION = {
    "wav": _wav_duration,
    "mp4": _mp4_duration,
    "ogg": _ogg_duration,
    "webm": _webm_duration,
}


def sniff_voice(data: bytes) -> VoiceInfo | None:
    kind = sniff_kind(data[:16])
    if kind is None:
        return None
    reader = _DURATION.get(kind)
    duration = None
    if reader is not None:
        try:
            duration = reader(data)
        except (struct.error, IndexError, ValueError):
            duration = None
    return VoiceInfo(kind=kind, mime=MIME[kind], duration=duration)


def validate_voice_upload(file: Any) -> None:
    """Raise InvalidInput (plain words, says what to do) unless `file` is a short voice message."""
    if file is None:
        raise InvalidInput(_("没有收到录音。请点“开始录音”，说完后点“停止”，再提交。"))
    size = getattr(file, "size", None)
    if size is not None and size > MAX_VOICE_BYTES:
        raise InvalidInput(
            _("录音文件太大了（超过 %(mb)s MB）。请重新录一段不超过 %(seconds)s 秒的语音。")
            % {"mb": MAX_VOICE_BYTES // (1024 * 1024), "seconds": MAX_VOICE_SECONDS}
        )
    data = _read_all(file)
    if len(data) > MAX_VOICE_BYTES:
        raise InvalidInput(
            _("录音文件太大了（超过 %(mb)s MB）。请重新录一段不超过 %(seconds)s 秒的语音。")
            % {"mb": MAX_VOICE_BYTES // (1024 * 1024), "seconds": MAX_VOICE_SECONDS}
        )
    if len(data) < MIN_VOICE_BYTES:
        raise InvalidInput(_("录音是空的，可能没有录上声音。请检查麦克风后重新录一次。"))
    info = sniff_voice(data)
    if info is None:
        raise InvalidInput(
            _(
                "这个文件不是能识别的录音（支持 webm、ogg、mp4/m4a、wav、mp3）。请直接用页面上的“开始录音”按钮录音，或改用文字填写。"
            )
        )
    if info.duration is not None and info.duration > MAX_VOICE_SECONDS + _SLACK_SECONDS:
        raise InvalidInput(
            _(
                "录音有 %(duration)s 秒，最长只能 %(max_seconds)s 秒。请把要说的事说得简短一些，重新录一次；说不完的可以分两次提交或用文字补充。"
            )
            % {"duration": round(info.duration), "max_seconds": MAX_VOICE_SECONDS}
        )


def demo_voice_wav(seconds: float = 2.0, rate: int = 8000) -> bytes:
    """A short, valid WAV (a soft two-tone chime) for the demo township's example voice message."""
    import math

    frames = bytearray()
    n = int(seconds * rate)
    for i in range(n):
        freq = 440.0 if i < n // 2 else 660.0
        fade = min(1.0, i / 400, (n - i) / 400)
        frames += struct.pack("<h", int(6000 * fade * math.sin(2 * math.pi * freq * i / rate)))
    header = b"RIFF" + struct.pack("<I", 36 + len(frames)) + b"WAVE"
    fmt = b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    return header + fmt + b"data" + struct.pack("<I", len(frames)) + bytes(frames)
