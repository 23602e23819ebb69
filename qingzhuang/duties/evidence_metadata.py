"""Remove what an evidence file says about the person who made it, for anonymous reports.

A phone photo carries the camera, its owner and the GPS position in EXIF/XMP; an Office or PDF
file names its author, the last editor and the company in its document properties. Photos are
re-encoded with Pillow (upright, without EXIF, XMP or comments), Office zips get empty property
parts (the rest of the package is copied untouched) and PDFs lose their Info dictionary and XMP.
Old binary .doc/.xls files keep author names in several places inside their streams that no
installed library rewrites, so they are refused rather than stored half-cleaned."""

from __future__ import annotations

import io
import posixpath
import shutil
import zipfile
from typing import Any

from qingzhuang.sheets.safety import OLE_MAGIC, ZIP_MAGIC

# Pixels decoded at most: a 10 MB upload cannot be a photo larger than this, only a bomb.
MAX_PIXELS = 120_000_000
# What a re-encoded picture keeps from the original's info: how it looks and moves, not who took it.
_KEEP_INFO = ("transparency", "icc_profile", "duration", "loop", "background", "dpi", "gamma")
_ORIENTATION = 0x0112

_REL_TYPES = {
    "core-properties": "core",
    "extended-properties": "app",
    "custom-properties": "custom",
}
_EMPTY_PARTS = {
    "core": (
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
    ),
    "app": (
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
        'docPropsVTypes"/>'
    ),
    "custom": (
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
        'docPropsVTypes"/>'
    ),
}
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


class CannotClean(Exception):
    """The file could not be read well enough to take its metadata out."""


class LegacyOffice(CannotClean):
    """An old binary .doc/.xls (OLE compound file): its author fields cannot be rewritten."""


def strip_metadata(data: bytes, kind: str) -> bytes:
    """The same picture or document without the properties that name its author or place.

    `kind` is what the content was sniffed as: "image", "pdf" or "office"."""
    if kind == "image":
        return _image(data)
    if kind == "pdf":
        return _pdf(data)
    if kind == "office" and data.startswith(ZIP_MAGIC):
        return _ooxml(data)
    if kind == "office" and data.startswith(OLE_MAGIC):
        raise LegacyOffice
    raise CannotClean(kind)


def _image(data: bytes) -> bytes:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format not in ("JPEG", "MPO", "PNG", "WEBP", "GIF"):
                raise CannotClean(img.format)
            if img.width * img.height > MAX_PIXELS:
                raise CannotClean("too many pixels")
            return _reencode(img)
    except CannotClean:
        raise
    except Exception as exc:  # noqa: BLE001 - any decoder failure on an upload means "unreadable"
        raise CannotClean(str(exc)) from exc


def _reencode(img: Any) -> bytes:
    from PIL import ImageOps
    from PIL.JpegImagePlugin import get_sampling

    # Many phones write MPO: a JPEG followed by preview JPEGs that carry their own EXIF. Only
    # the main picture is kept, as a plain JPEG.
    fmt = "JPEG" if img.format == "MPO" else img.format
    animated = fmt != "JPEG" and getattr(img, "n_frames", 1) > 1
    # Pillow writes EXIF, XMP and comments only when asked (or, for comments, when the source
    # had one): ask for none.
    options: dict[str, Any] = {"exif": b"", "xmp": b"", "save_all": animated}
    if fmt == "JPEG":
        # the original quantisation tables and subsampling: no visible loss from re-encoding
        options.update(comment=b"", qtables=img.quantization, subsampling=get_sampling(img))
    elif fmt == "WEBP":
        options["quality"] = 90
    elif fmt == "GIF":
        options["comment"] = b""
    out_img = img
    if not animated and img.getexif().get(_ORIENTATION, 1) != 1:
        # Keep the photo upright once the orientation tag is gone.
        out_img = ImageOps.exif_transpose(img)
    out_img.info = {k: img.info[k] for k in _KEEP_INFO if k in img.info}
    if "icc_profile" in out_img.info:
        options["icc_profile"] = out_img.info["icc_profile"]
    out = io.BytesIO()
    out_img.save(out, format=fmt, **options)
    return out.getvalue()


def _pdf(data: bytes) -> bytes:
    from pypdf import PdfReader, PdfWriter

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise CannotClean("encrypted")
        writer = PdfWriter(clone_from=reader)
        writer.metadata = None
        writer.xmp_metadata = None
        for page in writer.pages:
            for key in ("/Metadata", "/PieceInfo"):
                page.pop(key, None)
        writer.root_object.pop("/PieceInfo", None)
        # the removed parts would still be written as unreferenced objects: drop those
        writer.compress_identical_objects()
        out = io.BytesIO()
        writer.write(out)
    except CannotClean:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf fails in many ways on a broken file
        raise CannotClean(str(exc)) from exc
    return out.getvalue()


def _ooxml(data: bytes) -> bytes:
    from qingzhuang.sheets.safety import check_zip

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as src:
            check_zip(src, "evidence")
            parts = _property_parts(src)
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
                for info in src.infolist():
                    copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                    copy.compress_type = info.compress_type
                    copy.external_attr = info.external_attr
                    if info.filename in parts:
                        dst.writestr(copy, _XML_DECL + _EMPTY_PARTS[parts[info.filename]])
                        continue
                    copy.file_size = info.file_size
                    with src.open(info) as fin, dst.open(copy, "w") as fout:
                        shutil.copyfileobj(fin, fout, 1 << 16)
    except Exception as exc:  # noqa: BLE001 - bad zip, bomb, unsupported compression, bad XML
        raise CannotClean(str(exc)) from exc
    return out.getvalue()


def _property_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Package-level property parts by zip member name, found from the package relationships
    (not assumed to be docProps/*.xml), plus the usual names in case the relationship is
    missing: a part nobody refers to is still read by some tools."""
    from defusedxml.ElementTree import fromstring

    found = {
        "docProps/core.xml": "core",
        "docProps/app.xml": "app",
        "docProps/custom.xml": "custom",
    }
    try:
        rels = fromstring(zf.read("_rels/.rels"))
    except KeyError:
        rels = None
    for rel in [] if rels is None else list(rels):
        suffix = rel.get("Type", "").rsplit("/", 1)[-1]
        target = rel.get("Target", "")
        if suffix in _REL_TYPES and target and rel.get("TargetMode") != "External":
            found[posixpath.normpath(target.lstrip("/"))] = _REL_TYPES[suffix]
    names = set(zf.namelist())
    return {name: part for name, part in found.items() if name in names}
