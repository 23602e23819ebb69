"""Staff pages for the catalogue: elements, breakdowns, rules (GET, valid/invalid POST, 403)."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from qingzhuang.audit.models import AuditEntry
from qingzhuang.datastore import services
from qingzhuang.datastore.models import (
    CategoryOption,
    DataElement,
    DataValue,
    RuleKind,
    ValidationRule,
)
from qingzhuang.org.models import Role
from qingzhuang.org.tests.factories import UserFactory

# executable inline scripts only: <script src=...> and JSON data blocks are fine under the CSP
INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", re.IGNORECASE
)
INLINE_HANDLER = re.compile(r"\son[a-z]+=\"", re.IGNORECASE)


def login(client: Client, tree: dict[str, Any], who: str) -> Client:
    assert client.login(username=tree[who].username, password=tree["password"])
    return client


def html(resp: Any) -> str:
    text: str = resp.content.decode()
    assert not INLINE_SCRIPT.search(text), "inline <script> breaks the CSP"
    assert not INLINE_HANDLER.search(text) and ' style="' not in text
    return text


@pytest.fixture
def tree(org_tree: dict[str, Any]) -> dict[str, Any]:
    org_tree["staff"] = UserFactory(
        username="dept_staff", role=Role.DEPARTMENT_STAFF, org_unit=org_tree["county"]
    )
    return org_tree


@pytest.fixture
def element(tree: Any) -> DataElement:
    return services.element_create(actor=tree["admin"], name="户籍人口", unit="人")


def element_post(**changes: Any) -> dict[str, Any]:
    data = {
        "name": "低保户数",
        "aliases": "低保户\n城乡低保户数",
        "definition": "",
        "unit": "户",
        "value_type": "integer",
        "period_type": "year",
        "owner": "",
        "additive": "on",
    }
    return {k: v for k, v in (data | changes).items() if v is not None}


# ---------------------------------------------------------------- list


def test_element_list_links_to_management_for_admin(
    client: Client, element: Any, tree: Any
) -> None:
    login(client, tree, "admin")
    text = html(client.get(reverse("datastore:elements")))
    assert reverse("datastore:element_new") in text
    assert reverse("datastore:element_edit", args=[element.pk]) in text
    assert reverse("datastore:options") in text


def test_element_list_hides_management_from_village_worker(
    client: Client, element: Any, tree: Any
) -> None:
    login(client, tree, "worker_a")
    text = html(client.get(reverse("datastore:elements")))
    assert "户籍人口" in text
    assert reverse("datastore:element_new") not in text
    assert reverse("datastore:element_edit", args=[element.pk]) not in text


# ---------------------------------------------------------------- create / edit


def test_new_element_page_renders(client: Client, tree: Any) -> None:
    services.category_option_create(actor=tree["admin"], code="M", name="男")
    login(client, tree, "staff")
    resp = client.get(reverse("datastore:element_new"))
    text = html(resp)
    assert resp.status_code == 200
    assert "新建数据元" in text and "责任部门" in text and "男" in text
    assert '<option value="year" selected>' in text  # the model's default period type
    assert 'name="csrfmiddlewaretoken"' in text


def test_new_element_post_creates_and_redirects(client: Client, tree: Any) -> None:
    male = services.category_option_create(actor=tree["admin"], code="M", name="男")
    login(client, tree, "admin")
    resp = client.post(reverse("datastore:element_new"), element_post(options=[male.pk]))
    e = DataElement.objects.get(name="低保户数")
    assert resp.status_code == 302 and resp["Location"] == reverse(
        "datastore:element_edit", args=[e.pk]
    )
    assert (e.code, e.unit, e.value_type, e.aliases) == (
        "DE00001",
        "户",
        "integer",
        ["低保户", "城乡低保户数"],
    )
    assert list(e.category_options.all()) == [male]
    assert AuditEntry.objects.get(action="datastore.element.create").actor == tree["admin"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "  "}, "请填写数据元名称"),
        ({"name": "户籍人口"}, "已有同名数据元 DE00001"),
        ({"aliases": "户籍人口"}, "已是数据元 DE00001“户籍人口”的名称"),
        ({"unit": "人" * 40}, "计量单位太长"),
        ({"period_type": "week"}, "请从列表中选择"),
    ],
)
def test_new_element_invalid_post_shows_chinese_error(
    client: Client, element: Any, tree: Any, changes: dict[str, str], message: str
) -> None:
    login(client, tree, "admin")
    resp = client.post(reverse("datastore:element_new"), element_post(**changes))
    assert resp.status_code == 400
    assert message in html(resp)
    assert DataElement.objects.count() == 1


@pytest.mark.parametrize("who", ["worker_a", "evaluator"])
def test_new_element_forbidden_without_capability(client: Client, tree: Any, who: str) -> None:
    login(client, tree, who)
    assert client.get(reverse("datastore:element_new")).status_code == 403
    assert client.post(reverse("datastore:element_new"), element_post()).status_code == 403
    assert not DataElement.objects.exists()


def test_edit_page_shows_code_fields_and_value_count(client: Client, catalogue: Any) -> None:
    e = DataElement.objects.get(name="户籍人口")
    login(client, catalogue, "admin")
    resp = client.get(reverse("datastore:element_edit", args=[e.pk]))
    text = html(resp)
    assert resp.status_code == 200
    assert e.code in text and 'name="code"' not in text
    assert "村级低保与养老统计表" in text and "村基本情况表" in text  # fields that map to it
    assert resp.context["usage"]["values"] == DataValue.objects.filter(element=e).count() == 2
    assert "2 个数值" in text


def test_edit_post_saves_changes_but_not_the_code(client: Client, element: Any, tree: Any) -> None:
    login(client, tree, "admin")
    resp = client.post(
        reverse("datastore:element_edit", args=[element.pk]),
        element_post(name="户籍总人口", unit="人", aliases="户口人数", code="HACK"),
    )
    assert resp.status_code == 302
    element.refresh_from_db()
    assert (element.code, element.name, element.aliases) == ("DE00001", "户籍总人口", ["户口人数"])
    assert AuditEntry.objects.filter(action="datastore.element.update").count() == 1


def test_edit_post_refuses_unit_change_with_values(client: Client, element: Any, tree: Any) -> None:
    services.data_value_set(
        element=element, org_unit=tree["village_a"], period="2026", value=9, actor=tree["admin"]
    )
    login(client, tree, "admin")
    resp = client.post(
        reverse("datastore:element_edit", args=[element.pk]),
        element_post(name="户籍人口", unit="万人"),
    )
    assert resp.status_code == 400 and "不能再改单位" in html(resp)
    element.refresh_from_db()
    assert element.unit == "人"


def test_edit_forbidden_without_capability(client: Client, element: Any, tree: Any) -> None:
    login(client, tree, "evaluator")
    url = reverse("datastore:element_edit", args=[element.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, element_post(name="改名")).status_code == 403
    element.refresh_from_db()
    assert element.name == "户籍人口"


def test_edit_unknown_element_is_404(client: Client, tree: Any) -> None:
    login(client, tree, "admin")
    assert client.get(reverse("datastore:element_edit", args=[4242])).status_code == 404


# ---------------------------------------------------------------- breakdowns


def test_options_page_lists_and_creates(client: Client, tree: Any) -> None:
    login(client, tree, "staff")
    resp = client.get(reverse("datastore:options"))
    assert resp.status_code == 200 and "分类选项" in html(resp)
    resp = client.post(reverse("datastore:options"), {"code": "F", "name": "女"})
    assert resp.status_code == 302
    assert CategoryOption.objects.get(code="F").name == "女"
    assert AuditEntry.objects.filter(action="datastore.option.create").count() == 1


def test_options_page_invalid_post_shows_chinese_error(client: Client, tree: Any) -> None:
    services.category_option_create(actor=tree["admin"], code="F", name="女")
    login(client, tree, "admin")
    resp = client.post(reverse("datastore:options"), {"code": "F", "name": "女性"})
    assert resp.status_code == 400 and "分类编码 F 已被“女”使用" in html(resp)
    resp = client.post(reverse("datastore:options"), {"code": "G", "name": ""})
    assert resp.status_code == 400 and "请填写分类名称" in html(resp)
    assert CategoryOption.objects.count() == 1


def test_option_edit_renames_and_delete_removes(client: Client, tree: Any) -> None:
    option = services.category_option_create(actor=tree["admin"], code="F", name="女")
    login(client, tree, "admin")
    url = reverse("datastore:option_edit", args=[option.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"name": "女性"}).status_code == 302
    option.refresh_from_db()
    assert (option.code, option.name) == ("F", "女性")
    resp = client.post(reverse("datastore:option_delete", args=[option.pk]))
    assert resp.status_code == 302 and not CategoryOption.objects.exists()


def test_options_pages_forbidden_without_capability(client: Client, tree: Any) -> None:
    option = services.category_option_create(actor=tree["admin"], code="F", name="女")
    login(client, tree, "worker_a")
    assert client.get(reverse("datastore:options")).status_code == 403
    assert client.post(reverse("datastore:options"), {"code": "M", "name": "男"}).status_code == 403
    assert client.post(reverse("datastore:option_delete", args=[option.pk])).status_code == 403
    assert list(CategoryOption.objects.values_list("code", flat=True)) == ["F"]


def test_attach_and_detach_option_on_element(client: Client, element: Any, tree: Any) -> None:
    male = services.category_option_create(actor=tree["admin"], code="M", name="男")
    login(client, tree, "admin")
    url = reverse("datastore:element_options", args=[element.pk])
    assert client.post(url, {"action": "attach", "option": male.pk}).status_code == 302
    assert list(element.category_options.all()) == [male]
    edit = html(client.get(reverse("datastore:element_edit", args=[element.pk])))
    assert "移除" in edit
    assert client.post(url, {"action": "detach", "option": male.pk}).status_code == 302
    assert not element.category_options.exists()


def test_detach_refused_when_values_use_option(client: Client, element: Any, tree: Any) -> None:
    male = services.category_option_create(actor=tree["admin"], code="M", name="男")
    services.element_option_attach(actor=tree["admin"], element=element, option=male)
    services.data_value_set(
        element=element,
        org_unit=tree["village_a"],
        period="2026",
        value=5,
        actor=tree["admin"],
        category_option=male,
    )
    login(client, tree, "admin")
    resp = client.post(
        reverse("datastore:element_options", args=[element.pk]),
        {"action": "detach", "option": male.pk},
        follow=True,
    )
    assert "已有 1 个数值按“男”分开存储，不能移除这个分类" in html(resp)
    assert list(element.category_options.all()) == [male]


def test_attach_forbidden_without_capability(client: Client, element: Any, tree: Any) -> None:
    male = services.category_option_create(actor=tree["admin"], code="M", name="男")
    login(client, tree, "evaluator")
    resp = client.post(
        reverse("datastore:element_options", args=[element.pk]),
        {"action": "attach", "option": male.pk},
    )
    assert resp.status_code == 403 and not element.category_options.exists()


# ---------------------------------------------------------------- rules


@pytest.fixture
def pair(tree: Any, element: Any) -> dict[str, DataElement]:
    admin = tree["admin"]
    return {
        "total": element,
        "old": services.element_create(actor=admin, name="老年人口", unit="人"),
        "land": services.element_create(actor=admin, name="耕地面积", unit="亩"),
    }


def test_rule_new_page_renders_with_preview(client: Client, pair: Any, tree: Any) -> None:
    login(client, tree, "admin")
    resp = client.get(reverse("datastore:rule_new", args=[pair["old"].pk]))
    text = html(resp)
    assert resp.status_code == 200
    assert "datastore/rule_form.js" in text and "rule-preview" in text
    assert reverse("datastore:rule_preview", args=[pair["old"].pk]) in text
    assert "户籍人口（人）" in text  # another element to choose as the total


def test_rule_new_post_creates_rule(client: Client, pair: Any, tree: Any) -> None:
    login(client, tree, "admin")
    resp = client.post(
        reverse("datastore:rule_new", args=[pair["old"].pk]),
        {"kind": "not_above", "total": pair["total"].code, "is_error": "1", "name": ""},
    )
    assert resp.status_code == 302
    rule = ValidationRule.objects.get(element=pair["old"])
    assert (rule.kind, rule.others, rule.is_error) == ("not_above", [pair["total"].code], True)
    assert AuditEntry.objects.get(action="datastore.rule.create").actor == tree["admin"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "not_above", "total": "LAND"}, "单位不同的数不能相加或比较"),
        ({"kind": "outlier", "ratio_percent": "0"}, "请填 1 到 1000 之间的百分数"),
        ({"kind": "outlier", "ratio_percent": "abc"}, "请填 1 到 1000 之间的百分数"),
        ({"kind": "outlier", "ratio_percent": ""}, "请填写变化幅度"),
        ({"kind": "sum_equals", "parts": ["TOTAL"]}, "请至少选两个分项"),
        ({"kind": "not_above"}, "请选总数"),
    ],
)
def test_rule_new_invalid_post_shows_chinese_error(
    client: Client, pair: Any, tree: Any, data: dict[str, Any], message: str
) -> None:
    codes = {"LAND": pair["land"].code, "TOTAL": pair["total"].code}
    data = {
        k: ([codes.get(x, x) for x in v] if isinstance(v, list) else codes.get(v, v))
        for k, v in data.items()
    }
    login(client, tree, "admin")
    resp = client.post(reverse("datastore:rule_new", args=[pair["old"].pk]), data)
    assert resp.status_code == 400
    assert message in html(resp)
    assert not ValidationRule.objects.exists()


def test_rule_pages_forbidden_without_capability(client: Client, pair: Any, tree: Any) -> None:
    rule = services.validation_rule_create(
        name="", kind=RuleKind.OUTLIER, element=pair["old"], others=[], ratio=0.5, actor="cli"
    )
    login(client, tree, "worker_a")
    assert client.get(reverse("datastore:rule_new", args=[pair["old"].pk])).status_code == 403
    resp = client.post(
        reverse("datastore:rule_new", args=[pair["old"].pk]),
        {"kind": "outlier", "ratio_percent": "30"},
    )
    assert resp.status_code == 403
    assert client.post(reverse("datastore:rule_edit", args=[rule.pk]), {}).status_code == 403
    assert (
        client.post(reverse("datastore:rule_active", args=[rule.pk]), {"active": "0"}).status_code
        == 403
    )
    assert ValidationRule.objects.get().active and ValidationRule.objects.count() == 1


def test_rule_edit_and_deactivate(client: Client, pair: Any, tree: Any) -> None:
    rule = services.validation_rule_create(
        name="", kind=RuleKind.OUTLIER, element=pair["old"], others=[], ratio=0.5, actor="cli"
    )
    login(client, tree, "admin")
    url = reverse("datastore:rule_edit", args=[rule.pk])
    text = html(client.get(url))
    assert "50%" in text  # the preview of the stored rule
    resp = client.post(url, {"kind": "outlier", "ratio_percent": "30", "name": "变化大于三成"})
    assert resp.status_code == 302
    rule.refresh_from_db()
    assert (rule.ratio, rule.name) == (pytest.approx(0.3), "变化大于三成")
    resp = client.post(reverse("datastore:rule_active", args=[rule.pk]), {"active": "0"})
    assert resp.status_code == 302
    rule.refresh_from_db()
    assert not rule.active
    edit = html(client.get(reverse("datastore:element_edit", args=[pair["old"].pk])))
    assert "已停用" in edit


def test_rule_preview_explains_in_plain_chinese(client: Client, pair: Any, tree: Any) -> None:
    login(client, tree, "admin")
    url = reverse("datastore:rule_preview", args=[pair["old"].pk])
    resp = client.post(url, {"kind": "not_above", "total": pair["total"].code, "is_error": "0"})
    text = html(resp)
    assert "“老年人口”不能大于“户籍人口”" in text and "只提醒" in text
    resp = client.post(url, {"kind": "not_above", "total": pair["land"].code})
    assert "单位不同" in html(resp)
    assert not ValidationRule.objects.exists()


@pytest.mark.usefixtures("reset_language")
def test_rule_preview_and_saved_message_follow_the_page_language(
    client: Client, pair: Any, tree: Any
) -> None:
    login(client, tree, "admin")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    url = reverse("datastore:rule_preview", args=[pair["old"].pk])
    resp = client.post(url, {"kind": "not_above", "total": pair["total"].code, "is_error": "0"})
    text = html(resp)
    assert (
        '"老年人口" cannot be larger than "户籍人口"' in unescape(text) and "can still save" in text
    )
    assert "不能大于" not in text
    resp = client.post(
        reverse("datastore:rule_new", args=[pair["old"].pk]),
        {"kind": "not_above", "total": pair["total"].code, "is_error": "1", "name": ""},
        follow=True,
    )
    rule = ValidationRule.objects.get(element=pair["old"])
    assert rule.name == "老年人口不大于户籍人口"  # stored names stay Chinese
    assert f'Saved rule "{rule.name}"' in unescape(html(resp))


# ---------------------------------------------------------------- delete


def test_delete_page_explains_why_mapped_element_stays(client: Client, catalogue: Any) -> None:
    e = DataElement.objects.get(name="户籍人口")
    login(client, catalogue, "admin")
    url = reverse("datastore:element_delete", args=[e.pk])
    text = html(client.get(url))
    assert "表格字段对应到它" in text and "已存有 2 个数值" in text
    resp = client.post(url)
    assert resp.status_code == 409 and "不能删除数据元“户籍人口”" in html(resp)
    assert DataElement.objects.filter(pk=e.pk).exists()
    assert e.mappings.exists() and e.values.count() == 2


@pytest.mark.usefixtures("reset_language")
def test_delete_page_reasons_follow_the_page_language(client: Client, catalogue: Any) -> None:
    e = DataElement.objects.get(name="户籍人口")
    login(client, catalogue, "admin")
    url = reverse("datastore:element_delete", args=[e.pk])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    text = html(client.get(url))
    assert "2 values are already stored; they were reported by units" in text
    assert "已存有" not in text
    # the service's refusal follows the page language too (the element's name is data)
    resp = client.post(url)
    assert resp.status_code == 409
    body = html(resp)
    assert "户籍人口" in body and "2 values are already stored" in body
    assert "不能删除数据元" not in body
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    resp = client.post(url)
    assert "不能删除数据元“户籍人口”：有 " in html(resp) and "；已存有 2 个数值，" in html(resp)


def test_delete_unused_element(client: Client, element: Any, tree: Any) -> None:
    login(client, tree, "admin")
    url = reverse("datastore:element_delete", args=[element.pk])
    assert "确认删除" in html(client.get(url))
    resp = client.post(url)
    assert resp.status_code == 302 and resp["Location"] == reverse("datastore:elements")
    assert not DataElement.objects.exists()


def test_delete_forbidden_without_capability(client: Client, element: Any, tree: Any) -> None:
    login(client, tree, "worker_a")
    resp = client.post(reverse("datastore:element_delete", args=[element.pk]))
    assert resp.status_code == 403 and DataElement.objects.filter(pk=element.pk).exists()
