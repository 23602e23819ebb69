from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from qingzhuang.audit.models import AuditEntry
from qingzhuang.audit.services import audit_record, audit_verify
from qingzhuang.org.models import OrgUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def reset_language() -> Iterator[None]:
    """LocaleMiddleware leaves the last request's language active in the test thread; put the
    default (Chinese) back so English pages do not leak into later tests."""
    yield
    translation.deactivate()


def _raw(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_fresh_chain_verifies(org_tree: dict[str, Any]) -> None:
    result = audit_verify()
    assert result.ok
    assert result.checked == AuditEntry.objects.count() > 0


def test_edited_row_is_detected_and_named(org_tree: dict[str, Any]) -> None:
    victim = AuditEntry.objects.order_by("id")[2]
    _raw("UPDATE audit_auditentry SET actor_label = %s WHERE id = %s", ["mallory", victim.pk])
    result = audit_verify()
    assert not result.ok
    assert result.first_bad_id == victim.pk


def test_edited_json_payload_is_detected(org_tree: dict[str, Any]) -> None:
    victim = AuditEntry.objects.filter(action="org.unit.create").order_by("id")[1]
    _raw(
        "UPDATE audit_auditentry SET after = %s WHERE id = %s",
        ['{"name": "篡改"}', victim.pk],
    )
    assert audit_verify().first_bad_id == victim.pk


def test_deleted_middle_row_is_detected(org_tree: dict[str, Any]) -> None:
    ids = list(AuditEntry.objects.order_by("id").values_list("id", flat=True))
    _raw("DELETE FROM audit_auditentry WHERE id = %s", [ids[3]])
    result = audit_verify()
    assert not result.ok
    assert result.first_bad_id == ids[4]


def test_deleted_last_row_is_detected(org_tree: dict[str, Any]) -> None:
    last = AuditEntry.objects.order_by("-id").first()
    assert last is not None
    _raw("DELETE FROM audit_auditentry WHERE id = %s", [last.pk])
    result = audit_verify()
    assert not result.ok
    assert result.first_bad_id == last.pk


def test_entry_rolls_back_with_the_change(org_tree: dict[str, Any]) -> None:
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        OrgUnit.objects.filter(pk=org_tree["village_a"].pk).update(name="改名")
        audit_record(actor="test", action="x.test", target=org_tree["village_a"])
        raise RuntimeError("boom")
    assert AuditEntry.objects.count() == before
    assert audit_verify().ok


@pytest.mark.django_db(transaction=True)
def test_audit_outside_a_transaction_is_refused() -> None:
    with pytest.raises(RuntimeError):
        audit_record(actor="test", action="x.test")


def test_cli_verify_exits_non_zero_naming_the_entry(org_tree: dict[str, Any]) -> None:
    call_command("audit", "verify")
    victim = AuditEntry.objects.order_by("id")[1]
    _raw("UPDATE audit_auditentry SET action = %s WHERE id = %s", ["forged", victim.pk])
    with pytest.raises(CommandError, match=f"#{victim.pk}"):
        call_command("audit", "verify")


@pytest.mark.usefixtures("reset_language")
def test_verify_result_on_the_page_follows_the_page_language(
    client: Client, org_tree: dict[str, Any]
) -> None:
    assert client.login(username=org_tree["admin"].username, password=org_tree["password"])
    url = reverse("audit:entries") + "?verify=1"
    n = AuditEntry.objects.count()
    assert f"完整：已校验 {n} 条记录" in client.get(url).content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert f"Intact: {n} entries verified" in client.get(url).content.decode()
    victim = AuditEntry.objects.order_by("id")[2]
    _raw("UPDATE audit_auditentry SET actor_label = %s WHERE id = %s", ["mallory", victim.pk])
    body = client.get(url).content.decode()
    assert f"Entry #{victim.pk} has been changed" in body and "条记录的内容被改动" not in body
