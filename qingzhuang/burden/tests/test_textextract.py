"""Reading documents and spotting copies of an upper-level document."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from qingzhuang.burden.neardup import containment
from qingzhuang.burden.textextract import ExtractError, count_chars, extract_text


def _docx(text: str) -> bytes:
    import docx

    d = docx.Document()
    for line in text.split("\n"):
        d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _pdf(text: str) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont("STSong-Light", 12)
    c.drawString(50, 750, text)
    c.save()
    return buf.getvalue()


def test_docx_text_and_length_ignore_whitespace() -> None:
    text = extract_text("通知.docx", _docx("关于做好 防汛工作的通知\n各村：请落实。"))
    assert "防汛工作" in text
    assert count_chars(text) == len("关于做好防汛工作的通知各村：请落实。")


def test_pdf_text() -> None:
    assert "减负通知" in extract_text("a.pdf", _pdf("减负通知正文"))


def test_txt_in_gbk() -> None:
    assert extract_text("a.txt", "基层减负".encode("gb18030")) == "基层减负"


def test_unsupported_type_is_refused_in_plain_chinese() -> None:
    with pytest.raises(ExtractError, match="不支持"):
        extract_text("a.exe", b"MZ")


def test_garbage_doc_is_refused() -> None:
    with pytest.raises(ExtractError, match=r"\.doc|docx"):
        extract_text("a.doc", b"not an ole file at all")


def test_real_word97_doc_is_read(shared_data: Path) -> None:
    path = shared_data / "forms" / "2016年湖北农林牧渔业综合统计报表制度.doc"
    if not path.is_file():
        pytest.skip("real .doc not present")
    text = extract_text(path.name, path.read_bytes())
    assert "农林牧渔业综合" in text
    assert "中华人民共和国统计法" in text
    assert count_chars(text) > 10000


def test_copied_document_has_high_containment_and_own_text_low() -> None:
    upper = "各地要深入开展农村人居环境整治，聚焦垃圾污水治理和村容村貌提升，压实属地责任。" * 5
    copy = "县生态环境局转发：" + upper
    own = "本镇结合实际，安排青山村先行试点化粪池改造，由村民理事会监督施工质量和进度。"
    assert containment(copy, upper) > 0.8
    assert containment(own, upper) < 0.2
    assert containment("", upper) == 0.0
