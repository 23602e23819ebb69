"""Reads for village work-item admission and the burden feedback channel (always scoped)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import gettext as _

from qingzhuang.core.errors import NotFound
from qingzhuang.duties.models import (
    Certificate,
    FeedbackAnswer,
    FeedbackKind,
    FeedbackReport,
    VillageTask,
    WorkItem,
)
from qingzhuang.duties.practice import PRACTICE_USERNAMES
from qingzhuang.org.models import User
from qingzhuang.org.scope import Scope

MIN_GROUP = 3  # statistics cover only groups of at least this many reports


def practice_users() -> list[User]:
    """The demo accounts to practise with, in the order the practice page lists them."""
    users = User.objects.filter(username__in=PRACTICE_USERNAMES, is_active=True).select_related(
        "org_unit"
    )
    return sorted(users, key=lambda u: PRACTICE_USERNAMES.index(u.username))


def work_items(*, list_kind: str = "", include_inactive: bool = False) -> QuerySet[WorkItem]:
    """The lists are public data of the county: no scope, every logged-in user may read them."""
    qs = WorkItem.objects.all()
    if list_kind:
        qs = qs.filter(list_kind=list_kind)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.order_by("list_kind", "name")


def certificates(*, include_inactive: bool = False) -> QuerySet[Certificate]:
    qs = Certificate.objects.all()
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.order_by("-village_may_issue", "name")


def village_tasks(
    *, scope: Scope, flagged: bool | None = None, year: int | None = None
) -> QuerySet[VillageTask]:
    qs = scope.filter(VillageTask.objects.all(), field="org_unit")
    if flagged is not None:
        qs = qs.filter(flagged=flagged)
    if year is not None:
        qs = qs.filter(assigned_on__year=year)
    return qs.select_related("org_unit", "matched_item", "created_by")


def village_task_get(*, scope: Scope, pk: int) -> VillageTask:
    task = village_tasks(scope=scope).filter(pk=pk).first()
    if task is None:
        raise NotFound(_("找不到这条交办事项，或者它不在您负责的范围内。请回到列表重新选择。"))
    return task


def feedback_reports(
    *, scope: Scope, status: str = "", year: int | None = None
) -> QuerySet[FeedbackReport]:
    """Reports received by the townships in scope (a village worker's scope holds none)."""
    qs = scope.filter(FeedbackReport.objects.all(), field="org_unit")
    if status:
        qs = qs.filter(status=status)
    if year is not None:
        qs = qs.filter(submitted_on__year=year)
    return qs.select_related("org_unit", "reporter_unit")


def feedback_report_get(*, scope: Scope, pk: int) -> FeedbackReport:
    report = feedback_reports(scope=scope).filter(pk=pk).first()
    if report is None:
        raise NotFound(_("找不到这条反映，或者它不归您所在的乡镇受理。请回到收件箱重新选择。"))
    return report


def feedback_answers(*, report: FeedbackReport) -> list[FeedbackAnswer]:
    """Every answer to a report, oldest first (the caller has already checked scope or code)."""
    return list(report.answers.select_related("answered_by").order_by("id"))


def my_feedback_reports(*, user: Any) -> QuerySet[FeedbackReport]:
    """The reports a user made under their own name (anonymous ones cannot be traced back)."""
    if not getattr(user, "is_authenticated", False):
        return FeedbackReport.objects.none()
    return (
        FeedbackReport.objects.filter(reporter=user, anonymous=False)
        .select_related("org_unit")
        .prefetch_related(Prefetch("answers", FeedbackAnswer.objects.order_by("id")))
    )


def feedback_by_code(code: str) -> FeedbackReport:
    """The report a one-time code belongs to; one message for a wrong and an unknown code."""
    from qingzhuang.duties.services import hash_answer_code

    report = FeedbackReport.objects.filter(code_hash=hash_answer_code(code)).first()
    if report is None:
        raise NotFound(
            _(
                "没有找到这个查询码对应的反映。请核对查询码（形如 ABCD-EFGH-JKMN，不区分大小写）后再试。"
            )
        )
    return report


@dataclass
class GroupedStats:
    """Counts per group, with every group smaller than MIN_GROUP withheld.

    The page words the note about withheld groups (feedback_inbox.html), in the page language.
    """

    rows: list[dict[str, Any]] = field(default_factory=list)
    withheld_groups: int = 0
    withheld_reports: int = 0


def _grouped(qs: QuerySet[FeedbackReport], key: str, labels: dict[str, str]) -> GroupedStats:
    stats = GroupedStats()
    for row in qs.values(key).annotate(n=Count("id")).order_by("-n", key):
        if row["n"] >= MIN_GROUP:
            stats.rows.append(
                {"key": row[key], "label": labels.get(row[key], row[key]), "n": row["n"]}
            )
        else:
            stats.withheld_groups += 1
            stats.withheld_reports += row["n"]
    return stats


def feedback_statistics(*, scope: Scope, year: int | None = None) -> dict[str, Any]:
    """Reports by kind and by issuer: a group is shown only with ≥ 3 reports (group-size rule).

    The total is withheld too while it is below 3, so a lone report cannot be spotted.
    """
    qs = feedback_reports(scope=scope, year=year)
    total = qs.count()
    kinds = {str(k.value): str(k.label) for k in FeedbackKind}
    return {
        "total": total if total >= MIN_GROUP else None,
        "by_kind": _grouped(qs, "kind", kinds),
        "by_issuer": _grouped(qs, "issuer", {}),
        "min_group": MIN_GROUP,
    }


def task_statistics(*, scope: Scope, year: int | None = None) -> dict[str, Any]:
    qs = village_tasks(scope=scope, year=year)
    by_result = {r["result"]: r["n"] for r in qs.values("result").annotate(n=Count("id"))}
    flagged_by_issuer = list(
        qs.filter(flagged=True)
        .values("issuer")
        .annotate(n=Count("id"))
        .order_by("-n", "issuer")[:10]
    )
    return {
        "total": sum(by_result.values()),
        "by_result": by_result,
        "flagged": by_result.get("negative", 0) + by_result.get("none", 0),
        "flagged_by_issuer": flagged_by_issuer,
    }


def duties_findings(*, scope: Scope, year: int | None = None) -> list[dict[str, Any]]:
    """This app's own record of what it flagged, for the burden dashboard.

    The same facts go to the burden ledger as Findings when its `finding_add` service exists;
    this selector is the fallback and the cross-check. Anonymous reports carry no reporter here.
    """
    out: list[dict[str, Any]] = []
    for t in village_tasks(scope=scope, flagged=True, year=year):
        out.append(
            {
                "origin": "village_admission",
                "org_unit": t.org_unit.code,
                "org_name": t.org_unit.name,
                "issuer": t.issuer,
                "date": t.assigned_on,
                "code": f"VILLAGE_{t.result.upper()}",
                "message": t.message,
                "ref": f"duties.task:{t.pk}",
            }
        )
    for r in feedback_reports(scope=scope, year=year):
        out.append(
            {
                "origin": "feedback",
                "org_unit": r.org_unit.code,
                "org_name": r.org_unit.name,
                "issuer": r.issuer,
                "date": r.occurred_on,
                "code": f"FEEDBACK_{r.kind.upper()}",
                "message": r.text[:200],
                "ref": f"duties.feedback:{r.pk}",
            }
        )
    out.sort(key=lambda d: (d["date"], d["ref"]), reverse=True)
    return out
