"""The monthly report PDF prints what people typed as plain text, never as reportlab markup."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from qingzhuang.burden import services
from qingzhuang.burden.exports import report_pdf
from qingzhuang.org.services import department_get_or_create

pytestmark = pytest.mark.django_db


def _png(path: Path) -> Path:
    from PIL import Image

    Image.new("RGB", (8, 4), (200, 30, 30)).save(path, format="PNG")
    return path


def _report(text: str) -> dict[str, Any]:
    return {
        "title": f"{text}报告",
        "summary": [(f"{text}项目", 1)],
        "demands": [
            {
                "received": "2026-11-02",
                "kind": "report",
                "title": text,
                "issuer": text,
                "hours": 1.5,
                "rules": [text],
            },
        ],
        "by_issuer": [{"issuer": text, "count": 1, "hours": 1.5, "findings": 1}],
        "by_kind": [{"kind": "report", "count": 1, "hours": 1.5}],
        "findings": [{"rule": "R1", "title": text, "count": 1}],
    }


def _text_and_images(pdf: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(p.extract_text() for p in reader.pages)
    return text, sum(len(p.images) for p in reader.pages)


def test_an_img_tag_in_any_field_is_printed_literally_and_embeds_nothing(tmp_path: Path) -> None:
    secret = _png(tmp_path / "secret.png")
    text, images = _text_and_images(report_pdf(_report(f'统计表<img src="{secret}" width="40"/>')))
    assert images == 0
    assert f'<img src="{secret}"' in text.replace("\n", "")


@pytest.mark.parametrize(
    "typed",
    [
        "关于报送<b>重点</b>和<b>一般项目统计表",
        '<img src="http://127.0.0.1:9/x.png"/>',
        "<font",
        "a</para>",
    ],
)
def test_unbalanced_or_unfinished_markup_does_not_break_the_pdf(typed: str) -> None:
    text, images = _text_and_images(report_pdf(_report(typed)))
    assert typed in text.replace("\n", "") and images == 0


def test_ampersands_are_kept_as_typed() -> None:
    text, _ = _text_and_images(report_pdf(_report("R&D 与 &amp; 和 &lt;")))
    assert "R&D 与 &amp; 和 &lt;" in text


def test_report_page_prints_a_demand_title_with_markup_as_text(
    client: Client, org_tree: dict[str, Any], tmp_path: Path
) -> None:
    secret = _png(tmp_path / "secret.png")
    issuer = department_get_or_create(name="县<b>统计局", actor="test")
    title = f'统计表<img src="{secret}" width="40" height="20"/>R&D'
    services.demand_create(org_unit=org_tree["town"], kind="meeting", title=title, issuer=issuer,
                           received=date(2026, 4, 1), duration_minutes=120, actor="test")  # fmt: skip
    assert client.login(username=org_tree["admin"].username, password=org_tree["password"])
    resp = client.get(reverse("burden:report") + "?year=2026&month=4&format=pdf")
    assert resp.status_code == 200
    text, images = _text_and_images(resp.content)
    flat = text.replace("\n", "")
    assert images == 0 and title in flat and "县<b>统计局" in flat
