"""Writes (and the list checks) for village work-item admission and the burden feedback channel."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import zipfile
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile, File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qingzhuang.audit.services import audit_record, snapshot
from qingzhuang.core.dates import EARLIEST_DATE, years_ahead
from qingzhuang.core.errors import InvalidInput
from qingzhuang.duties import ledger, matcher
from qingzhuang.duties.evidence_metadata import CannotClean, LegacyOffice, strip_metadata
from qingzhuang.duties.models import (
    FLAGGED_RESULTS,
    Certificate,
    CheckResult,
    FeedbackAnswer,
    FeedbackKind,
    FeedbackReport,
    FeedbackStatus,
    ListKind,
    VillageTask,
    WorkItem,
)
from qingzhuang.i18n import join_list
from qingzhuang.org.models import OrgLevel, OrgUnit, User
from qingzhuang.org.roles import require
from qingzhuang.org.scope import scope_for
from qingzhuang.service_requests.services import sniff_photo
from qingzhuang.sheets.safety import OLE_MAGIC, ZIP_MAGIC

# A negative-list entry wins a near-tie: letting a pushed-down task through costs more.
PRIORITY = {ListKind.NEGATIVE.value: 3, ListKind.DUTY.value: 2, ListKind.ASSIST.value: 1}
ANONYMOUS_ACTOR = "anonymous"
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
# extension -> the kind of content it must hold (checked from the first bytes, see _sniff_evidence)
EVIDENCE_KINDS = {
    ".jpg": "image",
    ".jpeg": "image",
    ".png": "image",
    ".gif": "image",
    ".webp": "image",
    ".pdf": "pdf",
    ".doc": "office",
    ".xls": "office",
    ".docx": "office",
    ".xlsx": "office",
}
EVIDENCE_EXTENSIONS = tuple(EVIDENCE_KINDS)
# Dates typed on a phone: a slip of the year ("0026", "2206") must not reach the ledger.
TASK_MAX_YEARS_AHEAD = 5
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed by hand


# ---------------------------------------------------------------- dates


def latest_task_date(today: dt.date | None = None) -> dt.date:
    return years_ahead(TASK_MAX_YEARS_AHEAD, today)


def check_task_date(day: dt.date) -> None:
    """A task's date lies between 2000 and five years ahead (an announced task may be dated
    ahead; anything further is a typing slip)."""
    if day < EARLIEST_DATE:
        raise InvalidInput(_("交办日期不能早于 2000 年 1 月 1 日，请检查年份是否写错了。"))
    if day > latest_task_date():
        raise InvalidInput(
            _("交办日期不能晚于 %(latest)s（今天起 5 年内），请检查年份是否写错了。")
            % {"latest": latest_task_date().isoformat()}
        )


def check_feedback_date(day: dt.date) -> None:
    """What a reporter met happened between 2000 and today."""
    if day < EARLIEST_DATE:
        raise InvalidInput(_("发生日期不能早于 2000 年 1 月 1 日，请检查年份是否写错了。"))
    if day > timezone.localdate():
        raise InvalidInput(_("发生日期不能晚于今天，请重新选择。"))


# ---------------------------------------------------------------- list checks (read-only)


@dataclass(frozen=True)
class CheckOutcome:
    list: str  # 'duty' | 'assist' | 'negative' | 'none'
    item: WorkItem | None
    term: str
    message: str

    @property
    def flagged(self) -> bool:
        return self.list in FLAGGED_RESULTS


def _entries() -> list[matcher.Entry]:
    return [
        matcher.make_entry(key=i.list_kind, id=i.pk, name=i.name, keywords=i.keywords)
        for i in WorkItem.objects.filter(is_active=True)
    ]


def work_item_check(text: str, issuer: str = "") -> CheckOutcome:
    """Which list a task belongs on, in words a village cadre can act on.

    Not on any list is flagged like the negative list: by the 2022 rules a task outside the
    lists reaches a village only after the township has admitted it.
    """
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("请写上交办的事项内容，例如“组织开展村庄环境卫生整治”。"))
    who = issuer.strip() or "交办单位"
    items = {i.pk: i for i in WorkItem.objects.filter(is_active=True)}
    hit = matcher.pick(matcher.best_hits(text, _entries()), PRIORITY)
    if hit is None:
        message = (
            f"“{text}”不在村(社区)工作事项清单内。按规定，清单外的事项要先经镇党政办准入审核，"
            f"才能交给村(社区)。已记入减负台账（交办单位：{who}）；村里可以先不办，请{who}向镇党政办申请准入。"
        )
        return CheckOutcome(CheckResult.NONE.value, None, "", message)
    item = items[hit.entry.id]
    basis = f"依据：{item.legal_basis}" if item.legal_basis else ""
    if item.list_kind == ListKind.DUTY:
        message = f"属于村(社区)依法履职事项“{item.name}”，村里应当办理。{basis}"
    elif item.list_kind == ListKind.ASSIST:
        message = (
            f"属于协助政府工作事项“{item.name}”。村里负责协助，主体责任在{who}，"
            f"所需经费和工作条件应由{who}保障。{basis}"
        )
    else:
        message = (
            f"在负面清单上（“{item.name}”），不应交给村(社区)办理。已记入减负台账（交办单位：{who}）；"
            f"村里可以向镇党政办反映，请{who}自行办理。{basis}"
        )
    return CheckOutcome(item.list_kind, item, hit.term, message)


@dataclass(frozen=True)
class CertificateAnswer:
    found: bool
    certificate: Certificate | None
    may_issue: bool
    message: str
    where_instead: str


def certificate_lookup(text: str) -> CertificateAnswer:
    """Can the village issue this certificate, and if not, where does the resident go instead."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("请写上您要开的证明，例如“无犯罪记录证明”或“居住证明”。"))
    certs = {c.pk: c for c in Certificate.objects.filter(is_active=True)}
    entries = [
        matcher.make_entry(key="cert", id=c.pk, name=c.name, keywords=c.keywords)
        for c in certs.values()
    ]
    hits = matcher.best_hits(text, entries)
    if not hits:
        return CertificateAnswer(
            False,
            None,
            False,
            f"没有查到“{text}”。村(社区)只能开具清单上的证明。请换个说法再查一次（比如只写“户口”“居住”），"
            "或者打电话问镇便民服务中心。",
            "",
        )
    cert = certs[hits[0].entry.id]
    if cert.village_may_issue:
        message = f"可以。村(社区)可以为您开具“{cert.name}”。{cert.conditions}"
    else:
        message = f"村(社区)不能开具“{cert.name}”。请这样办：{cert.where_instead}"
    return CertificateAnswer(True, cert, cert.village_may_issue, message, cert.where_instead)


# ---------------------------------------------------------------- list maintenance


_ITEM_FIELDS = ("list_kind", "name", "keywords", "legal_basis", "source", "note", "is_active")
_CERT_FIELDS = (
    "name",
    "keywords",
    "village_may_issue",
    "legal_basis",
    "where_instead",
    "conditions",
    "source",
    "is_active",
)


@transaction.atomic
def work_item_save(*, actor: Any, item: WorkItem | None = None, **values: Any) -> WorkItem:
    """Create or change one list entry (admins only); the list check reads the table live."""
    require(actor, "duties.manage")
    unknown = set(values) - set(_ITEM_FIELDS)
    if unknown:
        raise InvalidInput(_("不认识的字段：%(fields)s") % {"fields": join_list(sorted(unknown))})
    if values.get("list_kind", item.list_kind if item else "") not in ListKind.values:
        raise InvalidInput(_("请选择清单：依法履职事项、协助政府工作事项或负面清单。"))
    name = str(values.get("name", item.name if item else "")).strip()
    if not name:
        raise InvalidInput(_("请填写事项名称。"))
    values["name"] = name
    before = snapshot(item) if item else None
    obj = item or WorkItem()
    for k, v in values.items():
        setattr(obj, k, v)
    clash = WorkItem.objects.filter(list_kind=obj.list_kind, name=name).exclude(pk=obj.pk)
    if clash.exists():
        raise InvalidInput(_("这个清单里已经有“%(name)s”了，请直接修改那一条。") % {"name": name})
    obj.save()
    audit_record(
        actor=actor,
        action="duties.work_item.update" if item else "duties.work_item.create",
        target=obj,
        before=before,
        after=snapshot(obj),
    )
    return obj


@transaction.atomic
def certificate_save(*, actor: Any, cert: Certificate | None = None, **values: Any) -> Certificate:
    """Create or change one certificate entry; a refused one must say where to go instead."""
    require(actor, "duties.manage")
    unknown = set(values) - set(_CERT_FIELDS)
    if unknown:
        raise InvalidInput(_("不认识的字段：%(fields)s") % {"fields": join_list(sorted(unknown))})
    before = snapshot(cert) if cert else None
    obj = cert or Certificate()
    for k, v in values.items():
        setattr(obj, k, v.strip() if isinstance(v, str) else v)
    if not obj.name:
        raise InvalidInput(_("请填写证明名称。"))
    if not obj.village_may_issue and not obj.where_instead:
        raise InvalidInput(
            _("村里不能开的证明，请写清楚群众应该去哪里办（例如“到派出所户籍窗口”）。")
        )
    if Certificate.objects.filter(name=obj.name).exclude(pk=obj.pk).exists():
        raise InvalidInput(_("已经有“%(name)s”了，请直接修改那一条。") % {"name": obj.name})
    obj.save()
    audit_record(
        actor=actor,
        action="duties.certificate.update" if cert else "duties.certificate.create",
        target=obj,
        before=before,
        after=snapshot(obj),
    )
    return obj


# ---------------------------------------------------------------- tasks assigned to villages


@transaction.atomic
def village_task_register(
    *,
    actor: Any,
    org_unit: OrgUnit,
    issuer: str,
    title: str,
    detail: str = "",
    assigned_on: dt.date | None = None,
) -> VillageTask:
    """Register a task assigned to a village and check it; a flagged one goes to the ledger."""
    require(actor, "duties.register")
    scope_for(actor).require(org_unit)
    if not org_unit.is_village:
        raise InvalidInput(_("请选择接受任务的村或社区（不是乡镇或网格）。"))
    issuer = issuer.strip()
    title = title.strip()
    if len(issuer) > 200 or len(title) > 300:
        raise InvalidInput(
            _("交办单位或事项名称太长了。请把事项名称写短一些，详细要求写在“具体要求”里。")
        )
    if not issuer:
        raise InvalidInput(_("请写上交办单位，例如“县农业农村局”。"))
    if not title:
        raise InvalidInput(_("请写上交办的事项，例如“组织开展村庄环境卫生整治”。"))
    assigned_on = assigned_on or timezone.localdate()
    check_task_date(assigned_on)
    outcome = work_item_check(f"{title} {detail}".strip(), issuer)
    task = VillageTask.objects.create(
        org_unit=org_unit,
        issuer=issuer,
        title=title,
        detail=detail.strip(),
        assigned_on=assigned_on,
        result=outcome.list,
        matched_item=outcome.item,
        message=outcome.message,
        flagged=outcome.flagged,
        created_by=actor if isinstance(actor, User) else None,
    )
    audit_record(actor=actor, action="duties.task.register", target=task, after=snapshot(task))
    if task.flagged:
        label = "负面清单事项" if task.result == CheckResult.NEGATIVE else "清单外事项"
        ledger.record_finding(
            org_unit=org_unit,
            origin=ledger.ORIGIN_VILLAGE_ADMISSION,
            rule_code=f"VILLAGE_{task.result.upper()}",
            message=f"{issuer}向{org_unit.name}交办{label}：{title}",
            source=(outcome.item.legal_basis if outcome.item else "")
            or "《关于规范村级组织工作事务、机制牌子和证明事项的意见》：清单外事项须经准入",
            occurred_on=task.assigned_on,
            ref=f"duties.task:{task.pk}",
            issuer_name=issuer,
            kind="",
            actor=actor,
        )
    return task


# ---------------------------------------------------------------- 减负直通车 (feedback)


def township_of(unit: OrgUnit | None) -> OrgUnit | None:
    """The township a unit belongs to (the unit itself for a township)."""
    while unit is not None and unit.level != OrgLevel.TOWNSHIP:
        unit = unit.parent
    return unit


def new_answer_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def hash_answer_code(code: str) -> str:
    """Only this hash is stored; the code itself is shown once, at submission."""
    cleaned = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return hashlib.sha256(f"qz-feedback:{cleaned}".encode()).hexdigest()


_FEEDBACK_KIND_TO_DEMAND = {
    FeedbackKind.CHECKIN: "app",
    FeedbackKind.APP_GROUP: "app",
    FeedbackKind.REPEAT_FORM: "report",
    FeedbackKind.MEETING: "meeting",
    FeedbackKind.INSPECTION: "inspection",
}
# The fields safe to put in the audit log: nothing about who reported, not the code hash.
_FEEDBACK_AUDIT_FIELDS = [
    "org_unit",
    "anonymous",
    "reporter",
    "reporter_unit",
    "issuer",
    "kind",
    "occurred_on",
    "submitted_on",
    "status",
]


def _is_office_zip(evidence: UploadedFile[Any]) -> bool:
    """A .docx/.xlsx is a zip holding a Word document or a workbook; only the directory is read."""
    try:
        evidence.seek(0)
        with zipfile.ZipFile(evidence) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return False
    finally:
        evidence.seek(0)
    return bool({"word/document.xml", "xl/workbook.xml"} & names)


def _sniff_evidence(evidence: UploadedFile[Any]) -> str | None:
    """The kind of content the file really holds, from its bytes (the name is not trusted)."""
    evidence.seek(0)
    head = evidence.read(16)
    evidence.seek(0)
    if sniff_photo(head) in {"image/jpeg", "image/png", "image/webp"} or head.startswith(
        (b"GIF87a", b"GIF89a")
    ):
        return "image"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(OLE_MAGIC) or (head.startswith(ZIP_MAGIC) and _is_office_zip(evidence)):
        return "office"
    return None


def _check_evidence(evidence: UploadedFile[Any]) -> str:
    """Refuse evidence of the wrong type or size; return the kind its content was sniffed as."""
    name = (evidence.name or "").lower()
    if not name.endswith(EVIDENCE_EXTENSIONS):
        raise InvalidInput(_("佐证材料请上传照片（jpg、png）、PDF、Word 或 Excel 文件。"))
    if (evidence.size or 0) > EVIDENCE_MAX_BYTES:
        raise InvalidInput(_("佐证材料不能超过 10 MB。照片可以用手机截图或压缩后再传。"))
    expected = EVIDENCE_KINDS[name[name.rfind(".") :]]
    kind = _sniff_evidence(evidence)
    if kind is None or kind != expected:
        raise InvalidInput(
            _(
                "“%(name)s”的内容和它的文件类型对不上，不是真正的照片、PDF、Word 或 Excel 文件"
                "（只改文件名不行）。请重新截图、拍照，或换一个文件再传。"
            )
            % {"name": evidence.name}
        )
    return kind


def _without_metadata(evidence: UploadedFile[Any], kind: str) -> ContentFile[bytes]:
    """The evidence of an anonymous report, stripped of what names its sender: the GPS position
    and camera in a photo, the author and company in an Office or PDF file. A file that cannot
    be cleaned is refused, not stored as sent."""
    evidence.seek(0)
    try:
        return ContentFile(strip_metadata(evidence.read(), kind))
    except LegacyOffice as exc:
        raise InvalidInput(
            _(
                "匿名反映不能上传旧版 .doc、.xls 文件：这种文件里常记着作者和单位，系统去不掉。"
                "请在 WPS 或 Office 里另存为 .docx、.xlsx，或者截图后再传。"
            )
        ) from exc
    except CannotClean as exc:
        raise InvalidInput(
            _(
                "“%(name)s”读不出来，系统去不掉里面可能带有的个人信息（拍摄地点、作者等）。"
                "匿名反映请截图后再传，或者不传佐证材料。"
            )
            % {"name": evidence.name}
        ) from exc


@transaction.atomic
def feedback_submit(
    *,
    actor: Any,
    issuer: str,
    kind: str,
    occurred_on: dt.date,
    text: str,
    anonymous: bool,
    evidence: UploadedFile[Any] | None = None,
    code: str = "",
) -> tuple[FeedbackReport, str]:
    """Store a report of formalism and return it with its one-time answer code.

    Anonymous: no user, unit, address, session or browser is stored, the audit entry's actor is
    "anonymous", and the report goes to the reporter's township, not their village. The evidence
    file loses its metadata too (GPS and camera in photos, author and company in Office and PDF
    properties); a named report keeps the file as sent, since it already says who sent it.
    `code` fixes the answer code; only the demo/practice data uses it (printed codes to try).
    """
    require(actor, "duties.feedback")
    township = township_of(getattr(actor, "org_unit", None))
    if township is None:
        raise InvalidInput(
            _("您的账号没有归属到乡镇(街道)，无法提交。请联系镇党政办设置所属单位。")
        )
    issuer, text = issuer.strip(), text.strip()
    if not issuer:
        raise InvalidInput(_("请写上提出这个要求的单位，例如“县某某局”。不确定的可以写“不清楚”。"))
    if not text:
        raise InvalidInput(
            _("请写一写具体情况，例如“要求每天在群里拍照打卡”。可以用手机的语音输入。")
        )
    if len(issuer) > 200:
        raise InvalidInput(_("“提出要求的单位”太长了，请只写单位名称，具体情况写在下面的说明里。"))
    if kind not in FeedbackKind.values:
        raise InvalidInput(_("请选择问题类型；拿不准的选“其他”。"))
    check_feedback_date(occurred_on)
    stored: File[Any] | None = None
    if evidence is not None:
        content_kind = _check_evidence(evidence)
        stored = _without_metadata(evidence, content_kind) if anonymous else evidence
    code = code or new_answer_code()
    report = FeedbackReport(
        org_unit=township,
        anonymous=anonymous,
        reporter=None if anonymous else actor,
        reporter_unit=None if anonymous else actor.org_unit,
        issuer=issuer,
        kind=kind,
        occurred_on=occurred_on,
        text=text,
        submitted_on=timezone.localdate(),
        code_hash=hash_answer_code(code),
    )
    if evidence is not None and stored is not None:
        report.evidence.save(evidence.name or "evidence", stored, save=False)
    report.save()
    who = ANONYMOUS_ACTOR if anonymous else actor
    audit_record(
        actor=who,
        action="duties.feedback.submit",
        target=report,
        after=snapshot(report, fields=_FEEDBACK_AUDIT_FIELDS),
    )
    ledger.record_finding(
        org_unit=township,
        origin=ledger.ORIGIN_FEEDBACK,
        rule_code=f"FEEDBACK_{kind.upper()}",
        message=f"基层反映（{FeedbackKind(kind).label}）：{issuer}。{text[:200]}",
        source="减负直通车：基层干部反映",
        occurred_on=occurred_on,
        ref=f"duties.feedback:{report.pk}",
        issuer_name=issuer,
        kind=_FEEDBACK_KIND_TO_DEMAND.get(FeedbackKind(kind), ""),
        actor=who,
    )
    return report, code


@transaction.atomic
def feedback_answer(*, actor: Any, report: FeedbackReport, answer: str) -> FeedbackAnswer:
    """The township office answers a report; the reporter reads every answer with their code.

    A second answer is added after the first, never in its place: what the office once told
    the reporter stays on record, for the reporter and in the audit log. The report keeps the
    latest answer too, so its status and the "answered" constraint stay simple.
    """
    require(actor, "duties.manage")
    scope_for(actor).require(report.org_unit)
    answer = answer.strip()
    if not answer:
        raise InvalidInput(_("请写上答复内容，例如已经联系交办单位、取消了打卡要求。"))
    before = snapshot(report, fields=[*_FEEDBACK_AUDIT_FIELDS, "answer"])
    entry = FeedbackAnswer.objects.create(
        report=report,
        text=answer,
        answered_on=timezone.localdate(),
        answered_by=actor if isinstance(actor, User) else None,
    )
    report.answer = entry.text
    report.status = FeedbackStatus.ANSWERED
    report.answered_on = entry.answered_on
    report.answered_by = entry.answered_by
    report.save(update_fields=["answer", "status", "answered_on", "answered_by"])
    audit_record(
        actor=actor,
        action="duties.feedback.answer",
        target=report,
        before=before,
        after={
            **snapshot(report, fields=[*_FEEDBACK_AUDIT_FIELDS, "answer"]),
            "answer_id": entry.pk,
            "answers": report.answers.count(),
        },
    )
    return entry


# ---------------------------------------------------------------- walkthrough


@transaction.atomic
def walkthrough_mark_seen(*, user: User, seen: bool = True) -> None:
    """Remember that a user finished (or wants to replay) the first-time walkthrough."""
    if user.seen_walkthrough == seen:
        return
    user.seen_walkthrough = seen
    user.save(update_fields=["seen_walkthrough"])
    audit_record(
        actor=user,
        action="duties.walkthrough.seen" if seen else "duties.walkthrough.reset",
        target=user,
        after={"seen_walkthrough": seen},
    )
