"""People: user accounts (open, change, 停用/启用, password reset) and who may manage them.

Also who is acting (a person or the system) and where they may change units and accounts,
which the unit writes in ``services.py`` share.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qingzhuang.audit.services import audit_record, snapshot
from qingzhuang.core.errors import InvalidInput, PermissionDenied
from qingzhuang.org.models import Department, OrgUnit, Role, TokenRevokeReason, User
from qingzhuang.org.roles import require
from qingzhuang.org.scope import Scope, scope_for
from qingzhuang.org.tokens import api_tokens_revoke_for_user


def _is_person(actor: Any) -> bool:
    """A signed-in person, as opposed to a label ("cli", "demo", "test") for the system itself."""
    return actor is not None and not isinstance(actor, str)


def _acting_scope(actor: Any) -> Scope:
    """Where `actor` may change units and accounts.

    A person needs org.manage and stays inside their own subtree (a superuser's is everything);
    the system (CLI, demo, tests) loads trusted lists and may act anywhere.
    """
    if not _is_person(actor):
        return Scope.all()
    require(actor, "org.manage")
    return scope_for(actor)


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: str,
    org_unit: OrgUnit | None,
    actor: Any,
    display_name: str = "",
    department: Department | None = None,
    is_superuser: bool = False,
) -> User:
    """Open an account; a township admin opens ordinary accounts within their own subtree only.

    The password arrives already chosen (typed and checked by the form, or from
    password_generate) and is never written to the audit trail.
    """
    scope = _acting_scope(actor)
    username = username.strip()
    if not username:
        raise InvalidInput(_("请填写用户名。"), extra={"field": "username"})
    if is_superuser and not scope.everything:
        raise PermissionDenied(_("只有系统管理员可以建立系统管理员账号。"))
    if role not in Role.values:
        raise InvalidInput(_("未知的角色“%(role)s”。") % {"role": role}, extra={"field": "role"})
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidInput(
            _("用户名 %(username)s 已被使用。") % {"username": username},
            extra={"field": "username"},
        )
    if org_unit is None and not is_superuser:
        raise InvalidInput(
            _("请为用户指定所属单位（决定其可见范围）。"), extra={"field": "org_unit"}
        )
    if org_unit is not None:
        scope.require(org_unit)
    user = User(
        username=username,
        role=role,
        org_unit=org_unit,
        display_name=display_name,
        department=department,
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    user.set_password(password)
    user.save()
    audit_record(actor=actor, action="org.user.create", target=user, after=snapshot(user))
    return user


# Easy to read out over the phone: lower case and digits without 0/o, 1/l/i.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # noqa: S105 - characters, not a password


def password_generate(user: User | None = None) -> str:
    """A temporary password such as "k7xm-9qpz-r3tn" that passes AUTH_PASSWORD_VALIDATORS."""
    while True:
        groups = ("".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(4)) for _ in range(3))
        password = "-".join(groups)
        try:
            password_validation.validate_password(password, user)
        except ValidationError:
            continue
        return password


def _check_may_manage(scope: Scope, user: User) -> None:
    """Accounts of the actor's subtree only, and never a system administrator's: resetting
    such a password would hand a township admin the whole system."""
    if (user.is_superuser or user.is_staff) and not scope.everything:
        raise PermissionDenied(_("系统管理员的账号只能由系统管理员修改。"))
    scope.require(user.org_unit)


def _is_last_admin(user: User) -> bool:
    """Whether `user` is the only active township admin of their unit (rows locked, so two
    admins cannot disable each other at the same moment)."""
    if user.role != Role.TOWNSHIP_ADMIN or not user.is_active or user.org_unit_id is None:
        return False
    admins = User.objects.select_for_update().filter(
        role=Role.TOWNSHIP_ADMIN, is_active=True, org_unit_id=user.org_unit_id
    )
    return not any(pk != user.pk for pk in admins.values_list("pk", flat=True))


def _last_admin_error(user: User, *, disabling: bool) -> InvalidInput:
    values = {"name": str(user), "unit": str(user.org_unit)}
    if disabling:
        message = _(
            "“%(name)s”是%(unit)s唯一启用的镇党政办管理员，不能停用。请先为%(unit)s添加另一位管理员。"
        )
    else:
        message = _(
            "“%(name)s”是%(unit)s唯一启用的镇党政办管理员，不能改为其他角色或调到其他单位。"
            "请先为%(unit)s添加另一位管理员。"
        )
    return InvalidInput(message % values)


def _same_person(user: User, actor: Any) -> bool:
    return _is_person(actor) and getattr(actor, "pk", None) == user.pk


@transaction.atomic
def user_update(
    *,
    user: User,
    actor: Any,
    display_name: str | None = None,
    role: str | None = None,
    org_unit: OrgUnit | None = None,
    department: Department | None | bool = False,
) -> User:
    """Change a person's name, role, unit or department; None (False for department) keeps it.

    A unit's last active township admin keeps that role and unit, so the township is never
    left without someone who can open accounts.
    """
    scope = _acting_scope(actor)
    _check_may_manage(scope, user)
    if role is not None and role not in Role.values:
        raise InvalidInput(_("未知的角色“%(role)s”。") % {"role": role}, extra={"field": "role"})
    new_role = role if role is not None else user.role
    new_unit = org_unit if org_unit is not None else user.org_unit
    if new_unit is not None and new_unit.pk != user.org_unit_id:
        scope.require(new_unit)
    leaves_post = user.role == Role.TOWNSHIP_ADMIN and (
        new_role != Role.TOWNSHIP_ADMIN or (new_unit.pk if new_unit else None) != user.org_unit_id
    )
    if leaves_post and _is_last_admin(user):
        raise _last_admin_error(user, disabling=False)
    # checked first, changed after: a refused change leaves the caller's object as it was
    before = snapshot(user)
    if display_name is not None:
        user.display_name = display_name.strip()
    user.role = new_role
    user.org_unit = new_unit
    if department is not False:
        user.department = department if isinstance(department, Department) else None
    after = snapshot(user)
    if after != before:
        user.save(update_fields=["display_name", "role", "org_unit", "department"])
        audit_record(actor=actor, action="org.user.update", target=user, before=before, after=after)
    return user


@transaction.atomic
def user_set_active(*, user: User, is_active: bool, actor: Any) -> User:
    """停用 a departed worker (they can no longer log in, open sessions end and their API tokens
    are revoked for good) or 启用 them again. Nobody disables themself, nor a unit's last active
    admin."""
    scope = _acting_scope(actor)
    _check_may_manage(scope, user)
    if user.is_active == is_active:
        return user
    if not is_active:
        if _same_person(user, actor):
            raise InvalidInput(_("不能停用自己的账号。"))
        if _is_last_admin(user):
            raise _last_admin_error(user, disabling=True)
    user.is_active = is_active
    user.save(update_fields=["is_active"])
    if not is_active:
        api_tokens_revoke_for_user(user=user, actor=actor, reason=TokenRevokeReason.DISABLED)
    audit_record(
        actor=actor,
        action="org.user.activate" if is_active else "org.user.deactivate",
        target=user,
        before={"is_active": not is_active},
        after={"is_active": is_active},
    )
    return user


@transaction.atomic
def user_password_reset(*, user: User, actor: Any) -> str:
    """Give someone who forgot their password a temporary one; the caller shows it once.

    The audit says that a reset happened, never the password or its hash. Changing the hash
    ends the person's open sessions and revokes their API tokens; a login lockout on the
    account is lifted too, since whoever forgot a password has usually locked themselves out
    trying.
    """
    from axes.utils import reset as axes_reset

    scope = _acting_scope(actor)
    _check_may_manage(scope, user)
    if _same_person(user, actor):
        raise InvalidInput(_("不能在这里重置自己的密码，请点右上角自己的名字修改密码。"))
    password = password_generate(user)
    # before the save, so the audit names the admin (User.save would revoke them as the user)
    api_tokens_revoke_for_user(user=user, actor=actor, reason=TokenRevokeReason.PASSWORD)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        actor=actor,
        action="org.user.password_reset",
        target=user,
        after={"temporary_password_issued": True},
    )
    axes_reset(username=user.username)
    return password
