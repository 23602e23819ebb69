"""Anonymous 减负直通车 reports: the evidence file must not name its sender either. Photos lose
their EXIF (camera, GPS, artist), Office and PDF files their document properties."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qingzhuang.core.errors import InvalidInput
from qingzhuang.duties import services
from qingzhuang.duties.models import FeedbackReport

from . import evidence_files as ef
from .conftest import login

pytestmark = pytest.mark.django_db

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100


def _submit(org_tree: dict[str, Any], name: str, content: bytes, anonymous: bool = True) -> bytes:
    report, _ = services.feedback_submit(
        actor=org_tree["worker_a"],
        issuer="县某局",
        kind="checkin",
        occurred_on=dt.date(2026, 3, 1),
        text="要求每天拍照打卡",
        anonymous=anonymous,
        evidence=SimpleUploadedFile(name, content),
    )
    with report.evidence.open("rb") as fh:
        return fh.read()


def _image(data: bytes) -> Any:
    from PIL import Image

    img = Image.open(io.BytesIO(data))
    img.load()
    return img


@pytest.mark.parametrize(
    ("name", "build", "fmt"),
    [
        ("照片.jpg", ef.jpeg, "JPEG"),
        ("多帧照片.jpg", ef.mpo, "JPEG"),
        ("截图.png", ef.png, "PNG"),
        ("图.webp", ef.webp, "WEBP"),
        ("动图.gif", ef.gif, "GIF"),
    ],
)
def test_anonymous_photo_loses_camera_gps_and_author(
    org_tree: dict[str, Any], name: str, build: Callable[[], bytes], fmt: str
) -> None:
    original = build()
    assert ef.NAME.encode() in original
    stored = _submit(org_tree, name, original)
    img = _image(stored)
    assert img.format == fmt and img.size == (40, 20)
    assert dict(img.getexif()) == {}
    assert not {"exif", "xmp", "comment", "Author", "Description"} & set(img.info)
    for needle in (ef.NAME.encode(), b"HUAWEI", b"ELS-AN00", ef.NAME_ZH.encode()):
        assert needle not in stored


def test_a_rotated_phone_photo_stays_upright_without_its_exif(org_tree: dict[str, Any]) -> None:
    stored = _submit(org_tree, "竖拍.jpg", ef.jpeg(orientation=6))  # 6: turn 90° clockwise
    img = _image(stored)
    assert img.size == (20, 40) and dict(img.getexif()) == {}
    r, g, b = img.convert("RGB").getpixel((10, 5))  # the yellow half is now on top
    assert r > 200 and g > 200 and b < 80


@pytest.mark.parametrize(("name", "build"), [("台账.xlsx", ef.xlsx), ("通知.docx", ef.docx)])
def test_anonymous_office_file_loses_author_company_and_custom_properties(
    org_tree: dict[str, Any], name: str, build: Callable[[], bytes]
) -> None:
    original = build()
    assert ef.NAME_ZH in ef.docprops_text(original) and ef.COMPANY in ef.docprops_text(original)
    stored = _submit(org_tree, name, original)
    props = ef.docprops_text(stored)
    for needle in (ef.NAME, ef.NAME_ZH, ef.COMPANY):
        assert needle not in props


def test_cleaned_workbook_keeps_its_cells(org_tree: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(_submit(org_tree, "台账.xlsx", ef.xlsx())))
    ws: Any = wb.active
    assert (ws["A1"].value, ws["B2"].value) == ("每日打卡统计", 31)
    assert wb.properties.creator != ef.NAME_ZH and not wb.properties.lastModifiedBy


def test_cleaned_document_keeps_its_text(org_tree: dict[str, Any]) -> None:
    from docx import Document

    doc = Document(io.BytesIO(_submit(org_tree, "通知.docx", ef.docx())))
    assert [p.text for p in doc.paragraphs] == ["关于每日拍照打卡的通知"]
    assert doc.core_properties.author == "" and doc.core_properties.last_modified_by == ""


def test_anonymous_pdf_loses_author_creator_and_xmp(org_tree: dict[str, Any]) -> None:
    from pypdf import PdfReader

    original = ef.pdf()
    assert ef.NAME.encode() in original
    stored = _submit(org_tree, "通知.pdf", original)
    reader = PdfReader(io.BytesIO(stored))
    info = reader.metadata or {}
    assert not {"/Author", "/Creator", "/Subject", "/Title"} & set(info)
    assert "/Metadata" not in reader.trailer["/Root"]
    assert ef.NAME.encode() not in stored
    assert "每日拍照打卡通知" in reader.pages[0].extract_text()


@pytest.mark.parametrize("name", ["通知.doc", "台账.xls"])
def test_anonymous_report_refuses_old_office_files_whose_properties_cannot_be_cleaned(
    org_tree: dict[str, Any], name: str
) -> None:
    with pytest.raises(InvalidInput, match="docx"):
        _submit(org_tree, name, OLE)
    assert not FeedbackReport.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("坏图.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100),  # a PNG signature, then nothing
        ("坏图.jpg", b"\xff\xd8\xff\xe1" + b"\x00" * 100),
        ("坏.pdf", b"%PDF-1.7\n" + b"\x00" * 100),
    ],
)
def test_anonymous_report_refuses_evidence_it_cannot_clean(
    org_tree: dict[str, Any], name: str, content: bytes
) -> None:
    with pytest.raises(InvalidInput, match="截图"):
        _submit(org_tree, name, content)
    assert not FeedbackReport.objects.exists()


def test_a_named_report_keeps_the_evidence_as_sent(org_tree: dict[str, Any]) -> None:
    original = ef.jpeg()
    assert _submit(org_tree, "照片.jpg", original, anonymous=False) == original
    assert _submit(org_tree, "台账.xls", OLE, anonymous=False) == OLE


def test_feedback_form_says_what_is_removed_and_what_is_not(
    client: Any, org_tree: dict[str, Any]
) -> None:
    login(client, org_tree["worker_a"], org_tree["password"])
    page = client.get(reverse("duties:feedback")).content.decode()
    assert "拍摄地点" in page and "批注" in page


def test_anonymous_photo_through_the_page_is_stored_clean(
    client: Any, org_tree: dict[str, Any]
) -> None:
    login(client, org_tree["worker_a"], org_tree["password"])
    data = {
        "issuer": "县生态环境局",
        "kind": "checkin",
        "occurred_on": "2026-03-02",
        "text": "要求每天在群里拍照打卡",
        "anonymous": "on",
        "evidence": SimpleUploadedFile("照片.jpg", ef.jpeg(), "image/jpeg"),
    }
    assert client.post(reverse("duties:feedback"), data).status_code == 200
    report = FeedbackReport.objects.get()
    login(client, org_tree["admin"], org_tree["password"])
    resp = client.get(reverse("duties:feedback_evidence", args=[report.pk]))
    body = b"".join(resp.streaming_content)
    assert resp.status_code == 200 and b"HUAWEI" not in body and dict(_image(body).getexif()) == {}
