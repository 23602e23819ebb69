"""Demo data for 接诉即办: a duty list, ~240 requests in every state with timelines and callbacks
(through the real services), and `qz demo --requests N` bulk generation (bulk_create, one audit
entry for the whole batch)."""

from __future__ import annotations

import datetime as dt
import queue
import random
import secrets
import threading
from typing import Any

from django.db import transaction
from django.utils import timezone

from qingzhuang.audit.services import audit_record
from qingzhuang.core.demo import DemoContext
from qingzhuang.service_requests import services
from qingzhuang.service_requests.demo_texts import GROUPS, PLACES, RESOLUTIONS, TEMPLATES, WHO
from qingzhuang.service_requests.models import (
    TRACKING_ALPHABET,
    Callback,
    CallbackChannel,
    Channel,
    DutyRule,
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
            services.duty_rule_save(acting_user=admin, **r)
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


def _curated(ctx: DemoContext) -> None:
    if ServiceRequest.objects.filter(idempotency_key__contains=":demo:").exists():
        return
    rng = random.Random(20260301)  # noqa: S311 - demo data, not security
    admin = ctx.users["admin"]
    categories = list(TEMPLATES)
    now = timezone.now()
    outcomes = ["closed"] * 9 + [
        "callback_bad",
        "resolved",
        "in_progress",
        "accepted",
        "dispatched",
        "received",
        "returned",
        "reopened",
        "escalated",
        "unreasonable",
    ]
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

BATCH = 5000


def generate(ctx: DemoContext, n: int) -> int:
    """Insert n requests + work orders (+ phone callbacks for most closed ones) in bulk.

    Per-row audit is skipped on purpose (a million hash-chain writes would serialise the run);
    one audit entry records the batch. Bulk rows have no timeline events.
    """
    from qingzhuang.service_requests.bulk import FastInserter

    rng = random.Random(secrets.randbits(32))  # noqa: S311 - demo data, not security
    batch_token = secrets.token_hex(4)
    rules = {r.category: r for r in DutyRule.objects.filter(area__isnull=True)}
    now = timezone.now().astimezone(dt.UTC).replace(tzinfo=None)  # naive UTC for FastInserter
    flat = [(c, t, tpl) for c, items in TEMPLATES.items() for t, tpl in items]
    # pools keep a million rows fast; repeats are realistic (residents call more than once)
    texts = [(c, t, _text(rng, tpl)) for c, t, tpl in (rng.choice(flat) for _ in range(20000))]
    phones = [f"13{rng.randint(100000000, 999999999)}" for _ in range(min(max(n // 3, 10), 300000))]
    phone_pool = [(p, hash_phone(p)) for p in phones]
    units = [(u.pk, u.parent_id) for u in ctx.villages]
    channels = Channel.values
    due_cache: dict[tuple[dt.date, int], dt.datetime] = {}
    tz = timezone.get_current_timezone()

    def due(start: dt.datetime, days: int) -> dt.datetime:
        key = (start.date(), days)
        if key not in due_cache:
            aware = add_working_days(start.replace(tzinfo=dt.UTC).astimezone(tz), days)
            due_cache[key] = aware.astimezone(dt.UTC).replace(tzinfo=None)
        return due_cache[key]

    ins_r, ins_o, ins_c = (
        FastInserter(ServiceRequest),
        FastInserter(WorkOrder),
        FastInserter(Callback),
    )
    code_pos = ins_r.index["tracking_code"]
    batches: queue.Queue[Any] = queue.Queue(maxsize=4)

    def produce(rid: int, oid: int, cid: int) -> None:
        """Runs in a worker thread: sqlite releases the GIL while inserting, so building the
        next batch overlaps with writing the previous one."""
        try:
            done = 0
            while done < n:
                size = min(BATCH, n - done)
                reqs, orders, callbacks = [], [], []
                for j in range(size):
                    category, rtype, text = rng.choice(texts)
                    unit_id, parent_id = rng.choice(units)
                    created = now - dt.timedelta(seconds=rng.uniform(600, 365 * 86400))
                    phone, phash = rng.choice(phone_pool)
                    reqs.append(
                        ins_r.row(
                            id=rid,
                            tracking_code="".join(rng.choices(TRACKING_ALPHABET, k=8)),
                            channel=rng.choice(channels),
                            request_type=rtype,
                            text=text,
                            category=category,
                            suggested_category=category,
                            category_confidence=round(rng.uniform(0.5, 0.99), 3),
                            org_unit_id=unit_id,
                            resident_phone=phone,
                            phone_hash=phash,
                            idempotency_key=f"gen:{batch_token}:{done + j}",
                            created_at=created,
                        )
                    )
                    o = _bulk_order(
                        oid, rid, unit_id, parent_id, category, created, rules, now, rng, due
                    )
                    orders.append(ins_o.row(**o))
                    if o["state"] == S.CLOSED and rng.random() < 0.85:
                        at = o.get("closed_at") or now
                        x, y = rng.random(), rng.random()
                        callbacks.append(
                            ins_c.row(
                                id=cid,
                                order_id=oid,
                                channel=CallbackChannel.PHONE,
                                resolved="solved"
                                if x < 0.85
                                else ("partly" if x < 0.95 else "unsolved"),
                                satisfaction="satisfied"
                                if y < 0.8
                                else ("fairly" if y < 0.94 else "dissatisfied"),
                                phone_hash=phash,
                                answered_at=at,
                                created_at=at,
                            )
                        )
                        cid += 1
                    rid += 1
                    oid += 1
                batches.put((reqs, orders, callbacks))
                done += size
        except BaseException as exc:  # hand the failure to the inserting thread
            batches.put(exc)
            return
        batches.put(None)

    with transaction.atomic():
        worker = threading.Thread(
            target=produce, args=(ins_r.next_id(), ins_o.next_id(), ins_c.next_id()), daemon=True
        )
        worker.start()
        seen: set[str] = set()
        while (item := batches.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            reqs, orders, callbacks = item
            _unique_codes(reqs, code_pos, seen, rng)
            ins_r.insert(reqs)
            ins_o.insert(orders)
            ins_c.insert(callbacks)
        worker.join()
        for ins in (ins_r, ins_o, ins_c):
            ins.finish()
        audit_record(
            actor="demo",
            action="service_requests.request.bulk_generate",
            object_type="service_requests.ServiceRequest",
            object_id=batch_token,
            object_repr=f"演示批量生成 {n} 条诉求",
            after={"count": n, "batch": batch_token},
        )
    return n


def _unique_codes(rows: list[list[Any]], pos: int, seen: set[str], rng: random.Random) -> None:
    """Replace tracking codes that clash with stored ones or earlier rows of this run."""
    codes = [r[pos] for r in rows]
    taken = set(
        ServiceRequest.objects.filter(tracking_code__in=codes).values_list(
            "tracking_code", flat=True
        )
    )
    for r in rows:
        while r[pos] in taken or r[pos] in seen:
            r[pos] = "".join(rng.choices(TRACKING_ALPHABET, k=8))
        seen.add(r[pos])


_RANK = {
    S.RECEIVED: 0,
    S.DISPATCHED: 1,
    S.ACCEPTED: 2,
    S.IN_PROGRESS: 3,
    S.RESOLVED: 4,
    S.CALLBACK: 4,
    S.CLOSED: 5,
}
_STEP_FIELDS = ["dispatched_at", "accepted_at", "started_at", "resolved_at", "closed_at"]
_OLD_STATES = [S.CLOSED] * 22 + [S.CALLBACK, S.RESOLVED, S.IN_PROGRESS]
_NEW_STATES = [S.RECEIVED, S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS, S.RESOLVED, S.CLOSED]


def _bulk_order(
    oid: int,
    rid: int,
    unit_id: int,
    parent_id: int | None,
    category: str,
    created: dt.datetime,
    rules: dict[str, DutyRule],
    now: dt.datetime,
    rng: random.Random,
    due: Any,
) -> dict[str, Any]:
    rule = rules.get(category)
    response_due, resolution_due = due(created, 1), due(created, 10)
    o: dict[str, Any] = {
        "id": oid,
        "request_id": rid,
        "org_unit_id": unit_id,
        "created_at": created,
        "updated_at": now,
        "response_due_at": response_due,
        "resolution_due_at": resolution_due,
    }
    if rule is not None and rule.lead_unit_id:
        o["org_unit_id"] = rule.lead_unit_id
        o["lead_office"] = rule.lead_office
    age_days = (now - created).days
    if rule is not None and rule.referred_up:
        o.update(
            referred_up=True,
            referred_department_id=rule.department_id,
            referral_reason=rule.reason,
            org_unit_id=parent_id or unit_id,
        )
        o["state"] = S.CLOSED if age_days > 10 else S.REFERRED
        if o["state"] == S.CLOSED:
            o["closed_at"] = created + dt.timedelta(days=rng.uniform(3, 10))
        return o
    state = rng.choice(_OLD_STATES if age_days > 14 else _NEW_STATES)
    o["state"] = state
    t = created
    for rank, field in enumerate(_STEP_FIELDS, 1):
        if _RANK[state] < rank:
            break
        t = min(now, t + dt.timedelta(hours=rng.expovariate(1 / 20)))
        o[field] = t
    o["overdue_response"] = (o.get("accepted_at") or now) > response_due
    o["overdue_resolution"] = (o.get("resolved_at") or now) > resolution_due
    escalated = o["overdue_resolution"] and rng.random() < 0.3
    o["escalated"], o["escalation_count"] = escalated, int(escalated)
    return o


def seed(ctx: DemoContext) -> None:
    with transaction.atomic():
        _duty_rules(ctx)
        _curated(ctx)
    ctx.say(
        f"接诉即办：权责清单 {DutyRule.objects.count()} 条，诉求 {ServiceRequest.objects.count()} 件"
    )
    if ctx.requests:
        generate(ctx, ctx.requests)
        ctx.say(f"接诉即办：已批量生成 {ctx.requests} 件诉求")
