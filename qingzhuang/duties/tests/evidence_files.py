"""Evidence files as phones and office programs write them, with the metadata that names the
sender: EXIF (camera, GPS, artist) in photos, document properties in Office and PDF files."""

from __future__ import annotations

import io
import zipfile
from typing import Any

NAME = "Zhang Wenshu"  # the reporter, as a camera or an office program records them
NAME_ZH = "张文书（石桥村）"
COMPANY = "石桥村村委会"
GPS = {1: "N", 2: (30.0, 35.0, 12.0), 3: "E", 4: (114.0, 18.0, 5.0)}


def exif(orientation: int = 1) -> Any:
    from PIL import Image

    data = Image.Exif()
    data[0x010F] = "HUAWEI"  # Make
    data[0x0110] = "ELS-AN00"  # Model
    data[0x013B] = NAME  # Artist
    data[0x0112] = orientation
    data[0x8825] = GPS  # the GPS IFD
    return data


def _picture(size: tuple[int, int] = (40, 20)) -> Any:
    from PIL import Image

    img = Image.new("RGB", size, (10, 120, 200))
    img.paste((250, 250, 0), (0, 0, size[0] // 2, size[1]))  # left half yellow: shows rotation
    return img


def jpeg(orientation: int = 1) -> bytes:
    buf = io.BytesIO()
    xmp = f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>{NAME}</dc:creator></x:xmpmeta>'
    _picture().save(buf, "JPEG", exif=exif(orientation), comment=NAME, xmp=xmp.encode())
    return buf.getvalue()


def mpo() -> bytes:
    """A phone's multi-picture JPEG: the photo, then a preview with its own EXIF."""
    buf = io.BytesIO()
    preview = _picture((20, 10))
    _picture().save(buf, "MPO", save_all=True, append_images=[preview], exif=exif())
    return buf.getvalue()


def png() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", NAME)
    info.add_itxt("Description", NAME_ZH)
    buf = io.BytesIO()
    _picture().save(buf, "PNG", pnginfo=info, exif=exif())
    return buf.getvalue()


def webp() -> bytes:
    buf = io.BytesIO()
    xmp = f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>{NAME}</dc:creator></x:xmpmeta>'
    _picture().save(buf, "WEBP", exif=exif().tobytes(), xmp=xmp.encode())
    return buf.getvalue()


def gif() -> bytes:
    buf = io.BytesIO()
    _picture().convert("P").save(buf, "GIF", comment=NAME.encode())
    return buf.getvalue()


def pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, StreamObject
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setAuthor(NAME_ZH)
    c.setCreator(f"WPS {NAME}")
    c.setSubject(NAME)
    c.setFont("STSong-Light", 12)
    c.drawString(72, 720, "每日拍照打卡通知")
    c.save()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(buf.getvalue())))
    xmp = StreamObject()
    xmp.set_data(f"<x:xmpmeta><dc:creator>{NAME}</dc:creator></x:xmpmeta>".encode())
    xmp[NameObject("/Type")] = NameObject("/Metadata")
    xmp[NameObject("/Subtype")] = NameObject("/XML")
    writer.root_object[NameObject("/Metadata")] = writer._add_object(xmp)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
    ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    f"<Application>WPS Office</Application><Company>{COMPANY}</Company>"
    f"<Manager>{NAME}</Manager></Properties>"
)
CUSTOM_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"'
    ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="KSOProductBuildVer">'
    f"<vt:lpwstr>{NAME}</vt:lpwstr></property></Properties>"
)


def _with_office_properties(data: bytes) -> bytes:
    """Replace app.xml with one naming the company and manager, and add custom properties."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = APP_XML.encode() if info.filename == "docProps/app.xml" else src.read(info)
            dst.writestr(info, body, compress_type=zipfile.ZIP_DEFLATED)
        dst.writestr("docProps/custom.xml", CUSTOM_XML)
    return out.getvalue()


def xlsx() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws: Any = wb.active
    ws["A1"] = "每日打卡统计"
    ws["B2"] = 31
    wb.properties.creator = NAME_ZH
    wb.properties.lastModifiedBy = NAME
    wb.properties.title = NAME
    buf = io.BytesIO()
    wb.save(buf)
    return _with_office_properties(buf.getvalue())


def docx() -> bytes:
    from docx import Document

    doc = Document()
    doc.add_paragraph("关于每日拍照打卡的通知")
    doc.core_properties.author = NAME_ZH
    doc.core_properties.last_modified_by = NAME
    doc.core_properties.comments = NAME
    buf = io.BytesIO()
    doc.save(buf)
    return _with_office_properties(buf.getvalue())


def docprops_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return "".join(
            zf.read(n).decode("utf-8")
            for n in zf.namelist()
            if n.startswith("docProps/") and n.endswith(".xml")
        )
