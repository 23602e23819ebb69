"""Demo organisation: 示范县 > 示范镇 with 12 villages/communities, grids and one user per role."""

from __future__ import annotations

from django.db import transaction

from qingzhuang.core.demo import DemoContext
from qingzhuang.org.models import OrgLevel, OrgUnit, Role, User
from qingzhuang.org.services import department_get_or_create, org_units_import, user_create

DEMO_PASSWORD = "qz-demo-2026"  # noqa: S105 - printed on purpose: it is a demo

COUNTY = ("429901000000", "示范县", OrgLevel.COUNTY)
TOWNSHIP = ("429901101000", "示范镇", OrgLevel.TOWNSHIP)
VILLAGES = [
    ("429901101201", "青山村", OrgLevel.VILLAGE),
    ("429901101202", "石桥村", OrgLevel.VILLAGE),
    ("429901101203", "柳河村", OrgLevel.VILLAGE),
    ("429901101204", "桃园村", OrgLevel.VILLAGE),
    ("429901101205", "杨家湾村", OrgLevel.VILLAGE),
    ("429901101206", "龙潭村", OrgLevel.VILLAGE),
    ("429901101207", "白鹤村", OrgLevel.VILLAGE),
    ("429901101208", "高峰村", OrgLevel.VILLAGE),
    ("429901101209", "清水村", OrgLevel.VILLAGE),
    ("429901101001", "新华社区", OrgLevel.COMMUNITY),
    ("429901101002", "河东社区", OrgLevel.COMMUNITY),
    ("429901101003", "红星社区", OrgLevel.COMMUNITY),
]
DEPARTMENTS = [
    "示范县民政局",
    "示范县统计局",
    "示范县农业农村局",
    "示范县卫生健康局",
    "示范县生态环境局",
]


def _rows() -> list[dict[str, str]]:
    rows = [
        {"code": COUNTY[0], "name": COUNTY[1], "parent_code": "", "level": COUNTY[2], "line": "1"},
        {
            "code": TOWNSHIP[0],
            "name": TOWNSHIP[1],
            "parent_code": COUNTY[0],
            "level": TOWNSHIP[2],
            "line": "2",
        },
    ]
    for i, (code, name, level) in enumerate(VILLAGES, start=3):
        rows.append(
            {"code": code, "name": name, "parent_code": TOWNSHIP[0], "level": level, "line": str(i)}
        )
        for g in (1, 2):
            rows.append(
                {
                    "code": f"{code}{g:02d}",
                    "name": f"{name}第{g}网格",
                    "parent_code": code,
                    "level": OrgLevel.GRID,
                    "line": str(i),
                }
            )
    return rows


USERS = [
    ("admin", "王主任", Role.TOWNSHIP_ADMIN, TOWNSHIP[0], None),
    ("qingshan", "李会计(青山村)", Role.VILLAGE_WORKER, "429901101201", None),
    ("shiqiao", "张文书(石桥村)", Role.VILLAGE_WORKER, "429901101202", None),
    ("xinhua", "陈网格员(新华社区)", Role.VILLAGE_WORKER, "429901101001", None),
    ("minzheng", "刘科长(县民政局)", Role.DEPARTMENT_STAFF, COUNTY[0], "示范县民政局"),
    ("pingjia", "赵督查(县考核办)", Role.EVALUATOR, TOWNSHIP[0], None),
]


@transaction.atomic
def seed(ctx: DemoContext) -> None:
    org_units_import(rows=_rows(), actor="demo")
    depts = {name: department_get_or_create(name=name, actor="demo") for name in DEPARTMENTS}
    units = {u.code: u for u in OrgUnit.objects.filter(code__startswith="429901")}
    ctx.county = units[COUNTY[0]]
    ctx.township = units[TOWNSHIP[0]]
    ctx.villages = [units[code] for code, _, _ in VILLAGES]
    ctx.extra["departments"] = depts
    for username, name, role, code, dept in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                org_unit=units[code],
                display_name=name,
                department=depts.get(dept) if dept else None,
                actor="demo",
            )
        ctx.users[username] = user
        ctx.logins.append((username, DEMO_PASSWORD, str(Role(role).label)))
    ctx.say(f"组织：{ctx.township.name}，{len(ctx.villages)} 个村(社区)，{len(USERS)} 个演示账号")
