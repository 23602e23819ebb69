"""Decoding uploaded text: the encodings township PCs save, and plain errors for the rest."""

from __future__ import annotations

import codecs
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from qingzhuang.core.errors import InvalidInput
from qingzhuang.core.textcodec import SNIFF_BYTES, UndecodableText, decode_bytes, sniff_encoding

CSV = "村名,户籍人口（人）\n东村,1200\n西村,860\n"
GB18030_ONLY = "刘䶮,𠀀"  # 䶮 and 𠀀 are outside GBK: a gbk-only decoder refuses them


def _xlsx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>" * 40)
        zf.writestr("xl/worksheets/sheet1.xml", "<worksheet>东村</worksheet>" * 40)
    return buf.getvalue()


# --- decode_bytes: whole small uploads -------------------------------------------------------


def test_plain_utf8_is_decoded_as_utf8() -> None:
    assert decode_bytes(CSV.encode("utf-8")) == (CSV, "utf-8")


def test_utf8_bom_is_stripped_and_reported() -> None:
    text, encoding = decode_bytes(CSV.encode("utf-8-sig"))
    assert text == CSV
    assert not text.startswith("\ufeff")
    assert encoding == "utf-8-sig"


def test_gbk_file_is_read_with_gb18030() -> None:
    assert decode_bytes(CSV.encode("gbk")) == (CSV, "gb18030")


def test_characters_outside_gbk_are_read() -> None:
    data = GB18030_ONLY.encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("gbk")
    assert decode_bytes(data) == (GB18030_ONLY, "gb18030")


def test_text_that_is_valid_in_both_prefers_utf8() -> None:
    data = "东村".encode()
    assert data.decode("gb18030") != "东村"  # it would decode, as mojibake
    assert decode_bytes(data) == ("东村", "utf-8")


def test_utf16_with_bom_is_read() -> None:
    text, encoding = decode_bytes(CSV.encode("utf-16"))
    assert text == CSV
    assert encoding == "utf-16"


def test_empty_input_is_empty_text_not_an_error() -> None:
    assert decode_bytes(b"") == ("", "utf-8")
    assert decode_bytes(codecs.BOM_UTF8) == ("", "utf-8-sig")


def test_xlsx_sent_as_csv_is_refused_as_binary() -> None:
    with pytest.raises(UndecodableText) as err:
        decode_bytes(_xlsx_bytes())
    assert err.value.kind == "binary"
    assert "不是文字" in err.value.message


def test_control_characters_without_nul_count_as_binary() -> None:
    with pytest.raises(UndecodableText) as err:
        decode_bytes(b"PK\x03\x04\x14\x06" + b"a,b\n" * 20)
    assert err.value.kind == "binary"


def test_bytes_in_no_known_encoding_give_the_encoding_error() -> None:
    with pytest.raises(UndecodableText) as err:
        decode_bytes(b"\x81\xff\xfe\x80" * 300 + b"\n")
    assert err.value.kind == "encoding"
    assert "UTF-8" in err.value.message


def test_utf8_cut_in_the_last_character_is_not_taken_for_gb18030() -> None:
    data = "东村,1200\n南".encode()[:-1]
    assert data.decode("gb18030")  # a guesser that falls back would return mojibake
    with pytest.raises(UndecodableText) as err:
        decode_bytes(data)
    assert err.value.kind == "truncated"


def test_ascii_file_ending_in_a_gbk_character_is_gb18030() -> None:
    data = b"a,b\n1," + "涓".encode("gbk")  # E4 B8: also the start of a UTF-8 character
    assert decode_bytes(data) == ("a,b\n1,涓", "gb18030")


def test_error_is_an_invalid_input_with_chinese_message_and_english_text() -> None:
    with pytest.raises(InvalidInput) as err:
        decode_bytes(b"\x81\xff" * 10)
    exc = err.value
    assert isinstance(exc, UndecodableText)
    assert exc.code == "invalid_input"
    assert "编码" in exc.message
    assert exc.english not in exc.message
    assert "encoding" in exc.english
    assert str(exc) == f"{exc.message} ({exc.english})"


# --- sniff_encoding: the first megabyte of a stream --------------------------------------------


def test_sniff_plain_utf8_bom_and_gbk() -> None:
    assert sniff_encoding(CSV.encode()) == "utf-8"
    assert sniff_encoding(CSV.encode("utf-8-sig")) == "utf-8-sig"
    assert sniff_encoding(CSV.encode("gbk")) == "gb18030"
    assert sniff_encoding(GB18030_ONLY.encode("gb18030")) == "gb18030"
    assert sniff_encoding(CSV.encode("utf-16")) == "utf-16"


def test_sniff_utf8_cut_mid_character_at_the_boundary() -> None:
    body = ("东村,1200\n" * (SNIFF_BYTES // 10)).encode()
    head = body[:SNIFF_BYTES]
    with pytest.raises(UnicodeDecodeError):
        head.decode("utf-8")  # the cut really falls inside a character
    assert sniff_encoding(head) == "utf-8"


def test_sniff_gb18030_cut_mid_four_byte_character_at_the_boundary() -> None:
    head = ("东村" + GB18030_ONLY).encode("gb18030")
    assert head.endswith("𠀀".encode("gb18030"))
    for cut in (1, 2, 3):
        assert sniff_encoding(head[:-cut]) == "gb18030"


def test_sniff_binary_and_unknown_and_empty() -> None:
    with pytest.raises(UndecodableText) as err:
        sniff_encoding(_xlsx_bytes())
    assert err.value.kind == "binary"
    with pytest.raises(UndecodableText) as err:
        sniff_encoding(b"\x81\xff\xfe\x80" * 300)
    assert err.value.kind == "encoding"
    assert sniff_encoding(b"") == "utf-8"


def test_module_imports_nothing_from_django() -> None:
    code = "import sys, qingzhuang.core.textcodec; print(any(m.split('.')[0] == 'django' for m in sys.modules))"
    done = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert done.stdout.strip() == "False"
