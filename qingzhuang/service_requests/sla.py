"""Time limits (办理时限): working-day clocks, the SLA table and the deadlines it gives an order.

Public holidays and make-up workdays (调休) come from chinesecalendar; for a year it does not
cover yet, the fixed-date statutory holidays are days off and admins are warned. The table is
cached per process and written only through `sla_policy_save`.
"""

from __future__ import annotations

import datetime as dt
import time
from functools import lru_cache
from typing import Any

import chinese_calendar
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from qingzhuang.audit.services import audit_record, snapshot
from qingzhuang.core.errors import InvalidInput
from qingzhuang.i18n import join_list
from qingzhuang.org.roles import require
from qingzhuang.service_requests.models import RequestType, SlaPolicy

# Statutory holidays on fixed dates (《全国年节及纪念日放假办法》, as revised in 2024): 元旦 1 Jan,
# 劳动节 1–2 May, 国庆节 1–3 Oct; 清明节 is the day of the Qingming solar term. They stand in
# only for a year whose schedule chinesecalendar does not have yet: the lunar holidays (春节,
# 端午, 中秋) and the make-up workdays are known only once the State Council publishes them.
FIXED_HOLIDAYS = frozenset({(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)})

# How far ahead admins are told that a year's schedule is missing, at the least: a month to
# install the new chinesecalendar before the first deadline falls in that year.
CALENDAR_NOTICE_DAYS = 31


@lru_cache(maxsize=4096)
def is_workday(day: dt.date) -> bool:
    """Official working day; outside the years the package knows, Monday–Friday less the
    fixed-date statutory holidays (see `holiday_calendar_warning`)."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5 and not _fixed_holiday(day)


def _fixed_holiday(day: dt.date) -> bool:
    return (day.month, day.day) in FIXED_HOLIDAYS or day == _qingming(day.year)


@lru_cache(maxsize=64)
def _qingming(year: int) -> dt.date | None:
    try:
        terms = chinese_calendar.get_solar_terms(dt.date(year, 4, 1), dt.date(year, 4, 10))
    except NotImplementedError:  # the solar terms are computed for 1900–2100
        return None
    return next((day for day, name in terms if name == "清明"), None)


def calendar_covers(year: int) -> bool:
    """Whether chinesecalendar has the State Council's holiday schedule for `year`."""
    try:
        chinese_calendar.is_workday(dt.date(year, 7, 1))
    except NotImplementedError:
        return False
    return True


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """The end (23:59:59 local time) of the `days`-th working day after `start`'s date.

    A request made on a holiday starts its clock on the next working day, so it is never
    charged for days the office is closed; make-up workdays (调休上班) count.
    """
    local = timezone.localtime(start)
    day = local.date()
    counted = 0
    while counted < max(days, 0):
        day += dt.timedelta(days=1)
        if is_workday(day):
            counted += 1
    if days <= 0 and not is_workday(day):
        while not is_workday(day):
            day += dt.timedelta(days=1)
    end = dt.datetime.combine(day, dt.time(23, 59, 59))
    return timezone.make_aware(end, timezone.get_current_timezone())


def working_days_left(now: dt.datetime, due: dt.datetime) -> int:
    """Working days from now's date up to due's date (0 = due today, negative = overdue)."""
    a = timezone.localtime(now).date()
    b = timezone.localtime(due).date()
    if b < a:
        return -1
    count = 0
    day = a
    while day < b:
        day += dt.timedelta(days=1)
        if is_workday(day):
            count += 1
    return count


def holiday_calendar_missing(*, now: dt.datetime | None = None) -> list[int]:
    """Years without a holiday schedule that deadlines set now can reach.

    That is up to the deadline of a request received now under the longest resolution limit
    of the SLA table, and at least CALENDAR_NOTICE_DAYS ahead.
    """
    now = now or timezone.now()
    longest = SlaPolicy.objects.aggregate(days=Max("resolution_days"))["days"] or 10
    today = timezone.localtime(now).date()
    last = max(
        timezone.localtime(add_working_days(now, longest)).date(),
        today + dt.timedelta(days=CALENDAR_NOTICE_DAYS),
    )
    return [year for year in range(today.year, last.year + 1) if not calendar_covers(year)]


def holiday_calendar_warning(*, now: dt.datetime | None = None) -> str:
    """The sentence for township admins when a year's holiday schedule is missing, else ""."""
    years = holiday_calendar_missing(now=now)
    if not years:
        return ""
    return _(
        "系统的节假日数据还没有 %(years)s 年的放假安排：这一年的办理时限暂按周一至周五计算，"
        "只扣除元旦、清明节、劳动节和国庆节这几个日期固定的假日，春节、端午节、中秋节和调休上班日"
        "都没有算进去。请联系系统维护人员升级节假日数据（chinesecalendar）。"
    ) % {"years": join_list(str(y) for y in years)}


# ---- the SLA table (办理时限) --------------------------------------------------------------


_sla_cache: dict[str, Any] = {"at": -1e9, "days": {}}
SLA_TTL = 30.0


def sla_days(request_type: str) -> tuple[int, int]:
    """(response, resolution) working days from the SLA table, cached per process briefly."""
    now = time.monotonic()
    if now - _sla_cache["at"] > SLA_TTL:
        _sla_cache["days"] = {
            p.request_type: (p.response_days, p.resolution_days) for p in SlaPolicy.objects.all()
        }
        _sla_cache["at"] = now
    return _sla_cache["days"].get(request_type, (1, 10))  # type: ignore[no-any-return]


def sla_cache_clear() -> None:
    _sla_cache["at"] = -1e9


def sla_deadlines(*, request_type: str, start: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    response_days, resolution_days = sla_days(request_type)
    return add_working_days(start, response_days), add_working_days(start, resolution_days)


SLA_MAX_DAYS = 120  # longer than any legal processing limit for a resident request


@transaction.atomic
def sla_policy_save(
    *,
    acting_user: Any,
    request_type: str,
    response_days: int,
    resolution_days: int,
    remind_before_days: int,
) -> SlaPolicy:
    """Set the working-day limits of one request type. New work orders use them; orders already
    open keep the deadlines they were given (a resident was told them)."""
    require(acting_user, "requests.dispatch")
    if request_type not in RequestType.values:
        raise InvalidInput(_("没有“%(type)s”这种诉求类型。") % {"type": request_type})
    if not 1 <= response_days <= SLA_MAX_DAYS or not 1 <= resolution_days <= SLA_MAX_DAYS:
        raise InvalidInput(
            _("响应和办结时限要在 1 到 %(max)s 个工作日之间。") % {"max": SLA_MAX_DAYS}
        )
    if resolution_days < response_days:
        raise InvalidInput(_("办结时限不能短于响应时限。"))
    if not 0 <= remind_before_days < resolution_days:
        raise InvalidInput(_("提前提醒的天数要小于办结时限（0 表示到期当天才提醒）。"))
    policy = SlaPolicy.objects.select_for_update().filter(request_type=request_type).first()
    before = snapshot(policy) if policy else None
    policy = policy or SlaPolicy(request_type=request_type)
    policy.response_days = response_days
    policy.resolution_days = resolution_days
    policy.remind_before_days = remind_before_days
    policy.save()
    sla_cache_clear()  # this process at once, and again after commit (another thread may reload)
    transaction.on_commit(sla_cache_clear)
    audit_record(
        actor=acting_user,
        action="service_requests.sla_policy.save",
        target=policy,
        before=before,
        after=snapshot(policy),
    )
    return policy
