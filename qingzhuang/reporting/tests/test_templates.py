"""Template import, the pages, the redundancy report and match decisions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from qingzhuang.audit.models import AuditEntry
from qingzhuang.core.errors import InvalidInput
from qingzhuang.datastore.tests import builders
from qingzhuang.reporting import services
from qingzhuang.reporting.models import Concept, FieldMatch, ReportTemplate, TemplateField
from qingzhuang.sheets.tests.builders import ole_file, xxe_xlsx, zip_bomb


def login(client: Client, tree: dict[str, Any], who: str) -> Client:
    assert client.login(username=tree[who].username, password=tree["password"])
    return client


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _upload(client: Client, *paths: Path, **extra: str) -> Any:
    handles = [p.open("rb") for p in paths]
    try:
        return client.post(reverse("reporting:list"), {"files": handles, **extra})
    finally:
        for h in handles:
            h.close()


def test_import_stores_file_fields_and_audit(org_tree: Any, tmp_path: Path) -> None:
    path = builders.minzheng_xlsx(tmp_path / "mz.xlsx")
    res = services.template_import(path=path, actor=org_tree["admin"], frequency="quarterly")
    t = res.template
    assert res.created and default_storage.exists(t.file.name)
    assert t.frequency == "quarterly" and len(t.sha256) == 64
    labels = list(t.fields.values_list("label", flat=True))
    assert labels == ["户籍人口", "常住人口", "60岁以上老年人口", "低保户数"]
    assert t.fields.get(label="户籍人口").path == ["人口情况", "户籍人口"]
    assert AuditEntry.objects.filter(action="reporting.template.import").count() == 1


def test_upload_many_with_issuer_frequency_deadline(
    client: Client, org_tree: Any, tmp_path: Path
) -> None:
    login(client, org_tree, "admin")
    a = builders.minzheng_xlsx(tmp_path / "a.xlsx")
    b = builders.tongji_xlsx(tmp_path / "b.xlsx")
    resp = _upload(client, a, b, issuer="县委办", frequency="monthly", deadline="2026-12-31")
    assert resp.status_code == 302
    assert ReportTemplate.objects.count() == 2
    assert set(ReportTemplate.objects.values_list("issuer__name", "frequency")) == {
        ("县委办", "monthly")
    }
    assert Concept.objects.exists()  # redundancy analysed after upload


def test_village_worker_cannot_upload(client: Client, org_tree: Any, tmp_path: Path) -> None:
    login(client, org_tree, "worker_a")
    resp = _upload(client, builders.minzheng_xlsx(tmp_path / "a.xlsx"))
    assert resp.status_code == 403
    assert not ReportTemplate.objects.exists()


@pytest.mark.parametrize(
    ("name", "make", "expect"),
    [
        ("empty.xlsx", lambda p: _write(p, b""), "空"),
        ("bad.xlsx", lambda p: _write(p, b"PK\x03\x04broken" * 10), "损坏"),
        ("secret.xlsx", lambda p: ole_file(p, "EncryptedPackage"), "加密"),
        ("bomb.xlsx", lambda p: zip_bomb(p), "压缩"),
        ("form.pdf", lambda p: _write(p, b"%PDF-1.4"), "不支持"),
    ],
)
def test_bad_upload_gives_chinese_error_and_stores_nothing(
    client: Client, org_tree: Any, tmp_path: Path, name: str, make: Any, expect: str
) -> None:
    login(client, org_tree, "admin")
    good = builders.minzheng_xlsx(tmp_path / "good.xlsx")
    bad = make(tmp_path / name)
    resp = _upload(client, good, bad)
    assert resp.status_code == 400
    html = resp.content.decode()
    assert expect in html, html[:2000]
    assert not ReportTemplate.objects.exists()
    assert not TemplateField.objects.exists()
    assert not default_storage.exists("templates") or not any(
        files for _dirs, files in [default_storage.listdir("templates")]
    )


def test_xxe_file_is_refused(org_tree: Any, tmp_path: Path) -> None:
    path = xxe_xlsx(tmp_path / "xxe.xlsx", tmp_path)
    with pytest.raises(InvalidInput):
        services.template_import(path=path, actor="test")
    assert not ReportTemplate.objects.exists()


def test_detail_page_shows_headers_fields_units(
    client: Client, org_tree: Any, tmp_path: Path
) -> None:
    t = services.template_import(
        path=builders.minzheng_xlsx(tmp_path / "a.xlsx"), actor="t"
    ).template
    login(client, org_tree, "worker_a")
    html = client.get(reverse("reporting:detail", args=[t.pk])).content.decode()
    assert "人口情况 › 60岁以上老年人口" in html and "户" in html
    fill = reverse("datastore:fill") + f"?template={t.pk}"
    assert fill in html  # a village worker enters data, so may fill it in
    login(client, org_tree, "evaluator")
    html = client.get(reverse("reporting:detail", args=[t.pk])).content.decode()
    assert fill not in html  # no link to a page that would answer 403
    assert client.get(fill).status_code == 403


def _three(tmp_path: Path) -> list[ReportTemplate]:
    ts = [
        services.template_import(path=b(tmp_path / f"{i}.xlsx"), actor="t").template
        for i, b in enumerate([builders.minzheng_xlsx, builders.tongji_xlsx, builders.nongye_xlsx])
    ]
    services.redundancy_analyse(actor="t")
    return ts


def test_redundancy_page_lists_items_by_issuer(
    client: Client, org_tree: Any, tmp_path: Path
) -> None:
    _three(tmp_path)
    login(client, org_tree, "admin")
    resp = client.get(reverse("reporting:redundancy"))
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "户籍人口" in html and "测试县民政局" in html and "测试县统计局" in html
    hj = next(it for it in resp.context["page"] if it.concept.name == "户籍人口")
    assert len(hj.fields) == 3 and hj.asks_per_year == 3


def test_rejected_match_is_not_suggested_again(
    client: Client, org_tree: Any, tmp_path: Path
) -> None:
    _three(tmp_path)
    concept = Concept.objects.get(name="户籍人口")
    a, b = list(concept.members.order_by("pk"))[:2]
    login(client, org_tree, "admin")
    resp = client.post(reverse("reporting:decide"), {"action": "reject", "a": b.pk, "b": a.pk})
    assert resp.status_code == 302
    m = FieldMatch.objects.get(field_a=a, field_b=b)
    assert m.status == "rejected" and m.decided_by == org_tree["admin"]
    services.redundancy_analyse(actor="t")
    for c in Concept.objects.all():
        ids = set(c.members.values_list("pk", flat=True))
        assert not {a.pk, b.pk} <= ids
    assert FieldMatch.objects.get(field_a=a, field_b=b).status == "rejected"
    assert AuditEntry.objects.filter(action="reporting.match.reject").exists()


def test_village_worker_cannot_decide(client: Client, org_tree: Any, tmp_path: Path) -> None:
    _three(tmp_path)
    concept = Concept.objects.get(name="户籍人口")
    login(client, org_tree, "worker_a")
    resp = client.post(reverse("reporting:decide"), {"action": "accept", "concept": concept.pk})
    assert resp.status_code == 403
    assert Concept.objects.get(pk=concept.pk).status == "suggested"


def test_accept_from_page_creates_element_and_mappings(
    client: Client, org_tree: Any, tmp_path: Path
) -> None:
    _three(tmp_path)
    concept = Concept.objects.get(name="户籍人口")
    login(client, org_tree, "admin")
    client.post(reverse("reporting:decide"), {"action": "accept", "concept": concept.pk})
    concept.refresh_from_db()
    assert concept.status == "accepted" and concept.element_code
    assert all(f.mapping.element.code == concept.element_code for f in concept.members.all())


def test_api_lists_templates_and_fields(client: Client, org_tree: Any, tmp_path: Path) -> None:
    t = services.template_import(path=builders.tongji_xlsx(tmp_path / "a.xlsx"), actor="t").template
    login(client, org_tree, "worker_a")
    rows = client.get("/api/reporting/templates").json()
    assert [r["id"] for r in rows] == [t.pk]
    detail = client.get(f"/api/reporting/templates/{t.pk}").json()
    assert {f["label"] for f in detail["fields"]} >= {"户籍人口", "耕地面积"}
    client.logout()
    assert client.get("/api/reporting/templates").status_code == 401


def test_fieldmatch_order_is_enforced_by_database(org_tree: Any, tmp_path: Path) -> None:
    from django.db import IntegrityError, transaction

    _three(tmp_path)
    a, b = TemplateField.objects.order_by("pk")[:2]
    with pytest.raises(IntegrityError), transaction.atomic():
        FieldMatch.objects.create(field_a=b, field_b=a, status="suggested")


@pytest.mark.parametrize("field", ["concept", "a"])
@pytest.mark.parametrize("value", ["abc", "-1", "²", ""])
def test_decision_with_a_garbled_id_finds_nothing(
    client: Client, org_tree: Any, field: str, value: str
) -> None:
    login(client, org_tree, "admin")
    action = "accept" if field == "concept" else "confirm"
    resp = client.post(reverse("reporting:decide"), {"action": action, field: value, "b": "1"})
    assert resp.status_code == 404
    assert not AuditEntry.objects.filter(action__startswith="reporting.").exists()


def test_items_already_kept_once_are_not_suggested_again(org_tree: Any, tmp_path: Path) -> None:
    """Fields already mapped to one data element (e.g. by automap on import) are not a
    pending duplicate: the number is already kept once."""
    from qingzhuang.datastore.services import concepts_accept

    _three(tmp_path)
    concept = Concept.objects.get(name="户籍人口")
    concepts_accept(actor="t", concepts=[concept])
    concept.delete()  # as if the fields had been mapped some other way
    services.redundancy_analyse(actor="t")
    assert not Concept.objects.filter(name="户籍人口", status="suggested").exists()


def test_pair_decisions_name_both_fields_and_the_list_is_paged(
    client: Client, org_tree: Any, tmp_path: Path
) -> None:
    _three(tmp_path)
    login(client, org_tree, "admin")
    resp = client.get(reverse("reporting:redundancy"))
    hj = next(it for it in resp.context["page"] if it.concept.name == "户籍人口")
    assert hj.pairs
    html = resp.content.decode()
    a, b = hj.pairs[0].field_a, hj.pairs[0].field_b
    pair_form = html.split(f'name="a" value="{a.pk}"')[1].split("</form>")[0]
    assert a.template.title in pair_form and b.template.title in pair_form
    total = resp.context["totals"]["items"]
    assert resp.context["page"].paginator.count == total
    page2 = client.get(reverse("reporting:redundancy") + "?page=999")
    assert page2.status_code == 200  # out-of-range pages show the last page


def test_cli_accept_of_an_unknown_or_decided_id_fails_with_one_line(
    org_tree: Any, tmp_path: Path
) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    _three(tmp_path)
    concept = Concept.objects.get(name="户籍人口")
    with pytest.raises(CommandError, match="找不到编号为 99999"):
        call_command("concepts", "accept", "--id", "99999", "--json")
    call_command("concepts", "accept", "--id", str(concept.pk), "--json")
    with pytest.raises(CommandError, match="已经处理过") as err:
        call_command("concepts", "accept", "--id", str(concept.pk), "--json")
    assert "\n" not in str(err.value)
