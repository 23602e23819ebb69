"""API tokens: listed on /org/tokens/, revocable (audited), optionally expiring, and revoked
with the account's password or when the account is disabled."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from qingzhuang.audit.models import AuditEntry
from qingzhuang.core.errors import PermissionDenied
from qingzhuang.org import services
from qingzhuang.org.models import ApiToken, TokenRevokeReason

pytestmark = pytest.mark.django_db

TOKENS = "/org/tokens/"
ORDERS = "/api/service_requests/orders"


def _api_status(key: str) -> int:
    return Client().get(ORDERS, headers={"Authorization": f"Bearer {key}"}).status_code


def _new_key(client: Client, **data: str) -> str:
    response = client.post(TOKENS, {"name": "脚本", "expires": "90", **data})
    assert response.status_code == 200
    match = re.search(r"<code>(qz_[^<]+)</code>", response.content.decode())
    assert match, "the new key is shown once"
    return match.group(1)


def _revoke_url(token: ApiToken) -> str:
    return f"{TOKENS}{token.pk}/revoke/"


def test_revoked_token_is_refused_and_the_revocation_is_audited(
    org_tree: dict[str, Any], client: Client
) -> None:
    worker = org_tree["worker_a"]
    client.force_login(worker)
    key = _new_key(client)
    assert _api_status(key) == 200
    token = ApiToken.objects.get(user=worker)

    response = client.post(_revoke_url(token), follow=True)

    assert "已撤销" in response.content.decode()
    assert _api_status(key) == 401
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_reason == TokenRevokeReason.MANUAL
    entry = AuditEntry.objects.get(action="org.token.revoke")
    assert entry.actor_id == worker.pk and entry.after["reason"] == TokenRevokeReason.MANUAL


def test_revoking_needs_a_post(org_tree: dict[str, Any], client: Client) -> None:
    client.force_login(org_tree["worker_a"])
    token, key = services.api_token_create(user=org_tree["worker_a"], name="x")
    assert client.get(_revoke_url(token)).status_code == 405
    assert _api_status(key) == 200


def test_nobody_revokes_another_persons_token(org_tree: dict[str, Any], client: Client) -> None:
    token, key = services.api_token_create(user=org_tree["worker_b"], name="x")
    client.force_login(org_tree["worker_a"])
    assert client.post(_revoke_url(token)).status_code == 404
    with pytest.raises(PermissionDenied):
        services.api_token_revoke(token=token, actor=org_tree["worker_a"])
    assert _api_status(key) == 200


def test_expiry_is_chosen_at_creation_and_an_expired_token_is_refused(
    org_tree: dict[str, Any], client: Client
) -> None:
    client.force_login(org_tree["worker_a"])
    key = _new_key(client, expires="30")
    token = ApiToken.objects.get(user=org_tree["worker_a"])
    assert token.expires_at is not None
    days = (token.expires_at - timezone.now()) / dt.timedelta(days=1)
    assert 29.9 < days <= 30
    assert _api_status(key) == 200

    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(1))

    assert _api_status(key) == 401
    assert "已过期" in client.get(TOKENS).content.decode()


def test_a_token_may_never_expire(org_tree: dict[str, Any], client: Client) -> None:
    client.force_login(org_tree["worker_a"])
    _new_key(client, expires="never")
    assert ApiToken.objects.get(user=org_tree["worker_a"]).expires_at is None


def test_an_unknown_expiry_is_refused(org_tree: dict[str, Any], client: Client) -> None:
    client.force_login(org_tree["worker_a"])
    response = client.post(TOKENS, {"name": "脚本", "expires": "9999"})
    assert "qz_" not in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_list_shows_last_use_expiry_and_the_automatic_revocation(
    org_tree: dict[str, Any], client: Client
) -> None:
    worker = org_tree["worker_a"]
    _, key = services.api_token_create(user=worker, name="统计脚本", expires_in_days=90)
    _api_status(key)
    client.force_login(worker)
    html = client.get(TOKENS).content.decode()
    token = ApiToken.objects.get(user=worker)
    assert "统计脚本" in html and ">有效</span>" in html
    assert f'action="{_revoke_url(token)}"' in html
    row = html.split("统计脚本")[1].split("</tr>")[0]
    assert row.count("—") == 0  # expiry and last use are both filled in
    assert "修改或重置密码" in html and "停用" in html  # the help says when tokens stop


def test_changing_ones_own_password_revokes_ones_tokens(
    org_tree: dict[str, Any], client: Client
) -> None:
    worker = org_tree["worker_a"]
    _token, key = services.api_token_create(user=worker, name="x")
    client.force_login(worker)
    new = "another-pass-67890"
    response = client.post(
        "/accounts/password/",
        {"old_password": org_tree["password"], "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert _api_status(key) == 401
    token = ApiToken.objects.get(user=worker)
    assert token.revoked_reason == TokenRevokeReason.PASSWORD
    assert "密码已修改" in client.get(TOKENS).content.decode()


def test_an_admins_password_reset_revokes_the_tokens(org_tree: dict[str, Any]) -> None:
    worker, admin = org_tree["worker_a"], org_tree["admin"]
    _token, key = services.api_token_create(user=worker, name="x")
    services.user_password_reset(user=worker, actor=admin)
    assert _api_status(key) == 401
    entry = AuditEntry.objects.get(action="org.token.revoke")
    assert entry.actor_id == admin.pk and entry.after["reason"] == TokenRevokeReason.PASSWORD


def test_disabling_an_account_revokes_its_tokens_for_good(org_tree: dict[str, Any]) -> None:
    worker, admin = org_tree["worker_a"], org_tree["admin"]
    _token, key = services.api_token_create(user=worker, name="x")
    services.user_set_active(user=worker, is_active=False, actor=admin)
    services.user_set_active(user=worker, is_active=True, actor=admin)
    assert _api_status(key) == 401
    assert ApiToken.objects.get(user=worker).revoked_reason == TokenRevokeReason.DISABLED


def test_other_peoples_tokens_survive_a_password_change(org_tree: dict[str, Any]) -> None:
    _mine, key_a = services.api_token_create(user=org_tree["worker_a"], name="x")
    _theirs, key_b = services.api_token_create(user=org_tree["worker_b"], name="x")
    services.user_password_reset(user=org_tree["worker_a"], actor=org_tree["admin"])
    assert _api_status(key_a) == 401 and _api_status(key_b) == 200
