"""The list check and the certificate lookup."""

from __future__ import annotations

from typing import Any

import pytest

from qingzhuang.core.errors import InvalidInput, PermissionDenied
from qingzhuang.duties import services
from qingzhuang.duties.models import Certificate, ListKind, WorkItem


@pytest.fixture
def only_our_lists(db: Any) -> None:
    """Switch off the seeded catalogue so each test sees only the lists it builds."""
    WorkItem.objects.update(is_active=False)


def test_task_on_duty_list(only_our_lists: None, lists: dict[str, Any]) -> None:
    o = services.work_item_check("组织开展村庄清洁行动", "镇农业服务中心")
    assert o.list == "duty"
    assert o.item == lists[ListKind.DUTY]
    assert not o.flagged
    assert "应当办理" in o.message


def test_task_on_assist_list_names_the_issuer(only_our_lists: None, lists: dict[str, Any]) -> None:
    o = services.work_item_check("做好今年应征青年兵役登记", "县人武部")
    assert o.list == "assist"
    assert o.item == lists[ListKind.ASSIST]
    assert not o.flagged
    assert "县人武部" in o.message


def test_task_on_negative_list_is_flagged(only_our_lists: None, lists: dict[str, Any]) -> None:
    o = services.work_item_check("对违规摆摊人员进行罚款", "县城管局")
    assert o.list == "negative"
    assert o.item == lists[ListKind.NEGATIVE]
    assert o.flagged
    assert "县城管局" in o.message and "负面清单" in o.message


def test_task_on_no_list_is_flagged(only_our_lists: None, lists: dict[str, Any]) -> None:
    o = services.work_item_check("完成旅游节门票销售任务200张", "县文旅局")
    assert o.list == "none"
    assert o.item is None
    assert o.flagged
    assert "准入" in o.message and "县文旅局" in o.message


def test_inactive_item_is_not_matched(
    only_our_lists: None, lists: dict[str, Any], org_tree: dict[str, Any]
) -> None:
    item = lists[ListKind.NEGATIVE]
    services.work_item_save(actor=org_tree["admin"], item=item, is_active=False)
    assert services.work_item_check("对违规摆摊人员进行罚款", "县城管局").list == "none"


def test_empty_task_text_says_what_to_write(db: Any) -> None:
    with pytest.raises(InvalidInput, match="请写上"):
        services.work_item_check("  ", "x")


def test_seeded_catalogue_flags_certificates_pushed_down(db: Any) -> None:
    o = services.work_item_check("要求村委会为报名人员出具无犯罪记录证明", "某协会")
    assert o.list == "negative"


def test_only_admin_maintains_lists(org_tree: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        services.work_item_save(actor=org_tree["worker_a"], list_kind="duty", name="x")


def test_duplicate_item_name_in_same_list_is_refused(
    lists: dict[str, Any], org_tree: dict[str, Any]
) -> None:
    with pytest.raises(InvalidInput, match="已经有"):
        services.work_item_save(actor=org_tree["admin"], list_kind="duty", name="测试·村庄环境卫生")


def test_refused_certificate_must_say_where_to_go(org_tree: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput, match="去哪里办"):
        services.certificate_save(actor=org_tree["admin"], name="养犬证明", village_may_issue=False)


# ---------------------------------------------------------------- certificates


@pytest.fixture
def certs(org_tree: dict[str, Any]) -> dict[str, Certificate]:
    Certificate.objects.update(is_active=False)
    admin = org_tree["admin"]
    return {
        "ok": services.certificate_save(
            actor=admin,
            name="测试·居住情况证明",
            keywords="居住证明",
            village_may_issue=True,
            conditions="带上身份证。",
        ),
        "no": services.certificate_save(
            actor=admin,
            name="测试·无犯罪证明",
            keywords="良民证,无犯罪记录证明",
            village_may_issue=False,
            where_instead="到派出所申请。",
        ),
    }


def test_certificate_village_may_issue(certs: dict[str, Certificate]) -> None:
    a = services.certificate_lookup("开个居住证明")
    assert a.found and a.may_issue and a.certificate == certs["ok"]
    assert "带上身份证" in a.message


def test_certificate_not_on_list_says_where_instead(certs: dict[str, Certificate]) -> None:
    a = services.certificate_lookup("良民证")
    assert a.found and not a.may_issue
    assert a.certificate == certs["no"]
    assert "到派出所申请" in a.message and "不能开具" in a.message


def test_certificate_traditional_characters(certs: dict[str, Certificate]) -> None:
    assert services.certificate_lookup("無犯罪記錄證明").certificate == certs["no"]


def test_unknown_certificate_says_what_to_do(certs: dict[str, Certificate]) -> None:
    a = services.certificate_lookup("养狗证明")
    assert not a.found and a.certificate is None
    assert "换个说法" in a.message


@pytest.mark.parametrize(
    ("asked", "where"),
    [
        ("户口证明", "派出所"),
        ("无犯罪记录证明", "公安机关"),
        ("证明我妈是我妈", "户口簿"),
        ("未婚证明", "声明"),
    ],
)
def test_seeded_certificates_send_residents_to_the_right_office(
    db: Any, asked: str, where: str
) -> None:
    a = services.certificate_lookup(asked)
    assert a.found and not a.may_issue
    assert where in a.where_instead
