"""Rules for adding units, shared by the 添加单位 form, the CSV upload and `qz org import`."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from qingzhuang.audit.models import AuditEntry
from qingzhuang.core.errors import InvalidInput, PermissionDenied
from qingzhuang.org import services
from qingzhuang.org.models import OrgLevel, OrgUnit, Role, User
from qingzhuang.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

UNITS = "/org/units/"


@pytest.fixture
def admin_client(org_tree: dict[str, Any], client: Client) -> Client:
    client.force_login(org_tree["admin"])
    return client


@pytest.fixture
def root() -> User:
    return UserFactory(username="root", role=Role.TOWNSHIP_ADMIN, is_superuser=True)  # type: ignore[no-any-return]


def _add(client: Client, **data: Any) -> Any:
    return client.post(UNITS, {"code": "", "name": "", "level": "", "parent": "", **data})


def _upload(client: Client, text: str) -> Any:
    upload = SimpleUploadedFile("units.csv", text.encode("utf-8"), content_type="text/csv")
    return client.post(UNITS, {"file": upload})


def test_empty_parent_is_a_form_error_not_a_403(
    org_tree: dict[str, Any], admin_client: Client
) -> None:
    response = _add(admin_client, code="420000100209", name="南村", level="village")
    assert response.status_code == 200
    assert "请选择上级单位" in response.content.decode()
    assert not OrgUnit.objects.filter(name="南村").exists()


def test_superuser_may_add_a_top_level_unit(root: User, client: Client) -> None:
    client.force_login(root)
    response = _add(client, code="430000000000", name="另一县", level="county")
    assert response.status_code == 302
    assert OrgUnit.objects.get(code="430000000000").parent is None


def test_township_admin_adds_a_village_under_their_township(
    org_tree: dict[str, Any], admin_client: Client
) -> None:
    response = _add(
        admin_client, code="420000100209", name="南村", level="village", parent=org_tree["town"].pk
    )
    assert response.status_code == 302
    unit = OrgUnit.objects.get(code="420000100209")
    assert unit.parent == org_tree["town"] and unit.is_descendant_of(org_tree["town"])


def test_service_refuses_a_top_level_or_out_of_scope_unit_from_a_township_admin(
    org_tree: dict[str, Any],
) -> None:
    admin = org_tree["admin"]
    with pytest.raises(InvalidInput, match="上级单位"):
        services.org_unit_create(
            code="430000000000", name="另一县", level="county", parent=None, actor=admin
        )
    with pytest.raises(PermissionDenied):
        services.org_unit_create(
            code="420000200000",
            name="邻镇",
            level="township",
            parent=org_tree["county"],
            actor=admin,
        )
    with pytest.raises(PermissionDenied):
        services.org_unit_update(unit=org_tree["county"], actor=admin, name="改名县")
    with pytest.raises(PermissionDenied):
        services.org_unit_create(
            code="420000100209",
            name="南村",
            level="village",
            parent=org_tree["town"],
            actor=org_tree["worker_a"],
        )
    assert not OrgUnit.objects.filter(name__in=["另一县", "邻镇", "改名县", "南村"]).exists()


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("AB0000100209", "village"),
        ("12345", "village"),
        ("1234567890123", "village"),
        ("4200-0010020", "village"),
        ("4200001002010101", "grid"),
    ],
)
def test_unit_code_must_be_digits_of_the_right_length(
    org_tree: dict[str, Any], admin_client: Client, code: str, level: str
) -> None:
    parent = org_tree["village_a"] if level == "grid" else org_tree["town"]
    response = _add(admin_client, code=code, name="新单位", level=level, parent=parent.pk)
    assert response.status_code == 200
    assert "位数字" in response.content.decode()
    assert not OrgUnit.objects.filter(name="新单位").exists()


@pytest.mark.parametrize(
    ("code", "level", "stored"),
    [
        ("420000", "village", "420000"),
        ("420000100209", "village", "420000100209"),
        ("４２００００１００２０９", "village", "420000100209"),
        ("42000010020102", "grid", "42000010020102"),
    ],
)
def test_six_to_twelve_digits_and_longer_grid_codes_are_accepted(
    org_tree: dict[str, Any], admin_client: Client, code: str, level: str, stored: str
) -> None:
    parent = org_tree["village_a"] if level == "grid" else org_tree["town"]
    response = _add(admin_client, code=code, name="新单位", level=level, parent=parent.pk)
    assert response.status_code == 302
    assert OrgUnit.objects.get(name="新单位").code == stored


def test_same_name_under_the_same_parent_is_refused(
    org_tree: dict[str, Any], admin_client: Client
) -> None:
    response = _add(
        admin_client,
        code="420000100209",
        name=" 东村 ",
        level="village",
        parent=org_tree["town"].pk,
    )
    assert response.status_code == 200
    assert "测试镇下已有“东村”" in response.content.decode()
    assert OrgUnit.objects.filter(name="东村").count() == 1
    # the same name under another parent is fine
    services.org_unit_create(
        code="42000010020201",
        name="东村一网格",
        level="grid",
        parent=org_tree["village_b"],
        actor=org_tree["admin"],
    )


def test_renaming_or_moving_onto_a_sibling_name_is_refused(org_tree: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput, match="测试镇下已有“东村”"):
        services.org_unit_update(unit=org_tree["village_b"], actor=org_tree["admin"], name="东村")
    grid_b = services.org_unit_create(
        code="42000010020201",
        name="东村一网格",
        level="grid",
        parent=org_tree["village_b"],
        actor="test",
    )
    with pytest.raises(InvalidInput, match="东村下已有“东村一网格”"):
        services.org_unit_update(unit=grid_b, actor="test", parent=org_tree["village_a"])


def test_level_defaults_to_the_level_below_the_admins_own_unit(
    org_tree: dict[str, Any], admin_client: Client, client: Client
) -> None:
    form = admin_client.get(UNITS).context["form"]
    assert form["level"].value() == OrgLevel.VILLAGE
    assert form["parent"].value() == org_tree["town"].pk
    county_admin = UserFactory(
        username="county_admin", role=Role.TOWNSHIP_ADMIN, org_unit=org_tree["county"]
    )
    client.force_login(county_admin)
    assert client.get(UNITS).context["form"]["level"].value() == OrgLevel.TOWNSHIP


def test_csv_upload_obeys_the_same_rules(org_tree: dict[str, Any], admin_client: Client) -> None:
    head = "code,name,parent_code,level\n"
    town = org_tree["town"].code
    cases = [
        (f"{head}420000100209,东村,{town},village\n", "第2行：测试镇下已有“东村”"),
        (f"{head}420000100209,南村,{town},village\nAB,北村,{town},village\n", "第3行"),
        (f"{head}420000200000,邻镇,{org_tree['county'].code},township\n", "第2行"),
        (f"{head}430000000000,另一县,,county\n", "上级单位"),
    ]
    for text, message in cases:
        body = _upload(admin_client, text).content.decode()
        assert message in body, text
    assert not OrgUnit.objects.filter(name__in=["南村", "北村", "邻镇", "另一县"]).exists()


def test_csv_upload_of_the_whole_tree_again_changes_nothing(
    org_tree: dict[str, Any], admin_client: Client
) -> None:
    # a unit loaded earlier by the system with an old-style code is left alone
    legacy = services.org_unit_create(
        code="T-01", name="老网格", level="grid", parent=org_tree["village_b"], actor="cli"
    )
    rows = [
        (u.code, u.name, u.parent.code if u.parent else "", u.level)
        for u in OrgUnit.objects.select_related("parent")
    ]
    text = "code,name,parent_code,level\n" + "".join(",".join(r) + "\n" for r in rows)
    audit_count = AuditEntry.objects.count()
    response = _upload(admin_client, text)
    assert response.status_code == 302
    assert AuditEntry.objects.count() == audit_count
    legacy.refresh_from_db()
    assert legacy.code == "T-01"


def test_cli_import_refuses_a_duplicate_name_and_reruns_change_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "code,name,parent_code,level\n1,某县,,county\n2,某镇,1,township\n"
        "3,青山村,2,village\n4,青山村,2,village\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="某镇下已有“青山村”"):
        call_command("org", "import", "--input", str(bad), stdout=StringIO())
    assert OrgUnit.objects.count() == 0
    good = tmp_path / "good.csv"
    good.write_text(bad.read_text(encoding="utf-8").replace("4,青山村", "4,石桥村"), "utf-8")
    call_command("org", "import", "--input", str(good), stdout=StringIO())
    audit_count = AuditEntry.objects.count()
    out = StringIO()
    call_command("org", "import", "--input", str(good), "--json", stdout=out)
    assert '"unchanged": 4' in out.getvalue()
    assert AuditEntry.objects.count() == audit_count
