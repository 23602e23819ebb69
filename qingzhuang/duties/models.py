"""Clear duties (村(社区)工作事项准入) and the grassroots' own voice (减负直通车).

- WorkItem: the three lists an admin maintains — 依法履职事项, 协助政府工作事项, 负面清单.
- Certificate: 村级证明事项, including certificates a village must NOT issue and where to get them.
- VillageTask: every task assigned to a village, checked against the lists when registered.
- FeedbackReport: a report of formalism from village/township staff, optionally anonymous.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qingzhuang.org.models import OrgUnit


class ListKind(models.TextChoices):
    DUTY = "duty", _("依法履职事项")
    ASSIST = "assist", _("协助政府工作事项")
    NEGATIVE = "negative", _("负面清单")


class CheckResult(models.TextChoices):
    DUTY = "duty", _("依法履职事项")
    ASSIST = "assist", _("协助政府工作事项")
    NEGATIVE = "negative", _("负面清单")
    NONE = "none", _("不在清单内")


FLAGGED_RESULTS = (CheckResult.NEGATIVE, CheckResult.NONE)


class WorkItem(models.Model):
    """One entry on one of the three village work-item lists."""

    list_kind = models.CharField(_("清单"), max_length=16, choices=ListKind.choices)
    name = models.CharField(_("事项名称"), max_length=200)
    keywords = models.TextField(
        _("关键词/别名"), blank=True, help_text=_("每行一个，或用逗号、顿号分隔")
    )
    legal_basis = models.TextField(_("依据"), blank=True)
    source = models.CharField(_("清单来源"), max_length=300, blank=True)
    note = models.TextField(_("说明"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["list_kind", "name"]
        verbose_name = _("村(社区)工作事项")
        verbose_name_plural = _("村(社区)工作事项")
        constraints = [
            models.UniqueConstraint(fields=["list_kind", "name"], name="duties_workitem_unique"),
            models.CheckConstraint(
                condition=Q(list_kind__in=[c.value for c in ListKind]),
                name="duties_workitem_kind_valid",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="duties_workitem_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class Certificate(models.Model):
    """A certificate residents ask villages for: may the village issue it, and if not, who does."""

    name = models.CharField(_("证明名称"), max_length=200, unique=True)
    keywords = models.TextField(_("关键词/别名"), blank=True)
    village_may_issue = models.BooleanField(_("村(社区)可以出具"), default=False)
    legal_basis = models.TextField(_("依据"), blank=True)
    where_instead = models.TextField(
        _("应到哪里办理"), blank=True, help_text=_("村里不能开时，用大白话写清去哪里、带什么")
    )
    conditions = models.TextField(_("办理说明"), blank=True)
    source = models.CharField(_("清单来源"), max_length=300, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-village_may_issue", "name"]
        verbose_name = _("村级证明事项")
        verbose_name_plural = _("村级证明事项")
        constraints = [
            models.CheckConstraint(
                condition=Q(village_may_issue=True) | ~Q(where_instead=""),
                name="duties_certificate_refused_says_where",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="duties_certificate_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class VillageTask(models.Model):
    """A task or demand assigned to a village, with the result of the list check."""

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("村(社区)"), on_delete=models.PROTECT, related_name="duty_tasks"
    )
    issuer = models.CharField(_("交办单位"), max_length=200)
    title = models.CharField(_("事项"), max_length=300)
    detail = models.TextField(_("具体要求"), blank=True)
    assigned_on = models.DateField(_("交办日期"))
    result = models.CharField(_("核对结果"), max_length=16, choices=CheckResult.choices)
    matched_item = models.ForeignKey(
        WorkItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    message = models.TextField(_("核对说明"), blank=True)
    flagged = models.BooleanField(_("已标记"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assigned_on", "-id"]
        verbose_name = _("交办村(社区)的事项")
        verbose_name_plural = _("交办村(社区)的事项")
        constraints = [
            models.CheckConstraint(
                condition=Q(result__in=[c.value for c in CheckResult]),
                name="duties_task_result_valid",
            ),
            models.CheckConstraint(
                condition=Q(flagged=True, result__in=[r.value for r in FLAGGED_RESULTS])
                | Q(flagged=False, result__in=[CheckResult.DUTY.value, CheckResult.ASSIST.value]),
                name="duties_task_flagged_matches_result",
            ),
        ]
        indexes = [models.Index(fields=["flagged", "assigned_on"])]

    def __str__(self) -> str:
        return self.title


class FeedbackKind(models.TextChoices):
    CHECKIN = "checkin", _("拍照打卡、痕迹材料")
    REPEAT_FORM = "repeat_form", _("重复填表、重复报数")
    MEETING = "meeting", _("会议过多、文件已部署又开会")
    INSPECTION = "inspection", _("督查检查考核过多")
    APP_GROUP = "app_group", _("政务APP、工作群过多")
    PUSH_DOWN = "push_down", _("把不该村里干的事压给村里")
    OTHER = "other", _("其他")


class FeedbackStatus(models.TextChoices):
    OPEN = "open", _("待答复")
    ANSWERED = "answered", _("已答复")


def evidence_path(instance: FeedbackReport, filename: str) -> str:
    """A random name: an original file name like "张三的截图.jpg" could identify the reporter."""
    import os
    import uuid

    ext = os.path.splitext(filename)[1].lower()[:10]
    return f"duties/evidence/{uuid.uuid4().hex}{ext}"


class FeedbackReport(models.Model):
    """A report of formalism. When anonymous, nothing about the reporter is stored.

    Only the day (not the time) is kept, so a report cannot be matched to a login by timestamp.
    """

    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("受理的乡镇(街道)"),
        on_delete=models.PROTECT,
        related_name="duty_feedback",
    )
    anonymous = models.BooleanField(_("匿名"), default=False)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reporter_unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issuer = models.CharField(_("提出要求的单位"), max_length=200)
    kind = models.CharField(_("问题类型"), max_length=16, choices=FeedbackKind.choices)
    occurred_on = models.DateField(_("发生日期"))
    text = models.TextField(_("具体情况"))
    evidence = models.FileField(_("佐证材料"), upload_to=evidence_path, blank=True)
    submitted_on = models.DateField(_("提交日期"))
    code_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=FeedbackStatus.choices, default=FeedbackStatus.OPEN
    )
    # The latest answer; every answer, earlier ones included, is a FeedbackAnswer row.
    answer = models.TextField(_("答复"), blank=True)
    answered_on = models.DateField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-submitted_on", "-id"]
        verbose_name = _("减负直通车反映")
        verbose_name_plural = _("减负直通车反映")
        constraints = [
            models.CheckConstraint(
                condition=Q(anonymous=False) | Q(reporter__isnull=True, reporter_unit__isnull=True),
                name="duties_feedback_anonymous_has_no_reporter",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[c.value for c in FeedbackKind]),
                name="duties_feedback_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(status=FeedbackStatus.OPEN.value, answer="")
                | (Q(status=FeedbackStatus.ANSWERED.value) & ~Q(answer="")),
                name="duties_feedback_answer_matches_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.issuer}"


class FeedbackAnswer(models.Model):
    """One answer to a report. Answers are added, never replaced: the reporter reads them all,
    so a later answer cannot quietly take back what an earlier one promised."""

    report = models.ForeignKey(
        FeedbackReport,
        verbose_name=_("减负直通车反映"),
        on_delete=models.CASCADE,
        related_name="answers",
    )
    text = models.TextField(_("答复内容"))
    answered_on = models.DateField(_("答复日期"))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["report", "id"]
        verbose_name = _("反映的答复")
        verbose_name_plural = _("反映的答复")
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="duties_answer_text_not_empty"),
        ]

    def __str__(self) -> str:
        return self.text[:50]
