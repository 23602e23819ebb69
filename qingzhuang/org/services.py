"""Every write to the organisation tree, people and tokens.

Units and departments are written here; people (user accounts) in ``people.py`` and API tokens
in ``tokens.py``, re-exported here so every caller imports its writes from one module.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from qingzhuang.audit.services import audit_record, snapshot
from qingzhuang.core.errors import ApplicationError, InvalidInput
from qingzhuang.core.textcodec import decode_bytes
from qingzhuang.org.models import LEVEL_RANK, Department, OrgLevel, OrgUnit
from qingzhuang.org.people import (
    _acting_scope,
    _is_person,
    password_generate,
    user_create,
    user_password_reset,
    user_set_active,
    user_update,
)
from qingzhuang.org.scope import Scope
from qingzhuang.org.tokens import (
    TOKEN_LIFETIMES_DAYS,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
    api_tokens_revoke_for_user,
)

__all__ = [
    # people.py
    "password_generate",
    "user_create",
    "user_password_reset",
    "user_set_active",
    "user_update",
    # tokens.py
    "TOKEN_LIFETIMES_DAYS",
    "api_token_authenticate",
    "api_token_create",
    "api_token_revoke",
    "api_tokens_revoke_for_user",
    # defined here
    "LEVEL_ALIASES",
    "OrgImportResult",
    "department_get_or_create",
    "org_unit_create",
    "org_unit_update",
    "org_units_import",
    "parse_org_csv",
]


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


def _clean_code(code: str) -> str:
    """Full-width digits typed with a Chinese input method become plain digits."""
    return unicodedata.normalize("NFKC", code).strip()


_DIGITS = re.compile(r"[0-9]+")


def _check_code(code: str, level: str) -> None:
    """行政区划代码: 6 (county) to 12 (village) digits; a grid adds its number to its village's code
    (14 digits in the demo, 15 under the national grid standard)."""
    low, high = (6, 15) if level == OrgLevel.GRID else (6, 12)
    if not (_DIGITS.fullmatch(code) and low <= len(code) <= high):
        raise InvalidInput(
            _("代码“%(code)s”不对：%(level)s的代码应为%(low)s至%(high)s位数字。")
            % {"code": code, "level": OrgLevel(level).label, "low": low, "high": high},
            extra={"field": "code"},
        )


def _check_name_free(name: str, parent: OrgUnit | None, unit_pk: int | None = None) -> None:
    """Two units with the same name under one parent cannot be told apart on forms and imports."""
    clash = OrgUnit.objects.filter(parent=parent, name=name)
    if unit_pk is not None:
        clash = clash.exclude(pk=unit_pk)
    if not clash.exists():
        return
    if parent is None:
        message = _("最上一级已有“%(name)s”，请换一个名称。") % {"name": name}
    else:
        message = _("%(parent)s下已有“%(name)s”，请换一个名称。") % {
            "parent": parent.name,
            "name": name,
        }
    raise InvalidInput(message, extra={"field": "name"})


def _check_parent_allowed(scope: Scope, parent: OrgUnit | None) -> None:
    if parent is None:
        if not scope.everything:
            raise InvalidInput(
                _("请指定上级单位：只有系统管理员可以添加最上一级的单位。"),
                extra={"field": "parent"},
            )
        return
    scope.require(parent)


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
            },
            extra={"field": "level"},
        )


@transaction.atomic
def org_unit_create(
    *, code: str, name: str, level: str, parent: OrgUnit | None, actor: Any
) -> OrgUnit:
    """Create one unit; its path is computed from the parent so subtree queries stay cheap.

    The page, the CSV upload and `qz org import` all come through here, so they share the
    rules: a township admin adds only below a unit of their own subtree, and no two units
    under one parent share a name. The code format is checked for units a person adds; the
    system (CLI, demo) keeps accepting any code, because `qz org import` is a stable contract
    whose existing callers use short test codes.
    """
    scope = _acting_scope(actor)
    code, name = _clean_code(code), name.strip()
    if not code or not name:
        raise InvalidInput(_("代码和名称都不能为空。"))
    if level not in OrgLevel.values:
        raise InvalidInput(
            _("未知的层级“%(level)s”，应为 county/township/village/community/grid。")
            % {"level": level},
            extra={"field": "level"},
        )
    _check_parent_allowed(scope, parent)
    if _is_person(actor):
        _check_code(code, level)
    if OrgUnit.objects.filter(code=code).exists():
        raise InvalidInput(
            _("代码 %(code)s 已经存在，请换一个代码或修改已有单位。") % {"code": code},
            extra={"field": "code"},
        )
    _check_parent(level, parent)
    _check_name_free(name, parent)
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
    """Change a unit; `parent=False` means "leave the parent alone".

    Same rules as org_unit_create: a township admin changes only units of their subtree and
    moves them only below another of them; siblings keep distinct names.
    """
    scope = _acting_scope(actor)
    scope.require(unit)
    before = snapshot(unit)
    old_path = unit.path
    old_place = (unit.name, unit.parent_id)
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
        if (new_parent.pk if new_parent else None) != unit.parent_id:
            _check_parent_allowed(scope, new_parent)
        unit.parent = new_parent
    _check_parent(unit.level, unit.parent)
    if (unit.name, unit.parent_id) != old_place:
        _check_name_free(unit.name, unit.parent, unit.pk)
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
        row["code"], row["parent_code"] = _clean_code(row["code"]), _clean_code(row["parent_code"])
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
        try:
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
        except ApplicationError as exc:
            raise type(exc)(
                _("第%(row)s行：%(message)s") % {"row": row["line"], "message": exc.message}
            ) from exc
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
