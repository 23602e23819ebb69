"""API tokens: created with an optional expiry, revoked by their owner or with the account.

Re-exported from ``services.py``. People writes (``people.py``) revoke a person's tokens when an
admin resets the password or disables the account; ``User.save`` does when the password changes
by any other path.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qingzhuang.audit.services import audit_record
from qingzhuang.core.errors import InvalidInput, PermissionDenied
from qingzhuang.org.models import ApiToken, TokenRevokeReason, User

# What the creation form offers; None never expires.
TOKEN_LIFETIMES_DAYS: tuple[int | None, ...] = (30, 90, 365, None)


@transaction.atomic
def api_token_create(
    *, user: User, name: str, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """Return the token and its key; the key is shown once and only its hash is kept."""
    if expires_in_days is not None and expires_in_days < 1:
        raise InvalidInput(_("令牌的有效期至少为 1 天。"), extra={"field": "expires"})
    key = ApiToken.new_key()
    expires_at = (
        timezone.now() + dt.timedelta(days=expires_in_days) if expires_in_days is not None else None
    )
    token = ApiToken.objects.create(
        user=user,
        name=name.strip() or "API",
        key_hash=ApiToken.hash_key(key),
        prefix=key[3:9],
        expires_at=expires_at,
    )
    audit_record(actor=user, action="org.token.create", target=token, after=token.as_dict())
    return token, key


def _revoke(token: ApiToken, *, actor: Any, reason: str, now: dt.datetime) -> None:
    token.revoked_at = now
    token.revoked_reason = reason
    token.save(update_fields=["revoked_at", "revoked_reason"])
    audit_record(
        actor=actor,
        action="org.token.revoke",
        target=token,
        before={"revoked": False},
        after={"revoked": True, "reason": reason},
    )


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: Any) -> ApiToken:
    """撤销: the owner cuts off one token at once (a leaked key, a retired script)."""
    if getattr(actor, "pk", None) != token.user_id and not getattr(actor, "is_superuser", False):
        raise PermissionDenied(_("只能撤销自己的令牌。"))
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        _revoke(token, actor=actor, reason=TokenRevokeReason.MANUAL, now=timezone.now())
    return token


@transaction.atomic
def api_tokens_revoke_for_user(*, user: User, actor: Any, reason: str) -> int:
    """Revoke every token of `user` still in force; returns how many. Called when the password
    changes or the account is disabled: a token must not outlive the access it was made with."""
    now = timezone.now()
    tokens = list(ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True))
    for token in tokens:
        _revoke(token, actor=actor, reason=reason, now=now)
    return len(tokens)


def api_token_authenticate(key: str) -> User | None:
    """The active user a key belongs to, or None for an unknown, expired or revoked key."""
    token = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(key)).first()
    now = timezone.now()
    if token is None or not token.is_usable(now) or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
