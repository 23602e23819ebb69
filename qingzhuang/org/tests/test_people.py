"""People management for township admins: list, add, edit, disable and reset passwords.

Everything is done by a township admin within their own subtree, never by Django admin.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from qingzhuang.audit.models import AuditEntry
from qingzhuang.core.errors import InvalidInput, PermissionDenied
from qingzhuang.org import services
from qingzhuang.org.models import Role, User
from qingzhuang.org.scope import scope_for
from qingzhuang.org.selectors import people, person_get
from qingzhuang.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PEOPLE = "/org/people/"


def _person_url(user: User, suffix: str = "") -> str:
    return f"/org/people/{user.pk}/{suffix}"


@pytest.fixture
def admin_client(org_tree: dict[str, Any], client: Client) -> Client:
    client.force_login(org_tree["admin"])
    return client


@pytest.fixture
def county_staff(org_tree: dict[str, Any]) -> User:
    dept = services.department_get_or_create(name="测试县民政局", actor="test")
    return UserFactory(  # type: ignore[no-any-return]
        username="county_staff",
        display_name="县里的人",
        role=Role.DEPARTMENT_STAFF,
        org_unit=org_tree["county"],
        department=dept,
    )


@pytest.fixture
def root() -> User:
    return UserFactory(
        username="root", display_name="超级管理员", role=Role.TOWNSHIP_ADMIN, is_superuser=True
    )  # type: ignore[no-any-return]


def _shown_password(body: str) -> str:
    found = re.search(r'<code id="new-password">([^<]+)</code>', body)
    assert found, "the new password is not shown"
    return found.group(1)


def _audit_text() -> str:
    rows = AuditEntry.objects.values_list("before", "after")
    return json.dumps(list(rows), ensure_ascii=False)


# ------------------------------------------------------------------------------- selectors


def test_people_are_the_users_of_the_admins_subtree(
    org_tree: dict[str, Any], county_staff: User, root: User
) -> None:
    names = set(people(scope=scope_for(org_tree["admin"])).values_list("username", flat=True))
    assert names == {"town_admin", "worker_a", "worker_b", "evaluator"}
    village = set(people(scope=scope_for(org_tree["worker_a"])).values_list("username", flat=True))
    assert village == {"worker_a"}
    everyone = set(people(scope=scope_for(root)).values_list("username", flat=True))
    assert {"county_staff", "root", "town_admin"} <= everyone


def test_people_list_is_one_query_with_unit_and_department(
    org_tree: dict[str, Any], county_staff: User, root: User, django_assert_num_queries: Any
) -> None:
    scope = scope_for(root)
    with django_assert_num_queries(1):
        rows = list(people(scope=scope))
        labels = [(p.org_unit.name if p.org_unit else "", str(p.department or "")) for p in rows]
    assert ("测试县", "测试县民政局") in labels


def test_people_filter_by_role_and_by_text(org_tree: dict[str, Any]) -> None:
    scope = scope_for(org_tree["admin"])
    evaluators = people(scope=scope, role=Role.EVALUATOR)
    assert [p.username for p in evaluators] == ["evaluator"]
    by_unit = {p.username for p in people(scope=scope, text="西村")}
    assert by_unit == {"worker_b"}
    by_name = {p.username for p in people(scope=scope, text="WORKER_A")}
    assert by_name == {"worker_a"}


def test_person_outside_scope_is_not_found(org_tree: dict[str, Any], county_staff: User) -> None:
    scope = scope_for(org_tree["admin"])
    assert person_get(scope=scope, pk=county_staff.pk) is None
    assert person_get(scope=scope, pk=org_tree["worker_b"].pk) == org_tree["worker_b"]


# ------------------------------------------------------------------------------ list page


def test_people_page_lists_people_with_role_unit_status_and_last_login(
    org_tree: dict[str, Any], admin_client: Client, county_staff: User
) -> None:
    services.user_set_active(user=org_tree["worker_b"], is_active=False, actor=org_tree["admin"])
    response = admin_client.get(PEOPLE)
    assert response.status_code == 200
    body = response.content.decode()
    for text in ("worker_a", "西村", "村(社区)工作人员", "评价/督查(只读)", "停用", "从未登录"):
        assert text in body
    assert "county_staff" not in body
    assert f'href="{_person_url(org_tree["worker_a"])}"' in body


def test_people_page_filters(org_tree: dict[str, Any], admin_client: Client) -> None:
    body = admin_client.get(PEOPLE, {"role": Role.EVALUATOR}).content.decode()
    assert "evaluator" in body and "worker_a" not in body
    body = admin_client.get(PEOPLE, {"q": "东村"}).content.decode()
    assert "worker_a" in body and "worker_b" not in body


def test_people_page_queries_do_not_grow_with_people(
    org_tree: dict[str, Any], admin_client: Client, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(PEOPLE).status_code == 200
    dept = services.department_get_or_create(name="镇农业站", actor="test")
    for n in range(10):
        UserFactory(username=f"extra{n}", org_unit=org_tree["village_a"], department=dept)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = admin_client.get(PEOPLE).content.decode()
    assert "extra9" in body


@pytest.mark.parametrize("who", ["worker_a", "evaluator"])
def test_non_admins_get_403_on_people_pages(
    org_tree: dict[str, Any], client: Client, who: str
) -> None:
    client.force_login(org_tree[who])
    target = org_tree["worker_a"]
    assert client.get(PEOPLE).status_code == 403
    assert client.get(_person_url(target)).status_code == 403
    assert client.post(_person_url(target, "password/")).status_code == 403
    assert client.post(_person_url(target, "active/"), {"is_active": "0"}).status_code == 403
    target.refresh_from_db()
    assert target.is_active


def test_people_outside_scope_give_404(
    org_tree: dict[str, Any], admin_client: Client, county_staff: User, root: User
) -> None:
    for user in (county_staff, root):
        assert admin_client.get(_person_url(user)).status_code == 404
        assert admin_client.post(_person_url(user, "password/")).status_code == 404
        assert (
            admin_client.post(_person_url(user, "active/"), {"is_active": "0"}).status_code == 404
        )
        user.refresh_from_db()
        assert user.is_active


def test_changes_are_post_only_and_need_csrf(org_tree: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(org_tree["admin"])
    target = org_tree["worker_a"]
    assert client.get(_person_url(target, "password/")).status_code == 405
    assert client.get(_person_url(target, "active/")).status_code == 405
    assert client.post(_person_url(target, "active/"), {"is_active": "0"}).status_code == 403
    assert client.post(PEOPLE, {"username": "x"}).status_code == 403
    target.refresh_from_db()
    assert target.is_active


def test_units_page_links_people_and_admin_site_only_for_superusers(
    org_tree: dict[str, Any], client: Client, root: User
) -> None:
    client.force_login(org_tree["admin"])
    body = client.get("/org/units/").content.decode()
    assert 'href="/org/people/"' in body
    assert 'href="/admin/"' not in body
    client.force_login(org_tree["worker_a"])
    body = client.get("/org/units/").content.decode()
    assert 'href="/org/people/"' not in body
    client.force_login(root)
    assert 'href="/admin/"' in client.get("/org/units/").content.decode()


def test_people_page_is_in_the_menu_for_admins_only(
    org_tree: dict[str, Any], client: Client
) -> None:
    client.force_login(org_tree["admin"])
    assert 'href="/org/people/"' in client.get("/").content.decode()
    client.force_login(org_tree["worker_a"])
    assert 'href="/org/people/"' not in client.get("/").content.decode()


# ------------------------------------------------------------------------------- adding


def _new_person(org_tree: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    data = {
        "username": "lisi",
        "display_name": "李四",
        "role": Role.VILLAGE_WORKER,
        "org_unit": org_tree["village_a"].pk,
        "department": "",
        "password": "",
    }
    data.update(overrides)
    return data


def test_admin_adds_person_and_the_generated_password_is_shown_once(
    org_tree: dict[str, Any], admin_client: Client
) -> None:
    response = admin_client.post(PEOPLE, _new_person(org_tree))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = _shown_password(response.content.decode())
    user = User.objects.get(username="lisi")
    assert (user.display_name, user.role, user.org_unit) == (
        "李四",
        "village_worker",
        org_tree["village_a"],
    )
    assert not user.is_superuser and not user.is_staff
    assert Client().login(username="lisi", password=password)
    assert password not in admin_client.get(PEOPLE).content.decode()
    entry = AuditEntry.objects.filter(action="org.user.create").latest("id")
    assert entry.actor == org_tree["admin"] and entry.after["username"] == "lisi"
    assert "password" not in entry.after and user.password not in _audit_text()


def test_typed_password_must_pass_the_password_validators(
    org_tree: dict[str, Any], admin_client: Client
) -> None:
    response = admin_client.post(PEOPLE, _new_person(org_tree, password="12345678"))
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not User.objects.filter(username="lisi").exists()


def test_typed_password_that_passes_is_used_and_not_echoed(
    org_tree: dict[str, Any], admin_client: Client
) -> None:
    response = admin_client.post(PEOPLE, _new_person(org_tree, password="Qingshan-2026-spring"))
    assert response.status_code == 302
    assert Client().login(username="lisi", password="Qingshan-2026-spring")
    assert "Qingshan-2026-spring" not in admin_client.get(response["Location"]).content.decode()


def test_department_is_required_for_department_staff(
    org_tree: dict[str, Any], admin_client: Client
) -> None:
    data = _new_person(org_tree, role=Role.DEPARTMENT_STAFF, org_unit=org_tree["town"].pk)
    body = admin_client.post(PEOPLE, data).content.decode()
    assert "请选择所属部门" in body
    assert not User.objects.filter(username="lisi").exists()
    dept = services.department_get_or_create(name="镇民政办", actor="test")
    admin_client.post(PEOPLE, {**data, "department": dept.pk})
    assert User.objects.get(username="lisi").department == dept


def test_unit_outside_scope_cannot_be_chosen(
    org_tree: dict[str, Any], admin_client: Client
) -> None:
    response = admin_client.post(PEOPLE, _new_person(org_tree, org_unit=org_tree["county"].pk))
    assert response.status_code == 200
    assert not User.objects.filter(username="lisi").exists()
    with pytest.raises(PermissionDenied):
        services.user_create(
            username="lisi",
            password="Qingshan-2026-spring",
            role=Role.VILLAGE_WORKER,
            org_unit=org_tree["county"],
            actor=org_tree["admin"],
        )
    assert not User.objects.filter(username="lisi").exists()


def test_township_admin_cannot_create_a_superuser(org_tree: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        services.user_create(
            username="boss",
            password="Qingshan-2026-spring",
            role=Role.TOWNSHIP_ADMIN,
            org_unit=org_tree["town"],
            actor=org_tree["admin"],
            is_superuser=True,
        )
    assert not User.objects.filter(username="boss").exists()


def test_village_worker_cannot_create_people_through_the_service(
    org_tree: dict[str, Any],
) -> None:
    with pytest.raises(PermissionDenied):
        services.user_create(
            username="friend",
            password="Qingshan-2026-spring",
            role=Role.VILLAGE_WORKER,
            org_unit=org_tree["village_a"],
            actor=org_tree["worker_a"],
        )


def test_taken_username_is_a_field_error(org_tree: dict[str, Any], admin_client: Client) -> None:
    body = admin_client.post(PEOPLE, _new_person(org_tree, username="Worker_A")).content.decode()
    assert "已被使用" in body
    assert User.objects.filter(username__iexact="worker_a").count() == 1


# -------------------------------------------------------------------------------- editing


def test_admin_edits_name_role_unit_and_department_with_audit(
    org_tree: dict[str, Any], admin_client: Client
) -> None:
    target = org_tree["worker_a"]
    dept = services.department_get_or_create(name="镇民政办", actor="test")
    page = admin_client.get(_person_url(target))
    assert page.status_code == 200 and "worker_a" in page.content.decode()
    response = admin_client.post(
        _person_url(target),
        {
            "display_name": "王五",
            "role": Role.DEPARTMENT_STAFF,
            "org_unit": org_tree["village_b"].pk,
            "department": dept.pk,
        },
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.display_name, target.role, target.org_unit, target.department) == (
        "王五",
        "department_staff",
        org_tree["village_b"],
        dept,
    )
    entry = AuditEntry.objects.filter(action="org.user.update").latest("id")
    assert entry.actor == org_tree["admin"]
    assert entry.before["display_name"] == "worker_a" and entry.after["display_name"] == "王五"
    assert entry.before["org_unit_id"] == org_tree["village_a"].pk
    assert entry.after["org_unit_id"] == org_tree["village_b"].pk
    assert "password" not in entry.before and "password" not in entry.after


def test_edit_cannot_move_a_person_out_of_scope(org_tree: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        services.user_update(
            user=org_tree["worker_a"], actor=org_tree["admin"], org_unit=org_tree["county"]
        )
    org_tree["worker_a"].refresh_from_db()
    assert org_tree["worker_a"].org_unit == org_tree["village_a"]


def test_admin_cannot_disable_themself(org_tree: dict[str, Any], admin_client: Client) -> None:
    admin = org_tree["admin"]
    UserFactory(username="admin2", role=Role.TOWNSHIP_ADMIN, org_unit=org_tree["town"])
    response = admin_client.post(_person_url(admin, "active/"), {"is_active": "0"}, follow=True)
    assert "不能停用自己的账号" in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active


def test_last_active_township_admin_cannot_be_disabled_or_demoted(
    org_tree: dict[str, Any], root: User
) -> None:
    admin = org_tree["admin"]
    with pytest.raises(InvalidInput, match="唯一启用的镇党政办管理员"):
        services.user_set_active(user=admin, is_active=False, actor=root)
    with pytest.raises(InvalidInput, match="唯一启用的镇党政办管理员"):
        services.user_update(user=admin, actor=root, role=Role.EVALUATOR)
    with pytest.raises(InvalidInput, match="唯一启用的镇党政办管理员"):
        services.user_update(user=admin, actor=admin, org_unit=org_tree["village_a"])
    admin.refresh_from_db()
    assert admin.is_active and admin.role == Role.TOWNSHIP_ADMIN
    # a disabled second admin does not count
    second = UserFactory(username="admin2", role=Role.TOWNSHIP_ADMIN, org_unit=org_tree["town"])
    services.user_set_active(user=second, is_active=False, actor=root)
    with pytest.raises(InvalidInput):
        services.user_set_active(user=admin, is_active=False, actor=root)
    services.user_set_active(user=second, is_active=True, actor=root)
    services.user_set_active(user=admin, is_active=False, actor=second)
    admin.refresh_from_db()
    assert not admin.is_active


def test_disabling_a_person_ends_their_session_and_enabling_restores_login(
    org_tree: dict[str, Any], admin_client: Client
) -> None:
    target = org_tree["worker_a"]
    theirs = Client()
    assert theirs.login(username="worker_a", password=org_tree["password"])
    response = admin_client.post(_person_url(target, "active/"), {"is_active": "0"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    assert theirs.get("/").status_code == 302  # back to the login page
    assert not Client().login(username="worker_a", password=org_tree["password"])
    entry = AuditEntry.objects.filter(action="org.user.deactivate").latest("id")
    assert entry.before == {"is_active": True} and entry.after == {"is_active": False}
    admin_client.post(_person_url(target, "active/"), {"is_active": "1"})
    assert Client().login(username="worker_a", password=org_tree["password"])
    assert AuditEntry.objects.filter(action="org.user.activate").exists()


def test_password_reset_shows_a_new_password_once(
    org_tree: dict[str, Any], admin_client: Client
) -> None:
    target = org_tree["worker_a"]
    response = admin_client.post(_person_url(target, "password/"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = _shown_password(response.content.decode())
    assert not Client().login(username="worker_a", password=org_tree["password"])
    assert Client().login(username="worker_a", password=password)
    assert password not in admin_client.get(_person_url(target)).content.decode()
    target.refresh_from_db()
    entry = AuditEntry.objects.filter(action="org.user.password_reset").latest("id")
    assert entry.actor == org_tree["admin"] and entry.object_id == str(target.pk)
    text = _audit_text()
    assert password not in text and target.password not in text


def test_password_reset_lifts_a_login_lockout(
    org_tree: dict[str, Any], admin_client: Client
) -> None:
    theirs = Client()
    for _ in range(5):
        theirs.post("/accounts/login/", {"username": "worker_a", "password": "wrong-password"})
    locked = {"username": "worker_a", "password": org_tree["password"]}
    assert theirs.post("/accounts/login/", locked).status_code == 429
    body = admin_client.post(_person_url(org_tree["worker_a"], "password/")).content.decode()
    password = _shown_password(body)
    response = theirs.post("/accounts/login/", {"username": "worker_a", "password": password})
    assert response.status_code == 302


def test_admin_resets_own_password_on_the_change_password_page_instead(
    org_tree: dict[str, Any], admin_client: Client
) -> None:
    admin = org_tree["admin"]
    response = admin_client.post(_person_url(admin, "password/"), follow=True)
    assert "不能在这里重置自己的密码" in response.content.decode()
    assert Client().login(username="town_admin", password=org_tree["password"])


def test_township_admin_cannot_touch_a_superuser_even_in_their_unit(
    org_tree: dict[str, Any],
) -> None:
    boss = UserFactory(
        username="boss", role=Role.TOWNSHIP_ADMIN, org_unit=org_tree["town"], is_superuser=True
    )
    admin = org_tree["admin"]
    assert person_get(scope=scope_for(admin), pk=boss.pk) is None
    with pytest.raises(PermissionDenied):
        services.user_password_reset(user=boss, actor=admin)
    with pytest.raises(PermissionDenied):
        services.user_set_active(user=boss, is_active=False, actor=admin)
    with pytest.raises(PermissionDenied):
        services.user_update(user=boss, actor=admin, display_name="x")


def test_unchanged_edit_records_no_audit(org_tree: dict[str, Any]) -> None:
    target = org_tree["worker_a"]
    count = AuditEntry.objects.count()
    services.user_update(
        user=target, actor=org_tree["admin"], display_name=target.display_name, department=None
    )
    assert AuditEntry.objects.count() == count
