"""Demo data for 接诉即办: a duty list, ~240 requests in every state with timelines and callbacks
(through the real services), and `qz demo --requests N` bulk generation (tops up to N generated
requests, committed per batch, one audit entry per run; see `generate`)."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import queue
import random
import threading
import time
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from qingzhuang.audit.services import audit_record
from qingzhuang.core.demo import DemoContext
from qingzhuang.service_requests import services
from qingzhuang.service_requests.bulk import ensure_indexes
from qingzhuang.service_requests.demo_texts import GROUPS, PLACES, RESOLUTIONS, TEMPLATES, WHO
from qingzhuang.service_requests.models import (
    TRACKING_ALPHABET,
    TRACKING_LENGTH,
    Callback,
    CallbackChannel,
    Channel,
    DutyRule,
    RequestType,
    ServiceRequest,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderState,
    hash_phone,
)
from qingzhuang.service_requests.sla import add_working_days

CURATED = 240
S = WorkOrderState


def _text(rng: random.Random, template: str) -> str:
    return template.format(
        组=rng.choice(GROUPS), 地=rng.choice(PLACES), 天=rng.randint(2, 9), 人=rng.choice(WHO)
    )


def _duty_rules(ctx: DemoContext) -> None:
    admin = ctx.users["admin"]
    depts = ctx.extra.get("departments", {})
    town = ctx.township
    rules: list[dict[str, Any]] = [
        {"category": "环境卫生", "lead_office": "村保洁队"},
        {"category": "道路交通", "lead_unit": town, "lead_office": "镇村镇建设办"},
        {"category": "供水供电", "lead_unit": town, "lead_office": "镇水务站"},
        {"category": "农业农村", "lead_unit": town, "lead_office": "镇农业服务中心"},
        {"category": "社会保障", "lead_office": "村民政协理员"},
        {"category": "住房建设", "lead_unit": town, "lead_office": "镇自然资源和规划所"},
        {"category": "邻里纠纷", "lead_office": "村调解委员会"},
        {"category": "治安消防", "lead_unit": town, "lead_office": "镇综治中心"},
        {"category": "表扬", "lead_office": "村两委"},
    ]
    if "示范县卫生健康局" in depts:
        rules.append(
            {
                "category": "医疗卫生",
                "referred_up": True,
                "department": depts["示范县卫生健康局"],
                "reason": "乡村医生执业与卫生室管理属县卫生健康局职责",
            }
        )
    if "示范县生态环境局" in depts:
        rules.append(
            {
                "category": "生态环境",
                "referred_up": True,
                "department": depts["示范县生态环境局"],
                "reason": "企业排污执法属县生态环境局（权责清单第12条）",
            }
        )
    for r in rules:
        if not DutyRule.objects.filter(category=r["category"], area__isnull=True).exists():
            services.duty_rule_save(acting_user=admin, new_category=True, **r)
    # a village-specific rule: 新华社区's sanitation is handled by the township's contractor
    xinhua = next((v for v in ctx.villages if v.name == "新华社区"), None)
    if xinhua and not DutyRule.objects.filter(category="环境卫生", area=xinhua).exists():
        services.duty_rule_save(
            acting_user=admin,
            category="环境卫生",
            area=xinhua,
            lead_unit=town,
            lead_office="镇环卫所（物业外包）",
            assisting_units=[xinhua],
        )


def _handler_for(ctx: DemoContext, unit: Any) -> Any:
    for key in ("qingshan", "shiqiao", "xinhua"):
        user = ctx.users.get(key)
        if user is not None and user.org_unit_id == unit.pk:
            return user
    return ctx.users["admin"]


def _shift_history(order: WorkOrder, created: dt.datetime, rng: random.Random) -> None:
    """Demo only: spread the timeline the services just wrote over the days after `created`."""
    at = created
    stamps: dict[str, dt.datetime] = {}
    events = list(order.events.order_by("id"))
    # never beyond "now": young requests get their steps squeezed into the time they have had
    room = (timezone.now() - created).total_seconds() / 3600 / max(len(events), 1)
    for event in events:
        if event.action != "submit":
            at = at + dt.timedelta(hours=min(rng.randint(2, 40), room * rng.uniform(0.3, 0.9)))
        WorkOrderEvent.objects.filter(pk=event.pk).update(at=at)
        stamps.setdefault(event.action, at)
        stamps[event.action + "_last"] = at
    fields = {
        "dispatch": "dispatched_at",
        "accept": "accepted_at",
        "start": "started_at",
        "resolve": "resolved_at",
        "close": "closed_at",
    }
    update: dict[str, Any] = {
        f: stamps[a + "_last"] for a, f in fields.items() if getattr(order, f) and a in stamps
    }
    update["created_at"] = created
    now = timezone.now()
    if order.accepted_at and order.response_due_at:
        update["overdue_response"] = update.get("accepted_at", now) > order.response_due_at
    if order.resolution_due_at:
        update["overdue_resolution"] = update.get("resolved_at", now) > order.resolution_due_at
    WorkOrder.objects.filter(pk=order.pk).update(**update)
    Callback.objects.filter(order=order, answered_at__isnull=False).update(
        created_at=at, answered_at=at
    )
    Callback.objects.filter(order=order, answered_at__isnull=True).update(created_at=at)


# Outcomes that leave a curated request open (in the order the demo cycles through them), and
# how old an open one may be.
STILL_OPEN = (
    "resolved",
    "in_progress",
    "accepted",
    "dispatched",
    "received",
    "returned",
    "reopened",
    "escalated",
)
OPEN_AT_MOST_DAYS = 16


def _curated(ctx: DemoContext) -> None:
    if ServiceRequest.objects.filter(idempotency_key__contains=":demo:").exists():
        return
    rng = random.Random(20260301)  # noqa: S311 - demo data, not security
    admin = ctx.users["admin"]
    categories = list(TEMPLATES)
    now = timezone.now()
    outcomes = ["closed"] * 18 + ["callback_bad", *STILL_OPEN, "unreasonable"]
    for i in range(CURATED):
        category = rng.choice(categories)
        rtype, template = rng.choice(TEMPLATES[category])
        unit = rng.choice(ctx.villages)
        created = now - dt.timedelta(days=rng.uniform(0.2, 150), hours=rng.randint(0, 12))
        outcome = (
            outcomes[i % len(outcomes)]
            if created < now - dt.timedelta(days=5)
            else rng.choice(["received", "dispatched", "accepted", "in_progress"])
        )
        if outcome in STILL_OPEN and created < now - dt.timedelta(days=OPEN_AT_MOST_DAYS):
            # A working township clears its backlog: what is still open came in recently,
            # so the inbox shows a few overdue orders, not months-old ones.
            age = (now - created).total_seconds() / 86400
            created = now - dt.timedelta(days=0.2 + age % OPEN_AT_MOST_DAYS)
        phone = f"13{rng.randint(100000000, 999999999)}" if rng.random() < 0.8 else ""
        result = services.request_submit(
            org_unit=unit,
            request_type=rtype,
            text=_text(rng, template),
            channel=rng.choice(
                [Channel.WEB] * 4
                + [Channel.PHONE, Channel.WALK_IN, Channel.HOTLINE_12345, Channel.WECHAT]
            ),
            actor="demo",
            resident_phone=phone,
            resident_name=rng.choice(["王", "李", "张", "刘", "陈"])
            + rng.choice(["大爷", "阿姨", "先生", "女士"]),
            category=category,
            idempotency_key=f"demo:{i}",
            created_at=created,
        )
        order = WorkOrder.objects.select_related("org_unit", "request").get(request=result.request)
        _walk(order, outcome, admin, _handler_for(ctx, order.org_unit), category, rng)
        order.refresh_from_db()
        _shift_history(order, created, rng)


def _curated_signals(ctx: DemoContext) -> None:
    """A few cases the 异常信号 page exists to catch, so a new user sees each signal once.

    石桥村 calls its residents back minutes after closing and always hears 满意; one 满意 comes
    with a comment saying nothing was done, and one 不满意 is clearly a mis-keyed rating; a
    cadre's own phone number files and rates five orders in 桃园村; a resident told the callback
    a leak was 解决 and reported it again a week later. All through the real services; only the
    timestamps are moved afterwards, as `_curated` does.
    """
    if ServiceRequest.objects.filter(idempotency_key__startswith="web:demo-signal:").exists():
        return
    rng = random.Random(20261127)  # noqa: S311 - demo data, not security
    admin = ctx.users["admin"]
    by_name = {v.name: v for v in ctx.villages}
    shiqiao = by_name.get("石桥村") or ctx.villages[0]
    taoyuan = by_name.get("桃园村") or ctx.villages[-1]
    now = timezone.now()
    seq = iter(range(1000))

    def case(
        unit: Any,
        category: str,
        *,
        days_ago: float,
        phone: str,
        satisfaction: str = "satisfied",
        resolved: str = "solved",
        comment: str = "",
        callback_minutes: float | None = None,
        text: str = "",
    ) -> WorkOrder:
        created = now - dt.timedelta(days=days_ago)
        rtype, template = rng.choice(TEMPLATES[category])
        result = services.request_submit(
            org_unit=unit,
            request_type=rtype,
            text=text or _text(rng, template),
            channel=Channel.WEB,
            actor="demo",
            resident_phone=phone,
            resident_name=rng.choice(["王", "李", "张", "刘", "陈"]) + "先生",
            category=category,
            idempotency_key=f"demo-signal:{next(seq)}",
            created_at=created,
        )
        order = WorkOrder.objects.select_related("org_unit", "request").get(request=result.request)
        handler = admin if order.org_unit.level == "township" else _handler_for(ctx, unit)
        order = services.work_order_dispatch(order=order, acting_user=admin)
        order = services.work_order_accept(order=order, acting_user=handler)
        order = services.work_order_start(order=order, acting_user=handler)
        order = services.work_order_resolve(
            order=order, note=RESOLUTIONS.get(category, "已办理。"), acting_user=handler
        )
        services.callback_record_phone(
            order=order,
            resolved=resolved,
            satisfaction=satisfaction,
            comment=comment,
            acting_user=admin,
        )
        order.refresh_from_db()
        if order.state == S.CALLBACK:
            order = services.work_order_close(order=order, acting_user=admin, note="已向群众解释")
        _shift_history(order, created, rng)
        order.refresh_from_db()
        if callback_minutes is not None and order.resolved_at is not None:
            answered = order.resolved_at + dt.timedelta(minutes=callback_minutes)
            Callback.objects.filter(order=order).update(created_at=answered, answered_at=answered)
            order.events.filter(action__in=["callback", "callback_answer", "close"]).update(
                at=answered
            )
            WorkOrder.objects.filter(pk=order.pk).update(closed_at=answered)
        return order

    # 石桥村: every callback within minutes of closing, every one 满意
    for i, minutes in enumerate((2, 3, 5, 4)):
        case(
            shiqiao,
            "环境卫生",
            days_ago=2 + i * 1.5,
            phone=f"1380000{4100 + i}",
            callback_minutes=minutes,
        )
    # rating and comment contradict each other
    case(
        shiqiao,
        "邻里纠纷",
        days_ago=3.5,
        phone="13800004201",
        comment="根本没人来处理，打电话就让我说满意，问题还在",
    )
    case(
        taoyuan,
        "社会保障",
        days_ago=4.5,
        phone="13800004202",
        satisfaction="dissatisfied",
        comment="师傅来得很及时，修得很好，非常感谢",
    )
    # one number (a cadre's own phone) files and rates five orders
    for i, category in enumerate(("环境卫生", "社会保障", "邻里纠纷", "农业农村", "表扬")):
        case(taoyuan, category, days_ago=1.5 + i * 1.2, phone="13900001234")
    # told the callback it was solved, reported the same problem again a week later
    leak = "村东头自来水管破裂漏水好几天了，路面都被泡坏了，请尽快派人维修。"
    first = case(shiqiao, "供水供电", days_ago=12, phone="13800004301", text=leak)
    services.request_submit(
        org_unit=shiqiao,
        request_type=RequestType.HELP,
        text="村东头水管上周说修好了，现在又在漏水，路面还是泡着，请再派人来看看。",
        channel=Channel.PHONE,
        actor="demo",
        resident_phone="13800004301",
        category=first.request.category,
        idempotency_key=f"demo-signal:{next(seq)}",
        created_at=now - dt.timedelta(days=4),
    )


def _walk(
    order: WorkOrder, outcome: str, admin: Any, handler: Any, category: str, rng: random.Random
) -> None:
    if order.referred_up and outcome not in ("received",):
        order = services.work_order_refer(
            order=order,
            department=order.referred_department,  # type: ignore[arg-type]
            reason=order.referral_reason or "属县级部门职责",
            acting_user=admin,
        )
        if outcome == "closed":
            order = services.work_order_close(order=order, acting_user=admin, note="县级部门已答复")
        return
    if outcome == "received":
        return
    if order.org_unit.level == "township":
        handler = admin
    if outcome == "returned":
        order = services.work_order_dispatch(order=order, acting_user=admin)
        order = services.work_order_return(
            order=order, reason="经核实不属于本村职责，请改派镇相关站所", acting_user=handler
        )
        return
    order = services.work_order_dispatch(order=order, acting_user=admin)
    if outcome == "dispatched":
        return
    if outcome == "escalated":
        order = services.work_order_escalate(
            order=order, note="群众多次来电催办", acting_user=admin
        )
    order = services.work_order_accept(order=order, acting_user=handler)
    if outcome in ("accepted", "escalated"):
        return
    order = services.work_order_start(order=order, acting_user=handler)
    if outcome == "in_progress":
        return
    if outcome == "unreasonable":
        order = services.request_mark_unreasonable(
            order=order,
            reason="诉求人要求村集体承担其私人房屋装修费用，不属于公共服务范围",
            acting_user=handler if handler != admin else admin,
        )
        if handler != admin:
            order = services.request_unreasonable_review(
                order=order, approve=True, acting_user=admin
            )
        return
    order = services.work_order_resolve(
        order=order, note=RESOLUTIONS.get(category, "已办理。"), acting_user=handler
    )
    if outcome == "resolved":
        return
    if outcome in ("callback_bad", "reopened"):
        services.callback_record_phone(
            order=order,
            resolved="unsolved",
            satisfaction="dissatisfied",
            comment="问题还在，没有真正解决",
            acting_user=admin,
        )
        order.refresh_from_db()
        if outcome == "reopened":
            order = services.work_order_reopen(
                order=order, reason="回访群众表示未解决", acting_user=admin
            )
            order = services.work_order_accept(order=order, acting_user=handler)
        return
    resolved = rng.choices(["solved", "partly"], [9, 1])[0]
    satisfaction = rng.choices(["satisfied", "fairly", "dissatisfied"], [8, 2, 1])[0]
    services.callback_record_phone(
        order=order, resolved=resolved, satisfaction=satisfaction, comment="", acting_user=admin
    )
    order.refresh_from_db()
    if order.state == S.CALLBACK:
        order = services.work_order_close(order=order, acting_user=admin, note="已向群众解释")


# ---- bulk generation (qz demo --requests N) ------------------------------------------------
#
# Semantics: `--requests N` TOPS UP the generated requests to N (idempotency keys
# "demo-bulk:<10-digit sequence>"): running the same command twice adds nothing the second time,
# a larger N adds the difference, and an interrupted run is finished by running it again.
# Rows are committed per batch of BATCH requests (each request with its work order and callback
# in the same batch, so every commit is consistent); the run records one audit entry, written
# with the first batch so that no committed generated row is ever without its audit record.

BULK_PREFIX = "demo-bulk:"
BULK_SEED = 20260301
BATCH = 50_000
YEAR_SECONDS = 365 * 86400
_SPACE = len(TRACKING_ALPHABET) ** TRACKING_LENGTH
_MUL = 0x2545F4914F6CDD1D % _SPACE  # coprime with 31: (MUL*seq + ADD) mod 31^8 is a bijection
_ADD = 0x1B873593C2B2AE35 % _SPACE
_PAIRS = [a + b for a in TRACKING_ALPHABET for b in TRACKING_ALPHABET]
_P = len(_PAIRS)


def bulk_tracking_code(seq: int) -> str:
    """The tracking code of generated request number `seq`: a fixed bijection of the sequence
    number onto the 31^8 codes, so generated codes never clash with each other (no query)."""
    x = (_MUL * seq + _ADD) % _SPACE
    x, d = divmod(x, _P)
    x, c = divmod(x, _P)
    a, b = divmod(x, _P)
    return _PAIRS[a] + _PAIRS[b] + _PAIRS[c] + _PAIRS[d]


def _bulk_code(seq: int, taken: set[str]) -> str:
    code = bulk_tracking_code(seq)
    if code in taken:  # a random code of a real/curated request: use the mirrored number
        code = bulk_tracking_code(_SPACE - 1 - seq)  # never a generated one (seq < _SPACE / 2)
        if code in taken:
            raise RuntimeError(f"tracking code clash at {seq}")
    return code


def _bulk_range() -> tuple[str, str]:
    # a key range (uses the unique index) rather than LIKE
    return BULK_PREFIX, BULK_PREFIX[:-1] + chr(ord(BULK_PREFIX[-1]) + 1)


def bulk_count() -> tuple[int, int]:
    """(generated requests stored, next sequence number)."""
    lo, hi = _bulk_range()
    qs = ServiceRequest.objects.filter(idempotency_key__gte=lo, idempotency_key__lt=hi)
    have = qs.count()
    last = qs.order_by("-idempotency_key").values_list("idempotency_key", flat=True).first()
    return have, (int(last[len(BULK_PREFIX) :]) + 1 if last else 0)


_RANK = {
    S.RECEIVED: 0,
    S.DISPATCHED: 1,
    S.RETURNED: 1,
    S.ACCEPTED: 2,
    S.IN_PROGRESS: 3,
    S.RESOLVED: 4,
    S.CALLBACK: 4,
    S.CLOSED: 5,
}
_OLD_STATES = [S.CLOSED] * 44 + [S.CALLBACK, S.CALLBACK, S.RESOLVED, S.IN_PROGRESS, S.RETURNED]
_NEW_STATES = [S.RECEIVED, S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS, S.RESOLVED, S.CLOSED] * 3 + [
    S.RETURNED
]
_CHANNELS = (
    [Channel.WEB.value] * 8
    + [Channel.PHONE.value] * 4
    + [Channel.HOTLINE_12345.value] * 3
    + [Channel.WECHAT.value] * 3
    + [Channel.WALK_IN.value] * 2
    + [Channel.OPEN311.value]
)
_NAMES = [s + t for s in "王李张刘陈杨黄赵吴周" for t in ("大爷", "阿姨", "先生", "女士", "师傅")]
_REQ_COLS = (
    "id",
    "tracking_code",
    "channel",
    "request_type",
    "text",
    "category",
    "suggested_category",
    "category_confidence",
    "org_unit_id",
    "resident_phone",
    "phone_hash",
    "resident_name",
    "idempotency_key",
    "created_at",
)
_ORDER_COLS = (
    "id",
    "request_id",
    "org_unit_id",
    "lead_office",
    "state",
    "referred_up",
    "referred_department_id",
    "referral_reason",
    "response_due_at",
    "resolution_due_at",
    "created_at",
    "dispatched_at",
    "accepted_at",
    "started_at",
    "resolved_at",
    "closed_at",
    "resolution_note",
    "reopen_count",
    "returned_count",
    "escalated",
    "escalation_count",
    "overdue_response",
    "overdue_resolution",
    "unreasonable_status",
    "unreasonable_reason",
    "unreasonable_reviewed_by_id",
    "unreasonable_reviewed_at",
    "updated_at",
)
_CB_COLS = (
    "id",
    "order_id",
    "channel",
    "resolved",
    "satisfaction",
    "comment",
    "phone_hash",
    "answered_at",
    "created_at",
)
_UNREASONABLE = "诉求人要求村集体承担其私人房屋装修费用，不属于公共服务范围"
_BAD_COMMENTS = ["问题还在，没有真正解决", "来了一趟就走了，没人管", "答复敷衍，拖了很久"]
_GOOD_COMMENTS = ["处理很及时，谢谢", "态度很好", "已经修好了，谢谢"]
# what residents say when they rate 基本满意: solved, with a reservation (reads positive)
_FAIR_COMMENTS = ["基本解决了，希望以后快一点", "解决了，就是等了几天", "修好了，不过跑了两趟"]
# the gaming village records 满意 even when the resident said otherwise
_GAMED_COMMENTS = ["说是办结了，其实根本没人来", "电话里说好了，实际没修"]


class _Plan:
    """Everything the row builder needs, read from the database up front (the builder runs in
    a worker thread, which must not touch the ORM)."""

    def __init__(self, ctx: DemoContext, target: int) -> None:
        from qingzhuang.service_requests.bulk import Table
        from qingzhuang.service_requests.sla import sla_days

        self.now = timezone.now().astimezone(dt.UTC).replace(tzinfo=None)  # naive UTC
        self.tz = timezone.get_current_timezone()
        # fixed offset of the local zone (Asia/Shanghai has no DST; elsewhere only the hour
        # around a DST change could start a clock on the neighbouring date)
        self.offset = self.tz.utcoffset(self.now) or dt.timedelta(0)
        self.fmt = Table.dt_formatter()
        self.rules = {r.category: r for r in DutyRule.objects.filter(area__isnull=True)}
        self.sla = {t: sla_days(t) for t in RequestType.values}
        self.admin_id = ctx.users["admin"].pk if "admin" in ctx.users else None
        units = sorted(ctx.villages, key=lambda u: u.code)
        self.units = [(u.pk, u.parent_id) for u in units]
        # per-village character: speed, satisfaction and a hot category, so rankings, hotspots
        # and trends are not flat; one village games its callbacks (满意 minutes after closing)
        prof = random.Random(BULK_SEED)  # noqa: S311 - demo data
        cats = list(TEMPLATES)
        self.profile = {
            pk: (prof.uniform(6, 30), prof.uniform(0.62, 0.93), prof.choice(cats))
            for pk, _ in self.units
        }
        self.gaming_unit = self.units[len(self.units) // 2][0] if self.units else None
        text_rng = random.Random(BULK_SEED + 1)  # noqa: S311
        flat = [(c, t, tpl) for c, items in TEMPLATES.items() for t, tpl in items]
        self.texts = [(c, t, _text(text_rng, tpl)) for c, t, tpl in flat * 600]
        self.by_cat: dict[str, list[tuple[str, str, str]]] = {}
        for item in self.texts:
            self.by_cat.setdefault(item[0], []).append(item)
        # residents: repeats are realistic (people call more than once); a few frequent callers
        phone_rng = random.Random(BULK_SEED + 2)  # noqa: S311
        size = min(max(target // 4, 50), 250_000)
        phones = {
            f"1{phone_rng.choice('3578')}{phone_rng.randint(0, 999999999):09d}" for _ in range(size)
        }
        self.phones = [(p, hash_phone(p)) for p in sorted(phones)]
        self.frequent = self.phones[:6]
        self.taken = set(
            ServiceRequest.objects.exclude(
                idempotency_key__gte=_bulk_range()[0], idempotency_key__lt=_bulk_range()[1]
            ).values_list("tracking_code", flat=True)
        )
        self._due: dict[tuple[dt.date, int], str] = {}

    def due(self, created: dt.datetime, days: int) -> tuple[dt.datetime, str]:
        key = ((created + self.offset).date(), days)  # the local date starts the clock
        hit = self._due.get(key)
        if hit is None:
            start = created.replace(tzinfo=dt.UTC).astimezone(self.tz)
            value = add_working_days(start, days).astimezone(dt.UTC).replace(tzinfo=None)
            hit = self._due[key] = (value, self.fmt(value))  # type: ignore[assignment]
        return hit  # type: ignore[return-value]


def _build_batch(
    plan: _Plan, seq0: int, seq1: int, rid: int, oid: int, cid: int
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]], int]:
    """Rows for generated requests seq0..seq1-1 (ids from rid/oid/cid): plain tuples."""
    rng = random.Random(BULK_SEED * 1_000_003 + seq0)  # noqa: S311 - demo data
    r = rng.random
    expo = rng.expovariate
    td = dt.timedelta
    fmt, now, taken = plan.fmt, plan.now, plan.taken
    now_s = fmt(now)
    texts, by_cat, units, profile = plan.texts, plan.by_cat, plan.units, plan.profile
    nt, nu = len(texts), len(units)
    phones, np_, frequent = plan.phones, len(plan.phones), plan.frequent
    rules, sla, gaming, admin_id = plan.rules, plan.sla, plan.gaming_unit, plan.admin_id
    channels, nc = _CHANNELS, len(_CHANNELS)
    reqs: list[tuple[Any, ...]] = []
    orders: list[tuple[Any, ...]] = []
    cbs: list[tuple[Any, ...]] = []
    for seq in range(seq0, seq1):
        unit_id, parent_id = units[int(r() * nu)]
        speed, happy, hot = profile[unit_id]
        if r() < 0.15:
            pool = by_cat[hot]
            category, rtype, text = pool[int(r() * len(pool))]
        else:
            category, rtype, text = texts[int(r() * nt)]
        created = now - td(seconds=600 + YEAR_SECONDS * r() ** 1.15)
        created_s = fmt(created)
        x = r()
        if x < 0.78:
            phone, phash = phones[int(r() * np_)]
        elif x < 0.785:
            phone, phash = frequent[int(r() * 6)]
        else:
            phone, phash = "", ""
        reqs.append(
            (
                rid,
                _bulk_code(seq, taken),
                channels[int(r() * nc)],
                rtype,
                text,
                category,
                category,
                round(0.5 + 0.49 * r(), 3),
                unit_id,
                phone,
                phash,
                _NAMES[int(r() * 50)] if phone else "",
                f"{BULK_PREFIX}{seq:010d}",
                created_s,
            )
        )
        resp_days, res_days = sla.get(rtype, (1, 10))
        rdue, rdue_s = plan.due(created, resp_days)
        sdue, sdue_s = plan.due(created, res_days)
        age_days = (now - created).days
        rule = rules.get(category)
        o_unit, office = unit_id, ""
        if rule is not None and rule.lead_unit_id:
            o_unit, office = rule.lead_unit_id, rule.lead_office
        stamps: list[dt.datetime | None] = [None, None, None, None, None]
        reopen = returned = 0
        escalated = False
        unreasonable: tuple[str, str, int | None, str | None] = ("", "", None, None)
        note = ""
        if rule is not None and rule.referred_up:
            state = S.CLOSED if age_days > 10 else S.REFERRED
            if state == S.CLOSED:
                stamps[4] = min(now, created + td(days=3 + 7 * r()))
            o_unit = parent_id or unit_id
            overdue_r = overdue_s = False
            orders.append(
                (
                    oid,
                    rid,
                    o_unit,
                    office,
                    state,
                    True,
                    rule.department_id,
                    rule.reason,
                    rdue_s,
                    sdue_s,
                    created_s,
                    None,
                    None,
                    None,
                    None,
                    fmt(stamps[4]) if stamps[4] else None,
                    "县级部门已答复" if stamps[4] else "",
                    0,
                    0,
                    False,
                    0,
                    False,
                    False,
                    "",
                    "",
                    None,
                    None,
                    now_s,
                )  # fmt: skip
            )
            rid += 1
            oid += 1
            continue
        state = (_OLD_STATES if age_days > 14 else _NEW_STATES)[
            int(r() * (len(_OLD_STATES) if age_days > 14 else len(_NEW_STATES)))
        ]
        rank = _RANK[state]
        t = created
        for i in range(min(rank, 4)):
            t = min(now, t + td(hours=expo(1 / speed)))
            stamps[i] = t
        is_gaming = unit_id == gaming and o_unit == unit_id
        if rank == 5:  # closed: after the callback (the gaming village calls back in minutes)
            gap = td(minutes=2 + 13 * r()) if is_gaming else td(hours=1 + expo(1 / 30))
            stamps[4] = min(now, t + gap)
            note = RESOLUTIONS.get(category, "已办理。")
        elif rank == 4:
            note = RESOLUTIONS.get(category, "已办理。")
        if state == S.RETURNED or (rank >= 2 and r() < 0.04):
            returned = 1
        accepted, resolved = stamps[1], stamps[3]
        overdue_r = (accepted or now) > rdue
        overdue_s = (resolved or now) > sdue
        if overdue_s and r() < 0.3:
            escalated = True
        if rank == 5:
            if r() < 0.006 and admin_id is not None:
                unreasonable = ("approved", _UNREASONABLE, admin_id, fmt(stamps[3] or now))
            else:
                x = r()
                good = x < (0.99 if is_gaming else happy)
                bad = not good and r() < 0.35
                if bad and r() < 0.3:
                    reopen = 1  # 重办: resident said unsolved, the order was reopened and closed
                if r() < 0.85 or is_gaming:
                    at = fmt(stamps[4])  # type: ignore[arg-type]
                    if good:
                        sat = "satisfied" if is_gaming or r() < 0.8 else "fairly"
                        res = "solved" if is_gaming or r() < 0.93 else "partly"
                        comment = "" if r() < 0.9 else _GOOD_COMMENTS[int(r() * 3)]
                        if is_gaming and r() < 0.03:
                            comment = _GAMED_COMMENTS[int(r() * 2)]
                    elif bad or r() < 0.5:
                        sat, res = "dissatisfied", "unsolved" if bad else "partly"
                        comment = _BAD_COMMENTS[int(r() * 3)] if r() < 0.5 else ""
                    else:
                        sat, res = "fairly", "partly"
                        comment = _FAIR_COMMENTS[int(r() * 3)] if r() < 0.3 else ""
                    cbs.append(
                        (cid, oid, CallbackChannel.PHONE.value, res, sat, comment, phash, at, at)
                    )
                    cid += 1
        s0, s1, s2, s3, s4 = (fmt(s) if s else None for s in stamps)
        orders.append(
            (
                oid,
                rid,
                o_unit,
                office,
                state,
                False,
                None,
                "",
                rdue_s,
                sdue_s,
                created_s,
                s0,
                s1,
                s2,
                s3,
                s4,
                note,
                reopen,
                returned,
                escalated,
                int(escalated),
                overdue_r,
                overdue_s,
                *unreasonable,
                now_s,
            )  # fmt: skip
        )
        rid += 1
        oid += 1
    return reqs, orders, cbs, cid


def _produce(
    plan: _Plan, bounds: list[tuple[int, int]], rid: int, oid: int, cid: int, out: Any
) -> None:
    """Builds the batches in order and puts (upto, reqs, orders, callbacks) on `out`, then None;
    a failure is put on the queue as an exception for the inserting side to raise."""
    try:
        for s0, s1 in bounds:
            reqs, orders, cbs, cid = _build_batch(plan, s0, s1, rid, oid, cid)
            rid += s1 - s0
            oid += s1 - s0
            out.put((s1, reqs, orders, cbs))
    except Exception as exc:  # hand the failure to the inserting side
        out.put(RuntimeError(f"批量生成演示数据失败：{exc!r}"))
        return
    out.put(None)


def _next_batch(batches: Any, worker: Any) -> Any:
    while True:
        try:
            item = batches.get(timeout=5)
        except queue.Empty:
            if not worker.is_alive():
                raise RuntimeError(
                    gettext("批量生成演示数据的子进程意外退出，请重新运行（会从中断处补足）")
                ) from None
            continue
        if isinstance(item, BaseException):
            raise item
        return item


def generate(ctx: DemoContext, n: int) -> int:
    """Top up the generated requests to n (see the comment above); returns how many were added.

    Per-row audit is skipped on purpose (a million hash-chain writes would serialise the run);
    one audit entry records each run that adds rows. Generated rows have no timeline events.
    """
    from qingzhuang.service_requests.bulk import Table, bulk_load

    have, seq = bulk_count()
    todo = n - have
    if todo <= 0:
        return 0
    plan = _Plan(ctx, n)
    t_req, t_ord, t_cb = (
        Table(ServiceRequest, _REQ_COLS),
        Table(WorkOrder, _ORDER_COLS),
        Table(Callback, _CB_COLS),
    )
    stored = ServiceRequest.objects.count()
    drop = todo >= max(50_000, stored)  # rebuilding indexes only pays off for large loads
    rid, oid, cid = t_req.next_id(), t_ord.next_id(), t_cb.next_id()
    end = seq + todo
    bounds = []
    s = seq
    while s < end:
        e = min(end, (s // BATCH + 1) * BATCH)  # batches aligned on multiples of BATCH
        bounds.append((s, e))
        s = e
    # The rows are built in a forked process (true parallelism: building is pure Python) when
    # the load is large enough to pay for the fork; otherwise in a thread (sqlite releases the
    # GIL while inserting, so building still overlaps with writing a little).
    use_fork = len(bounds) >= 4 and "fork" in mp.get_all_start_methods()
    proc: Any = None
    if use_fork:
        fork = mp.get_context("fork")
        batches: Any = fork.Queue(maxsize=2)
        proc = fork.Process(
            target=_produce, args=(plan, bounds, rid, oid, cid, batches), daemon=True
        )
    else:
        batches = queue.Queue(maxsize=2)
        proc = threading.Thread(
            target=_produce, args=(plan, bounds, rid, oid, cid, batches), daemon=True
        )
    first = True
    with bulk_load([ServiceRequest, WorkOrder, Callback], drop_indexes=drop):
        proc.start()  # forked before any write: the child never touches the DB connection
        try:
            while (item := _next_batch(batches, proc)) is not None:
                upto, reqs, orders, cbs = item
                with transaction.atomic():
                    if first:
                        audit_record(
                            actor="demo",
                            action="service_requests.request.bulk_generate",
                            object_type="service_requests.ServiceRequest",
                            object_id=f"{BULK_PREFIX}{seq:010d}",
                            object_repr=f"演示批量生成诉求：补足到 {n} 条，本次新增 {todo} 条",
                            after={"target": n, "existing": have, "added": todo, "first_seq": seq},
                        )
                        first = False
                    t_req.write(reqs)
                    t_ord.write(orders)
                    t_cb.write(cbs)
                    for t in (t_req, t_ord, t_cb):
                        t.reset_sequence()
                ctx.say(f"接诉即办：批量生成 {upto - seq}/{todo}")
        finally:
            if use_fork and proc.is_alive():
                proc.kill()
            proc.join()
    return todo


def seed(ctx: DemoContext) -> None:
    with transaction.atomic():
        _duty_rules(ctx)
        _curated(ctx)
        _curated_signals(ctx)
    ctx.say(
        f"接诉即办：权责清单 {DutyRule.objects.count()} 条，诉求 {ServiceRequest.objects.count()} 件"
    )
    _sla_scan(ctx)
    _category_model(ctx)
    ensure_indexes([ServiceRequest, WorkOrder, Callback])  # repairs an interrupted bulk load
    if ctx.requests:
        t = time.perf_counter()
        added = generate(ctx, ctx.requests)
        ctx.say(
            f"接诉即办：已批量生成 {added} 件诉求（补足到 {ctx.requests} 件，"
            f"用时 {time.perf_counter() - t:.1f} 秒）"
        )


def _sla_scan(ctx: DemoContext) -> None:
    """What the timelines moved into the past is now late: record it, as the hourly
    `qz requests sla-scan` would have. Bulk-generated orders are written with their flags
    already set (and one audit entry per run), so the scan covers the seeded history only."""
    t = time.perf_counter()
    scan = services.sla_scan()
    ctx.say(
        gettext(
            "接诉即办：超时检查，响应超时 %(response)s 件、办结超时 %(resolution)s 件、"
            "临期提醒 %(reminded)s 件（用时 %(seconds).1f 秒）"
        )
        % {
            "response": scan["overdue_response"],
            "resolution": scan["overdue_resolution"],
            "reminded": scan["reminded"],
            "seconds": time.perf_counter() - t,
        }
    )


# The demo's own history is enough for a first category model; more than this adds seconds,
# not accuracy, when the demo is run again on a database with bulk-generated requests.
DEMO_MODEL_ROWS = 5000


def _category_model(ctx: DemoContext) -> None:
    """Train the category model from the demo's requests when there is none yet, so that a
    new request gets a suggested category at once (`qz requests retrain` does the same later)."""
    from qingzhuang.service_requests import classify
    from qingzhuang.service_requests.training import retrain_from_history

    if classify.model_path().exists() or _throwaway_database():
        return
    result = retrain_from_history(max_rows=DEMO_MODEL_ROWS)
    ctx.say(
        gettext("接诉即办：已用 %(rows)s 件诉求训练分类模型（%(n)s 类，用时 %(seconds)s 秒）")
        % {
            "rows": result["rows"],
            "n": len(result["categories"]),
            "seconds": result["train_seconds"],
        }
    )


def _throwaway_database() -> bool:
    """A test run (Django's test environment provides mail.outbox) or a test database (SQLite
    in memory, a server database named test_*): a model trained from it must not be left in the
    data directory that real runs — and other test runs — read."""
    from django.core import mail
    from django.db import connection

    if hasattr(mail, "outbox"):
        return True
    if connection.vendor == "sqlite":
        return bool(connection.is_in_memory_db())  # type: ignore[attr-defined]
    return str(connection.settings_dict.get("NAME") or "").startswith("test_")
