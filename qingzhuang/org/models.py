"""Organisation tree (county > township > village/community > grid), departments and people."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OrgLevel(models.TextChoices):
    COUNTY = "county", _("县(市、区)")
    TOWNSHIP = "township", _("乡镇(街道)")
    VILLAGE = "village", _("村")
    COMMUNITY = "community", _("社区")
    GRID = "grid", _("网格")


LEVEL_RANK = {
    OrgLevel.COUNTY: 1,
    OrgLevel.TOWNSHIP: 2,
    OrgLevel.VILLAGE: 3,
    OrgLevel.COMMUNITY: 3,
    OrgLevel.GRID: 4,
}


class OrgUnitQuerySet(models.QuerySet["OrgUnit"]):
    def villages(self) -> OrgUnitQuerySet:
        return self.filter(level__in=[OrgLevel.VILLAGE, OrgLevel.COMMUNITY])

    def under(self, unit: OrgUnit) -> OrgUnitQuerySet:
        """The unit and everything below it."""
        return self.filter(path__startswith=unit.path)


class OrgUnit(models.Model):
    code = models.CharField(_("行政区划代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=OrgLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path of primary keys ("/1/5/23/") so a subtree is one indexed prefix query.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("组织单位")
        verbose_name_plural = _("组织单位")
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=[c.value for c in OrgLevel]), name="orgunit_level_valid"
            ),
            models.CheckConstraint(condition=~Q(code=""), name="orgunit_code_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_village(self) -> bool:
        return self.level in (OrgLevel.VILLAGE, OrgLevel.COMMUNITY)

    def is_descendant_of(self, other: OrgUnit) -> bool:
        return self.path.startswith(other.path)


class Department(models.Model):
    """A county (or higher) department that sends demands down and owns data (一数一源)."""

    name = models.CharField(_("部门名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    county = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="departments"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("部门")
        verbose_name_plural = _("部门")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    TOWNSHIP_ADMIN = "township_admin", _("镇党政办管理员")
    DEPARTMENT_STAFF = "department_staff", _("部门工作人员")
    VILLAGE_WORKER = "village_worker", _("村(社区)工作人员")
    EVALUATOR = "evaluator", _("评价/督查(只读)")


class User(AbstractUser):
    role = models.CharField(
        _("角色"), max_length=32, choices=Role.choices, default=Role.VILLAGE_WORKER
    )
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("所属部门"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="users",
    )
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    seen_walkthrough = models.BooleanField(default=False)

    class Meta(AbstractUser.Meta):
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A new password revokes the account's API tokens, whichever path set it (the
        password page, an admin's reset, Django admin, `manage.py changepassword`): a token
        must not outlive the password of someone whose account may have been taken over."""
        # set_password() keeps the new raw password here until the save (AbstractBaseUser)
        password_changed = getattr(self, "_password", None) is not None and self.pk is not None
        if not password_changed:
            super().save(*args, **kwargs)
            return
        from qingzhuang.org.tokens import api_tokens_revoke_for_user

        with transaction.atomic():
            super().save(*args, **kwargs)
            api_tokens_revoke_for_user(user=self, actor=self, reason=TokenRevokeReason.PASSWORD)


class TokenRevokeReason(models.TextChoices):
    MANUAL = "manual", _("已撤销")
    PASSWORD = "password", _("密码已修改")
    DISABLED = "disabled", _("账号已停用")


class ApiToken(models.Model):
    """A bearer token for the JSON API; only its hash is stored.

    A token works until it expires (if it was given an expiry) or is revoked; a revoked token
    stays in the list, with the reason, so its owner sees why a script stopped working.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("有效期至"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_reason = models.CharField(
        _("撤销原因"), max_length=16, choices=TokenRevokeReason.choices, blank=True
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revoked_reason="")
                | (Q(revoked_at__isnull=False) & Q(revoked_reason__in=TokenRevokeReason.values)),
                name="apitoken_revoked_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_expired(self, now: dt.datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    def is_usable(self, now: dt.datetime) -> bool:
        return self.revoked_at is None and not self.is_expired(now)

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "qz_" + secrets.token_urlsafe(32)

    def as_dict(self) -> dict[str, Any]:
        expires = self.expires_at.isoformat() if self.expires_at else None
        return {"id": self.pk, "name": self.name, "prefix": self.prefix, "expires_at": expires}
