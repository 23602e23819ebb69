"""Every write to the organisation tree, people and tokens."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qingzhuang.audit.services import audit_record, snapshot
from qingzhuang.core.errors import InvalidInput
from qingzhuang.core.textcodec import decode_bytes
from qingzhuang.org.models import LEVEL_RANK, ApiToken, Department, OrgLevel, OrgUnit, Role, User

LEVEL_ALIASES = {
    "county": OrgLevel.COUNTY,
    "县": OrgLevel.COUNTY,
    "township": OrgLevel.TOWNSHIP,
    "乡镇": OrgLevel.TOWNSHIP,
    "镇": OrgLevel.TOWNSHIP,
    "街道": OrgLevel.TOWNSHIP,
    "village": OrgLevel.VILLAGE,
    "村": OrgLevel.VILLAGE,
    "community": OrgLevel.COMMUNITY,
    "社区": OrgLevel.COMMUNITY,
    "grid": OrgLevel.GRID,
    "网格": OrgLevel.GRID,
}


def _set_path(unit: OrgUnit) -> None:
    parent_path = unit.parent.path if unit.parent_id and unit.parent else "/"
    unit.path = f"{parent_path}{unit.pk}/"
    unit.depth = parent_path.count("/") - 1 if unit.parent_id else 0


def _check_parent(level: str, parent: OrgUnit | None) -> None:
    if parent is None:
        return
    if LEVEL_RANK[OrgLevel(level)] <= LEVEL_RANK[OrgLevel(parent.level)]:
        raise InvalidInput(
            _("层级不对：%(level)s不能挂在%(parent_level)s“%(parent)s”之下。")
            % {
                "level": OrgLevel(level).label,
                "parent_level": OrgLevel(parent.level).label,
                "parent": parent.name,
            }
        )


@transaction.atomic
def org_unit_create(
    *, code: str, name: str, level: str, parent: OrgUnit | None, actor: Any
) -> OrgUnit:
    """Create one unit; its path is computed from the parent so subtree queries stay cheap."""
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise InvalidInput(_("代码和名称都不能为空。"))
    if level not in OrgLevel.values:
        raise InvalidInput(
            _("未知的层级“%(level)s”，应为 county/township/village/community/grid。")
            % {"level": level}
        )
    if OrgUnit.objects.filter(code=code).exists():
        raise InvalidInput(
            _("代码 %(code)s 已经存在，请换一个代码或修改已有单位。") % {"code": code}
        )
    _check_parent(level, parent)
    unit = OrgUnit.objects.create(code=code, name=name, level=level, parent=parent)
    _set_path(unit)
    unit.save(update_fields=["path", "depth"])
    audit_record(actor=actor, action="org.unit.create", target=unit, after=snapshot(unit))
    return unit


def _rewrite_subtree_paths(unit: OrgUnit, old_path: str) -> None:
    for child in OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk):
        child.path = unit.path + child.path[len(old_path) :]
        child.depth = child.path.count("/") - 2
        child.save(update_fields=["path", "depth"])


@transaction.atomic
def org_unit_update(
    *,
    unit: OrgUnit,
    actor: Any,
    name: str | None = None,
    level: str | None = None,
    parent: OrgUnit | None | bool = False,
    is_active: bool | None = None,
) -> OrgUnit:
    """Change a unit; `parent=False` means "leave the parent alone"."""
    before = snapshot(unit)
    old_path = unit.path
    if name is not None:
        unit.name = name.strip()
    if level is not None:
        unit.level = level
    if is_active is not None:
        unit.is_active = is_active
    if parent is not False:
        new_parent = parent if isinstance(parent, OrgUnit) else None
        if new_parent is not None and new_parent.path.startswith(unit.path):
            raise InvalidInput(_("不能把“%(name)s”移到它自己的下级之下。") % {"name": unit.name})
        unit.parent = new_parent
    _check_parent(unit.level, unit.parent)
    _set_path(unit)
    unit.save()
    if unit.path != old_path:
        _rewrite_subtree_paths(unit, old_path)
    after = snapshot(unit)
    if after != before:
        audit_record(actor=actor, action="org.unit.update", target=unit, before=before, after=after)
    return unit


@dataclass
class OrgImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
        }


def parse_org_csv(data: bytes) -> list[dict[str, str]]:
    """Decode and validate the rows of a units list (code, name, parent_code, level)."""
    text, _encoding = decode_bytes(data)
    reader = csv.DictReader(io.StringIO(text))
    required = {"code", "name", "parent_code", "level"}
    header = {h.strip() for h in (reader.fieldnames or [])}
    missing = required - header
    if missing:
        raise InvalidInput(
            _("CSV 缺少列：%(missing)s（需要 code, name, parent_code, level）")
            % {"missing": ", ".join(sorted(missing))}
        )
    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    for n, raw in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        if not any(row.values()):
            continue
        if not row["code"] or not row["name"]:
            raise InvalidInput(_("第%(row)s行：代码和名称不能为空") % {"row": n})
        level = LEVEL_ALIASES.get(row["level"].lower())
        if level is None:
            raise InvalidInput(
                _("第%(row)s行：层级“%(level)s”无效，应为 county/township/village/community/grid")
                % {"row": n, "level": row["level"]}
            )
        if row["code"] in seen:
            raise InvalidInput(
                _("第%(row)s行：代码 %(code)s 在文件中重复") % {"row": n, "code": row["code"]}
            )
        seen.add(row["code"])
        rows.append({**row, "level": level.value, "line": str(n)})
    if not rows:
        raise InvalidInput(_("文件中没有任何单位。"))
    return rows


@transaction.atomic
def org_units_import(*, rows: Iterable[dict[str, str]], actor: Any) -> OrgImportResult:
    """Create or update units from a list; re-running the same list changes nothing.

    Parents may appear after their children in the file, so rows are applied in
    dependency order; any error rolls the whole import back.
    """
    pending = {r["code"]: r for r in rows}
    existing = {u.code: u for u in OrgUnit.objects.filter(code__in=list(pending))}
    result = OrgImportResult()
    done: set[str] = set()

    def apply(code: str, trail: tuple[str, ...]) -> OrgUnit:
        row = pending[code]
        if code in trail:
            raise InvalidInput(
                _("第%(row)s行：上下级关系形成了循环（%(trail)s）")
                % {"row": row["line"], "trail": " → ".join(trail)}
            )
        parent: OrgUnit | None = None
        pcode = row["parent_code"]
        if pcode:
            if pcode in pending and pcode not in done:
                parent = apply(pcode, (*trail, code))
            else:
                parent = existing.get(pcode) or OrgUnit.objects.filter(code=pcode).first()
                if parent is None:
                    raise InvalidInput(
                        _("第%(row)s行：上级代码 %(code)s 不存在")
                        % {"row": row["line"], "code": pcode}
                    )
        unit = existing.get(code)
        if unit is None:
            unit = org_unit_create(
                code=code, name=row["name"], level=row["level"], parent=parent, actor=actor
            )
            result.created.append(code)
        elif (unit.name, unit.level, unit.parent_id) != (
            row["name"],
            row["level"],
            parent.pk if parent else None,
        ):
            unit = org_unit_update(
                unit=unit, actor=actor, name=row["name"], level=row["level"], parent=parent
            )
            result.updated.append(code)
        else:
            result.unchanged.append(code)
        existing[code] = unit
        done.add(code)
        return unit

    for code in pending:
        if code not in done:
            apply(code, ())
    return result


@transaction.atomic
def department_get_or_create(*, name: str, actor: Any, county: OrgUnit | None = None) -> Department:
    """Departments are referred to by name on forms; create them on first mention."""
    name = name.strip()
    if not name:
        raise InvalidInput(_("部门名称不能为空。"))
    dept = Department.objects.filter(name=name).first()
    if dept is None:
        dept = Department.objects.create(name=name, county=county)
        audit_record(actor=actor, action="org.department.create", target=dept, after=snapshot(dept))
    return dept


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
    if role not in Role.values:
        raise InvalidInput(_("未知的角色“%(role)s”。") % {"role": role})
    if User.objects.filter(username=username).exists():
        raise InvalidInput(_("用户名 %(username)s 已被使用。") % {"username": username})
    if org_unit is None and not is_superuser:
        raise InvalidInput(_("请为用户指定所属单位（决定其可见范围）。"))
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


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Return the token and its key; the key is shown once and only its hash is kept."""
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=user, name=name.strip() or "API", key_hash=ApiToken.hash_key(key), prefix=key[3:9]
    )
    audit_record(actor=user, action="org.token.create", target=token, after=token.as_dict())
    return token, key


def api_token_authenticate(key: str) -> User | None:
    token = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(key)).first()
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
