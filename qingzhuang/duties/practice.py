"""Practice mode: the demo township (示范镇) is a sandbox whose duties data can be reset.

What a reset touches, and nothing else:
- VillageTask rows whose village is under the demo township (code 429901101000);
- FeedbackReport rows received by the demo township, and their evidence files;
- the burden-ledger findings this app added for those rows (ref "duties.task:N" /
  "duties.feedback:N");
then the example tasks and reports are put back. The lists (事项清单, 证明清单) are shared by
every township and are never touched; nor are other townships, users or other apps' data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from qingzhuang.audit.services import audit_record
from qingzhuang.core.errors import NotFound
from qingzhuang.duties import ledger, services
from qingzhuang.duties.models import FeedbackReport, VillageTask
from qingzhuang.org.models import OrgUnit, User
from qingzhuang.org.roles import require
from qingzhuang.org.scope import scope_for

DEMO_TOWNSHIP_CODE = "429901101000"
DEMO_TOWNSHIP_NAME = "示范镇"
# The demo logins to practise with; the page names each one's role and unit from the account.
PRACTICE_USERNAMES = ("admin", "qingshan", "shiqiao", "xinhua")

# (village code, issuer, title, detail, days ago, username)
TASKS: list[tuple[str, str, str, str, int, str]] = [
    (
        "429901101201",
        "示范镇农业服务中心",
        "组织开展村庄环境卫生整治",
        "春季村庄清洁行动",
        20,
        "admin",
    ),
    (
        "429901101202",
        "示范县民政局",
        "协助开展低保对象年度核查",
        "入户核对家庭人口和收入",
        18,
        "shiqiao",
    ),
    (
        "429901101201",
        "示范县市场监督管理局",
        "对辖区小餐馆开展食品安全抽检",
        "每周抽检两家",
        15,
        "qingshan",
    ),
    ("429901101001", "示范县某协会", "为报名人员出具无犯罪记录证明", "", 12, "xinhua"),
    ("429901101202", "示范县文化和旅游局", "完成旅游节门票销售任务200张", "", 9, "shiqiao"),
    ("429901101203", "示范县应急管理局", "汛期巡查河堤并报告险情", "雨天每日巡查一次", 7, "admin"),
    ("429901101204", "示范县招商服务中心", "每村完成招商引资任务500万元", "", 5, "admin"),
    ("429901101001", "示范县统计局", "协助开展经济普查入户登记", "", 3, "xinhua"),
]

# (code, username, anonymous, issuer, kind, days ago, text, answer)
FEEDBACK: list[tuple[str, str, bool, str, str, int, str, str]] = [
    (
        "DEMO-QS01-AAAA",
        "qingshan",
        True,
        "示范县生态环境局",
        "checkin",
        25,
        "要求每天早上8点前在工作群里发河道巡查照片打卡，下雨天也要发。",
        "已与县生态环境局沟通，取消每日拍照打卡，改为每周在系统里报一次巡查情况。",
    ),
    (
        "DEMO-SQ02-BBBB",
        "shiqiao",
        True,
        "示范县某指挥部",
        "checkin",
        21,
        "要求村干部每天在群里接龙报平安，还要发定位截图。",
        "",
    ),
    (
        "DEMO-XH03-CCCC",
        "xinhua",
        False,
        "示范县卫生健康局",
        "checkin",
        14,
        "入户随访要拍三张照片上传，系统里又要再填一遍同样的内容。",
        "已反映给县卫健局，随访照片只留一张，信息从系统里自动带出。",
    ),
    (
        "DEMO-QS04-DDDD",
        "qingshan",
        False,
        "示范县统计局",
        "repeat_form",
        10,
        "同一个农业产值数字，本月已经在三张表里各报了一次。",
        "镇里已把这三张表并入“一表通”，下月起只填一次。",
    ),
    (
        "DEMO-SQ05-EEEE",
        "shiqiao",
        True,
        "示范县农业农村局",
        "meeting",
        6,
        "文件已经把任务讲清楚了，又要求村支书到县里参加半天的部署会。",
        "",
    ),
]


def demo_township() -> OrgUnit | None:
    return OrgUnit.objects.filter(code=DEMO_TOWNSHIP_CODE, name=DEMO_TOWNSHIP_NAME).first()


def _actor(username: str) -> Any:
    return User.objects.filter(username=username, is_active=True).first() or "demo"


def seed_practice_data(township: OrgUnit) -> tuple[int, int]:
    """Add the example tasks and reports that are missing (idempotent); returns how many added."""
    today = timezone.localdate()
    units = {u.code: u for u in OrgUnit.objects.filter(path__startswith=township.path)}
    added_tasks = 0
    for code, issuer, title, detail, days, username in TASKS:
        unit = units.get(code)
        if unit is None or VillageTask.objects.filter(org_unit=unit, title=title).exists():
            continue
        actor = _actor(username)
        if isinstance(actor, User) and not scope_for(actor).contains(unit):
            actor = _actor("admin")
        if not isinstance(actor, User):
            continue  # the service needs a user with the right role; demo users come first
        services.village_task_register(
            actor=actor,
            org_unit=unit,
            issuer=issuer,
            title=title,
            detail=detail,
            assigned_on=today - dt.timedelta(days=days),
        )
        added_tasks += 1
    added_feedback = 0
    for code, username, anonymous, issuer, kind, days, text, answer in FEEDBACK:
        if FeedbackReport.objects.filter(code_hash=services.hash_answer_code(code)).exists():
            continue
        actor = _actor(username)
        if not isinstance(actor, User):
            continue
        report, _ = services.feedback_submit(
            actor=actor,
            issuer=issuer,
            kind=kind,
            occurred_on=today - dt.timedelta(days=days),
            text=text,
            anonymous=anonymous,
            code=code,
        )
        added_feedback += 1
        admin = _actor("admin")
        if answer and isinstance(admin, User):
            services.feedback_answer(actor=admin, report=report, answer=answer)
    return added_tasks, added_feedback


@transaction.atomic
def practice_reset(*, actor: Any) -> dict[str, Any]:
    """Put the demo township's duties data back to the examples (see the module docstring)."""
    if isinstance(actor, User):
        require(actor, "practice.reset")
    township = demo_township()
    if township is None:
        raise NotFound(
            gettext("还没有演示乡镇（示范镇）。请先运行 qz demo 生成演示数据，再重置练习数据。")
        )
    if isinstance(actor, User):
        scope_for(actor).require(township)
    tasks = VillageTask.objects.filter(org_unit__path__startswith=township.path)
    reports = FeedbackReport.objects.filter(org_unit__path__startswith=township.path)
    refs = [f"duties.task:{pk}" for pk in tasks.values_list("pk", flat=True)]
    refs += [f"duties.feedback:{pk}" for pk in reports.values_list("pk", flat=True)]
    removed_findings = ledger.remove_findings(refs=refs, actor=actor)
    files = [str(r.evidence.name) for r in reports if r.evidence]
    # per-model counts: deleting a report also deletes its answers
    deleted_tasks = tasks.delete()[1].get(VillageTask._meta.label, 0)
    deleted_feedback = reports.delete()[1].get(FeedbackReport._meta.label, 0)
    if files:
        storage = FeedbackReport._meta.get_field("evidence").storage  # type: ignore[union-attr]

        def remove_files() -> None:
            for name in files:
                storage.delete(name)

        transaction.on_commit(remove_files)
    seeded_tasks, seeded_feedback = seed_practice_data(township)
    result = {
        "township": township.code,
        "deleted_tasks": deleted_tasks,
        "deleted_feedback": deleted_feedback,
        "deleted_findings": removed_findings,
        "seeded_tasks": seeded_tasks,
        "seeded_feedback": seeded_feedback,
    }
    audit_record(
        actor=actor,
        action="duties.practice.reset",
        object_type="org.OrgUnit",
        object_id=str(township.pk),
        object_repr=township.name,
        org_path=township.path,
        after=result,
    )
    return result
