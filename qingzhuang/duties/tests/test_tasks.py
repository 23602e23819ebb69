"""Registering tasks assigned to villages: scope, ledger findings, pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from qingzhuang.burden.models import Finding
from qingzhuang.core.errors import InvalidInput, PermissionDenied
from qingzhuang.duties import selectors, services
from qingzhuang.duties.models import VillageTask
from qingzhuang.org.scope import scope_for

from .conftest import login


def test_flagged_task_goes_to_burden_ledger_with_issuer(org_tree: dict[str, Any]) -> None:
    task = services.village_task_register(
        actor=org_tree["worker_a"],
        org_unit=org_tree["village_a"],
        issuer="县文旅局",
        title="完成旅游节门票销售任务200张",
        assigned_on=dt.date(2026, 3, 2),
    )
    assert task.flagged and task.result == "none"
    f = Finding.objects.get(ref=f"duties.task:{task.pk}")
    assert f.origin == "village_admission"
    assert f.org_unit == org_tree["village_a"]
    assert "县文旅局" in f.message
    assert f.occurred_on == dt.date(2026, 3, 2)


def test_duty_task_is_not_flagged_and_adds_no_finding(org_tree: dict[str, Any]) -> None:
    task = services.village_task_register(
        actor=org_tree["worker_a"],
        org_unit=org_tree["village_a"],
        issuer="镇政府",
        title="召集村民代表会议讨论村规民约",
    )
    assert not task.flagged and task.result == "duty"
    assert not Finding.objects.filter(ref=f"duties.task:{task.pk}").exists()


def test_worker_cannot_register_for_another_village(org_tree: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        services.village_task_register(
            actor=org_tree["worker_a"], org_unit=org_tree["village_b"], issuer="x", title="征兵"
        )
    assert not VillageTask.objects.exists()


def test_task_must_go_to_a_village(org_tree: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput, match="村或社区"):
        services.village_task_register(
            actor=org_tree["admin"], org_unit=org_tree["town"], issuer="x", title="征兵"
        )


def test_evaluator_cannot_register(org_tree: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        services.village_task_register(
            actor=org_tree["evaluator"], org_unit=org_tree["village_a"], issuer="x", title="征兵"
        )


def test_selector_scopes_tasks_to_village(org_tree: dict[str, Any]) -> None:
    for unit in ("village_a", "village_b"):
        services.village_task_register(
            actor=org_tree["admin"],
            org_unit=org_tree[unit],
            issuer="县统计局",
            title="人口普查入户",
        )
    mine = selectors.village_tasks(scope=scope_for(org_tree["worker_a"]))
    assert [t.org_unit for t in mine] == [org_tree["village_a"]]
    assert selectors.village_tasks(scope=scope_for(org_tree["admin"])).count() == 2
    found = selectors.duties_findings(scope=scope_for(org_tree["worker_a"]))
    assert all(f["org_unit"] == org_tree["village_a"].code for f in found)


def test_task_page_registers_and_shows_result(client: Any, org_tree: dict[str, Any]) -> None:
    login(client, org_tree["worker_a"], org_tree["password"])
    assert client.get(reverse("duties:tasks")).status_code == 200
    resp = client.post(
        reverse("duties:tasks"),
        {
            "org_unit": org_tree["village_a"].pk,
            "issuer": "县市场监管局",
            "title": "对小餐馆开展食品安全抽检",
            "detail": "",
            "assigned_on": "2026-03-01",
        },
    )
    task = VillageTask.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse(
        "duties:task_detail", args=[task.pk]
    )
    assert task.org_unit == org_tree["village_a"] and task.result == "negative"
    assert task.created_by == org_tree["worker_a"]
    page = client.get(resp["Location"]).content.decode()
    assert "负面清单" in page and "县市场监管局" in page


def test_task_page_refuses_another_village(client: Any, org_tree: dict[str, Any]) -> None:
    login(client, org_tree["worker_a"], org_tree["password"])
    resp = client.post(
        reverse("duties:tasks"),
        {
            "org_unit": org_tree["village_b"].pk,
            "issuer": "x",
            "title": "征兵",
            "assigned_on": "2026-03-01",
        },
    )
    assert resp.status_code == 200  # form shown again with an error
    assert not VillageTask.objects.exists()


def test_task_detail_of_another_village_is_not_found(client: Any, org_tree: dict[str, Any]) -> None:
    task = services.village_task_register(
        actor=org_tree["worker_b"], org_unit=org_tree["village_b"], issuer="x", title="征兵"
    )
    login(client, org_tree["worker_a"], org_tree["password"])
    assert client.get(reverse("duties:task_detail", args=[task.pk])).status_code == 404


def test_check_fragment_does_not_save(client: Any, org_tree: dict[str, Any]) -> None:
    login(client, org_tree["worker_a"], org_tree["password"])
    resp = client.post(
        reverse("duties:check"), {"title": "每村完成招商引资任务", "issuer": "县招商局"}
    )
    assert resp.status_code == 200
    assert "负面清单" in resp.content.decode()
    assert not VillageTask.objects.exists()


def test_lists_page_and_admin_edit(client: Any, org_tree: dict[str, Any]) -> None:
    login(client, org_tree["admin"], org_tree["password"])
    assert "依法履职事项" in client.get(reverse("duties:lists")).content.decode()
    resp = client.post(
        reverse("duties:work_item_new"),
        {
            "list_kind": "negative",
            "name": "代收有线电视费",
            "keywords": "有线电视费",
            "is_active": "on",
        },
    )
    assert resp.status_code == 302
    assert services.work_item_check("请村里代收有线电视费", "县广电").list == "negative"


def test_worker_cannot_edit_lists(client: Any, org_tree: dict[str, Any]) -> None:
    login(client, org_tree["worker_a"], org_tree["password"])
    resp = client.post(reverse("duties:work_item_new"), {"list_kind": "duty", "name": "x"})
    assert resp.status_code == 403


def test_public_certificate_page_needs_no_login(client: Any, db: Any) -> None:
    resp = client.get(reverse("duties:certificate_lookup"), {"q": "户籍证明"})
    body = resp.content.decode()
    assert resp.status_code == 200
    assert "村里不能开" in body and "派出所" in body


# ---------------------------------------------------------------- dates


def _years_ahead(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _register(org_tree: dict[str, Any], day: dt.date) -> VillageTask:
    return services.village_task_register(
        actor=org_tree["worker_a"],
        org_unit=org_tree["village_a"],
        issuer="县农业局",
        title="组织开展村庄环境卫生整治",
        assigned_on=day,
    )


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (dt.date(1, 1, 1), "2000"),
        (dt.date(1999, 12, 31), "2000"),
        (dt.date(2099, 5, 1), "5 年"),
    ],
)
def test_task_date_out_of_range_is_refused(
    org_tree: dict[str, Any], day: dt.date, words: str
) -> None:
    with pytest.raises(InvalidInput, match=words):
        _register(org_tree, day)
    assert not VillageTask.objects.exists()


def test_task_date_limits_are_inclusive(org_tree: dict[str, Any]) -> None:
    from django.utils import timezone

    latest = _years_ahead(timezone.localdate(), 5)
    assert _register(org_tree, dt.date(2000, 1, 1)).assigned_on == dt.date(2000, 1, 1)
    assert _register(org_tree, latest).assigned_on == latest
    with pytest.raises(InvalidInput):
        _register(org_tree, latest + dt.timedelta(days=1))


@pytest.mark.parametrize("day", ["2099-05-01", "0001-01-01"])
def test_task_page_puts_a_date_error_on_the_date_field(
    client: Any, org_tree: dict[str, Any], day: str
) -> None:
    login(client, org_tree["worker_a"], org_tree["password"])
    resp = client.post(
        reverse("duties:tasks"),
        {
            "org_unit": org_tree["village_a"].pk,
            "issuer": "县农业局",
            "title": "组织开展村庄环境卫生整治",
            "assigned_on": day,
        },
    )
    assert resp.status_code == 200
    assert resp.context["form"].errors.get("assigned_on")
    assert not VillageTask.objects.exists()
