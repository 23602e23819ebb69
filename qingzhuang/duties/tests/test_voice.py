"""The voice-message validator: content sniffing, size and duration limits."""

from __future__ import annotations

import struct
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from qingzhuang.core.errors import InvalidInput
from qingzhuang.duties.voice import (
    MAX_VOICE_BYTES,
    demo_voice_wav,
    sniff_voice,
    validate_voice_upload,
)


def _upload(data: bytes, name: str = "voice.webm", ctype: str = "audio/webm") -> Any:
    return SimpleUploadedFile(name, data, ctype)


def _mp4(seconds: int, timescale: int = 1000) -> bytes:
    ftyp = struct.pack(">I", 20) + b"ftypM4A " + struct.pack(">I", 0) + b"isom"
    mvhd_body = (
        bytes([0, 0, 0, 0])
        + struct.pack(">IIII", 0, 0, timescale, seconds * timescale)
        + b"\0" * 80
    )
    mvhd = struct.pack(">I", 8 + len(mvhd_body)) + b"mvhd" + mvhd_body
    moov = struct.pack(">I", 8 + len(mvhd)) + b"moov" + mvhd
    return ftyp + moov + b"\0" * 64


def _ogg_opus(seconds: int) -> bytes:
    head = (
        b"OpusHead" + bytes([1, 1]) + struct.pack("<H", 312) + struct.pack("<I", 48000) + b"\0\0\0"
    )
    first = b"OggS" + b"\0\x02" + struct.pack("<q", 0) + b"\0" * 12 + bytes([1, len(head)]) + head
    last = (
        b"OggS"
        + b"\0\x04"
        + struct.pack("<q", seconds * 48000 + 312)
        + b"\0" * 12
        + bytes([1, 10])
        + b"\0" * 10
    )
    return first + b"\0" * 100 + last


def _ebml(eid: bytes, body: bytes) -> bytes:
    return (
        eid + bytes([0x80 | len(body)]) + body
        if len(body) < 127
        else eid + b"\x40" + bytes([len(body)]) + body
    )


def _webm(seconds: float | None) -> bytes:
    header = _ebml(b"\x1a\x45\xdf\xa3", _ebml(b"\x42\x82", b"webm"))
    info_children = _ebml(b"\x2a\xd7\xb1", (1_000_000).to_bytes(3, "big"))
    if seconds is not None:
        info_children += _ebml(b"\x44\x89", struct.pack(">d", seconds * 1000.0))
    info = _ebml(b"\x15\x49\xa9\x66", info_children)
    # a live recording: Segment of unknown size, then a cluster
    segment = b"\x18\x53\x80\x67" + b"\x01\xff\xff\xff\xff\xff\xff\xff" + info
    cluster = b"\x1f\x43\xb6\x75" + b"\x01\xff\xff\xff\xff\xff\xff\xff" + b"\0" * 200
    return header + segment + cluster


def test_demo_wav_is_accepted_with_duration() -> None:
    data = demo_voice_wav()
    info = sniff_voice(data)
    assert info is not None and info.kind == "wav" and info.duration == pytest.approx(2.0)
    validate_voice_upload(_upload(data, "v.wav", "audio/wav"))


def test_long_wav_is_refused() -> None:
    data = demo_voice_wav(seconds=75, rate=1000)
    with pytest.raises(InvalidInput, match="最长只能 60 秒"):
        validate_voice_upload(_upload(data, "v.wav"))


def test_mp4_duration_from_mvhd() -> None:
    assert sniff_voice(_mp4(30)).duration == pytest.approx(30)  # type: ignore[union-attr]
    validate_voice_upload(_upload(_mp4(30), "v.m4a", "audio/mp4"))
    with pytest.raises(InvalidInput, match="秒"):
        validate_voice_upload(_upload(_mp4(90), "v.m4a", "audio/mp4"))


def test_ogg_opus_duration_from_last_granule() -> None:
    info = sniff_voice(_ogg_opus(20))
    assert info is not None and info.kind == "ogg" and info.duration == pytest.approx(20)
    with pytest.raises(InvalidInput):
        validate_voice_upload(_upload(_ogg_opus(120), "v.ogg"))


def test_webm_with_duration_element() -> None:
    info = sniff_voice(_webm(12.5))
    assert info is not None and info.kind == "webm" and info.duration == pytest.approx(12.5)
    with pytest.raises(InvalidInput):
        validate_voice_upload(_upload(_webm(65)))


def test_webm_from_media_recorder_without_duration_is_accepted() -> None:
    info = sniff_voice(_webm(None))
    assert info is not None and info.duration is None
    validate_voice_upload(_upload(_webm(None)))


def test_mp3_is_recognised() -> None:
    assert sniff_voice(b"ID3\x04\0\0\0\0\0\0" + b"\0" * 100).kind == "mp3"  # type: ignore[union-attr]
    assert sniff_voice(b"\xff\xfb\x90\x64" + b"\0" * 100).kind == "mp3"  # type: ignore[union-attr]
    assert sniff_voice(b"\xff\xf1\x50\x80" + b"\0" * 100) is None  # ADTS AAC is not mp3


def test_file_named_like_audio_but_not_audio_is_refused() -> None:
    with pytest.raises(InvalidInput, match="不是能识别的录音"):
        validate_voice_upload(_upload(b"<html><script>alert(1)</script></html>" * 5, "v.webm"))


def test_empty_recording_is_refused() -> None:
    with pytest.raises(InvalidInput, match="重新录"):
        validate_voice_upload(_upload(b"", "v.webm"))


def test_missing_file_is_refused() -> None:
    with pytest.raises(InvalidInput, match="开始录音"):
        validate_voice_upload(None)


def test_too_large_is_refused_before_reading() -> None:
    class Big:
        size = MAX_VOICE_BYTES + 1

        def read(self, n: int = -1) -> bytes:
            raise AssertionError("must not read")

    with pytest.raises(InvalidInput, match="太大"):
        validate_voice_upload(Big())


def test_too_large_without_size_attribute() -> None:
    data = demo_voice_wav(seconds=1) + b"\0" * MAX_VOICE_BYTES
    with pytest.raises(InvalidInput, match="太大"):
        validate_voice_upload(data)


def test_validator_rewinds_the_file() -> None:
    f = _upload(demo_voice_wav())
    validate_voice_upload(f)
    assert f.read(4) == b"RIFF"
