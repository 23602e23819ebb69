"""The rule checker: a pure function from one demand (plus rule settings) to findings.

No database access, so `qz burden check` can run on a CSV without storing anything, and tests
can exercise each rule alone. Facts that need the database (is the form in the approved
catalogue? how many of its fields are already held?) are looked up by the caller and passed in
on the `DemandInput` as plain values; the checker never queries.

A finding's `message` is always the Chinese sentence (that is what `Finding` rows store, so
stored rows do not depend on who triggered the check). `display()` gives the same sentence in
the active language, for results shown without being stored (the batch check).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.utils import translation
from django.utils.translation import gettext, gettext_lazy, gettext_noop, ngettext_lazy

from qingzhuang.burden.workdays import calendar_known, workdays_between
from qingzhuang.i18n import pgettext

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

# Finding rows store the Chinese sentence whoever ran the check (the msgids are Chinese).
STORED_LANGUAGE = "zh-hans"

KINDS = ("report", "document", "meeting", "inspection", "app")

# Plain names for the banned app demands, so a finding says what kind of demand it is.
APP_CATEGORY = {
    "打卡": gettext_noop("强制打卡"),
    "签到": gettext_noop("强制签到"),
    "接龙": gettext_noop("群内打卡接龙"),
    "排名": gettext_noop("排名通报"),
    "积分": gettext_noop("积分排名"),
    "在线时长": gettext_noop("统计在线时长"),
    "学习时长": gettext_noop("以学习时长考评"),
    "截图": gettext_noop("截图留证"),
    "拍照": gettext_noop("拍照留痕"),
    "照片": gettext_noop("上传工作照片"),
    "视频": gettext_noop("上传视频"),
    "轨迹": gettext_noop("上传轨迹"),
    "留痕": gettext_noop("过度留痕"),
    "点赞": gettext_noop("以点赞量考评"),
    "转发量": gettext_noop("以转发量考评"),
    "投票数": gettext_noop("以投票数考评"),
    "定期登录": gettext_noop("强制定期登录"),
    "安装使用率": gettext_noop("考核安装使用率"),
}


@dataclass(frozen=True)
class RuleSetting:
    """One rule as the admin configured it (a copy of a Rule row, or a default)."""

    code: str
    title: str
    citation: str
    enabled: bool = True
    applies_to: str = ""  # a kind, or "" for every kind
    threshold: int | None = None
    threshold_alt: int | None = None
    keywords: tuple[str, ...] = ()
    exceptions: tuple[str, ...] = ()


@dataclass
class DemandInput:
    """What the checker needs to know about one demand; everything optional except kind."""

    kind: str
    title: str = ""
    issuer: str = ""
    received: date | None = None
    deadline: date | None = None
    chars: int | None = None
    asks_followup: bool = False
    specific_task: bool | None = None  # None: guess from the title
    duration_minutes: int | None = None
    covered_by_document: bool = False
    approval_code: str = ""
    demand_text: str = ""
    # Filled in by the caller from the database (None = unknown, the rule stays quiet).
    form_admitted: bool | None = None
    fields_total: int = 0
    fields_held: int = 0
    held_labels: list[str] = field(default_factory=list)
    # Inspections by the same issuer in the same year before this one (ledger + batch).
    prior_inspections: int = 0


@dataclass(frozen=True)
class Words:
    """A list inside a finding: joined with 、 in Chinese, with the locale's separator when shown.

    `translate` is for words from the code (APP_CATEGORY); names typed by people stay as typed.
    """

    items: tuple[str, ...]
    translate: bool = False

    def __str__(self) -> str:
        return "、".join(self.items)

    def display(self) -> str:
        sep = pgettext("punctuation", "、")
        return sep.join(gettext(w) if self.translate else w for w in self.items)


Param = str | int | Words


@dataclass(frozen=True)
class FindingOut:
    rule: str
    message: str  # the Chinese sentence, as stored on Finding rows
    source: str
    # How `message` was made (a lazy msgid and its values), to show it in another language.
    template: _StrPromise | None = field(default=None, compare=False, hash=False)
    params: Mapping[str, Param] = field(default_factory=dict, compare=False, hash=False)

    def display(self) -> str:
        """The message in the active language (Chinese unless the user chose another)."""
        if self.template is None:
            return self.message
        shown = {k: v.display() if isinstance(v, Words) else v for k, v in self.params.items()}
        return str(self.template % shown)

    def as_dict(self) -> dict[str, str]:
        """For results shown at once and not stored (the batch check), so in the active language."""
        return {"rule": self.rule, "message": self.display(), "source": self.source}


def _finding(r: RuleSetting, template: _StrPromise, **params: Param) -> FindingOut:
    """A finding from a lazy msgid: `message` in Chinese for storage, `display()` for showing."""
    chinese = {k: str(v) if isinstance(v, Words) else v for k, v in params.items()}
    with translation.override(STORED_LANGUAGE):
        message = str(template % chinese)
    return FindingOut(r.code, message, r.citation, template, params)


def split_words(text: str) -> tuple[str, ...]:
    """Keywords are stored as one comma/、/newline separated string."""
    for sep in ("，", "、", "\n", ";", "；"):
        text = text.replace(sep, ",")
    return tuple(w.strip() for w in text.split(",") if w.strip())


def is_specific_task(demand: DemandInput, rule: RuleSetting) -> bool:
    if demand.specific_task is not None:
        return demand.specific_task
    return any(word in demand.title for word in rule.keywords)


def _deadline(d: DemandInput, r: RuleSetting) -> FindingOut | None:
    if d.received is None or d.deadline is None or r.threshold is None:
        return None
    days = workdays_between(d.received, d.deadline)
    if days >= r.threshold:
        return None
    if calendar_known(d.deadline):
        template = ngettext_lazy(
            "从%(received)s收到到%(deadline)s截止只有%(days)s个工作日，少于%(limit)s个工作日。",
            "从%(received)s收到到%(deadline)s截止只有%(days)s个工作日，少于%(limit)s个工作日。",
            "days",
        )
    else:
        template = ngettext_lazy(
            "从%(received)s收到到%(deadline)s截止只有%(days)s个工作日，少于%(limit)s个工作日"
            "（该年度放假安排未公布，按周一至周五计算）。",
            "从%(received)s收到到%(deadline)s截止只有%(days)s个工作日，少于%(limit)s个工作日"
            "（该年度放假安排未公布，按周一至周五计算）。",
            "days",
        )
    return _finding(
        r,
        template,
        received=f"{d.received:%Y-%m-%d}",
        deadline=f"{d.deadline:%Y-%m-%d}",
        days=days,
        limit=r.threshold,
    )


def _doc_length(d: DemandInput, r: RuleSetting) -> FindingOut | None:
    if d.chars is None or r.threshold is None:
        return None
    specific = is_specific_task(d, r) and r.threshold_alt is not None
    limit = r.threshold_alt if specific and r.threshold_alt is not None else r.threshold
    if d.chars <= limit:
        return None
    template = (
        gettext_lazy("部署专项工作或具体任务的文件共%(chars)s字，超过%(limit)s字的上限。")
        if specific
        else gettext_lazy("文件共%(chars)s字，超过%(limit)s字的上限。")
    )
    return _finding(r, template, chars=d.chars, limit=limit)


def _doc_followup(d: DemandInput, r: RuleSetting) -> FindingOut | None:
    if not d.asks_followup:
        return None
    return _finding(r, gettext_lazy("文件要求乡镇再制定配套文件或另报材料，属于以文件落实文件。"))


def _meeting_long(d: DemandInput, r: RuleSetting) -> FindingOut | None:
    if d.duration_minutes is None or r.threshold is None or d.duration_minutes <= r.threshold:
        return None
    return _finding(
        r,
        gettext_lazy("会议时长%(minutes)s分钟，超过%(limit)s分钟的上限。"),
        minutes=d.duration_minutes,
        limit=r.threshold,
    )


def _meeting_covered(d: DemandInput, r: RuleSetting) -> FindingOut | None:
    if not d.covered_by_document:
        return None
    return _finding(r, gettext_lazy("会议内容已有文件部署，可不再开会。"))


def _inspection_no_code(d: DemandInput, r: RuleSetting) -> FindingOut | None:
    if d.approval_code.strip():
        return None
    return _finding(r, gettext_lazy("督查检查考核没有审批编码（一事一码），请核实是否已报批。"))


def _inspection_over_plan(d: DemandInput, r: RuleSetting) -> FindingOut | None:
    if r.threshold is None or any(w in d.title for w in r.exceptions):
        return None
    nth = d.prior_inspections + 1
    if nth <= r.threshold:
        return None
    if d.issuer:
        template = gettext_lazy(
            "%(issuer)s本年度第%(nth)s次到本镇督查检查考核，超出年度计划的%(limit)s次。"
        )
        return _finding(r, template, issuer=d.issuer, nth=nth, limit=r.threshold)
    template = gettext_lazy(
        "同一部门本年度第%(nth)s次到本镇督查检查考核，超出年度计划的%(limit)s次。"
    )
    return _finding(r, template, nth=nth, limit=r.threshold)


def _app_banned(d: DemandInput, r: RuleSetting) -> FindingOut | None:
    text = f"{d.title} {d.demand_text}"
    if any(w in text for w in r.exceptions):
        return None
    hits = [w for w in r.keywords if w in text]
    if not hits:
        return None
    names = tuple(dict.fromkeys(APP_CATEGORY.get(w, w) for w in hits))
    template = ngettext_lazy(
        "要求包含禁止的做法：%(names)s。", "要求包含禁止的做法：%(names)s。", "n"
    )
    return _finding(r, template, n=len(names), names=Words(names, translate=True))


def _form_not_admitted(d: DemandInput, r: RuleSetting) -> FindingOut | None:
    if d.form_admitted is not False:
        return None
    return _finding(r, gettext_lazy("该报表不在本年度准入目录中，未经准入审查。"))


def _form_data_held(d: DemandInput, r: RuleSetting) -> FindingOut | None:
    if d.fields_total <= 0 or d.fields_held <= 0:
        return None
    pct = round(100 * d.fields_held / d.fields_total)
    if pct <= (r.threshold or 0):
        return None
    if len(d.held_labels) > 5:
        template = ngettext_lazy(
            "%(total)s项中有%(held)s项（%(pct)s%%）数据库已有，可直接取用：%(sample)s等。",
            "%(total)s项中有%(held)s项（%(pct)s%%）数据库已有，可直接取用：%(sample)s等。",
            "held",
        )
    else:
        template = ngettext_lazy(
            "%(total)s项中有%(held)s项（%(pct)s%%）数据库已有，可直接取用：%(sample)s。",
            "%(total)s项中有%(held)s项（%(pct)s%%）数据库已有，可直接取用：%(sample)s。",
            "held",
        )
    return _finding(
        r,
        template,
        total=d.fields_total,
        held=d.fields_held,
        pct=pct,
        sample=Words(tuple(d.held_labels[:5])),
    )


CHECKS = {
    "DEADLINE_SHORT": _deadline,
    "DOC_LENGTH": _doc_length,
    "DOC_FOLLOWUP": _doc_followup,
    "MEETING_LONG": _meeting_long,
    "MEETING_COVERED": _meeting_covered,
    "INSPECTION_NO_CODE": _inspection_no_code,
    "INSPECTION_OVER_PLAN": _inspection_over_plan,
    "APP_BANNED": _app_banned,
    "FORM_NOT_ADMITTED": _form_not_admitted,
    "FORM_DATA_HELD": _form_data_held,
}


def check_demand(demand: DemandInput, rules: Iterable[RuleSetting]) -> list[FindingOut]:
    """Every finding for one demand, in rule order. Unknown rule codes are skipped."""
    out: list[FindingOut] = []
    for rule in rules:
        if not rule.enabled or (rule.applies_to and rule.applies_to != demand.kind):
            continue
        check = CHECKS.get(rule.code)
        if check is None:
            continue
        finding = check(demand, rule)
        if finding is not None:
            out.append(finding)
    return out


def count_prior_inspections(
    demands: Iterable[DemandInput], ledger: Mapping[tuple[str, int], int] | None = None
) -> None:
    """Set `prior_inspections` on each inspection, counting the ledger and earlier batch rows.

    Rows are counted in date order, so the third inspection of a year is the one flagged
    whatever the row order in the file.
    """
    counts: dict[tuple[str, int], int] = dict(ledger or {})
    items = [d for d in demands if d.kind == "inspection" and d.received is not None]
    items.sort(key=lambda d: d.received or date.min)
    for d in items:
        key = (d.issuer, (d.received or date.min).year)
        d.prior_inspections = counts.get(key, 0)
        counts[key] = d.prior_inspections + 1


def default_settings() -> list[RuleSetting]:
    from qingzhuang.burden.default_rules import DEFAULT_RULES

    return [setting_from_dict(r) for r in DEFAULT_RULES]


def setting_from_dict(r: Mapping[str, object]) -> RuleSetting:
    def _int(v: object) -> int | None:
        return int(v) if isinstance(v, int | str) and str(v) != "" else None

    return RuleSetting(
        code=str(r["code"]),
        title=str(r.get("title", "")),
        citation=str(r.get("citation", "")),
        enabled=bool(r.get("enabled", True)),
        applies_to=str(r.get("applies_to", "") or ""),
        threshold=_int(r.get("threshold")),
        threshold_alt=_int(r.get("threshold_alt")),
        keywords=split_words(str(r.get("keywords", "") or "")),
        exceptions=split_words(str(r.get("exceptions", "") or "")),
    )
