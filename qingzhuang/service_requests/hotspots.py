"""Hotspots (未诉先办 / 每月一题): recurring problems by category and village, and by wording
(near-duplicate texts across villages and categories). Praise never makes a hotspot."""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from qingzhuang.core.errors import InvalidInput
from qingzhuang.org.models import OrgUnit
from qingzhuang.org.scope import Scope
from qingzhuang.service_requests.masking import mask_personal_text
from qingzhuang.service_requests.models import RequestType, ServiceRequest

# Praise and thanks are not problems: they never make a hotspot (未诉先办 candidates).
PRAISE_CATEGORIES = ("表扬", "感谢", "表扬感谢")


def _praise_q() -> Q:
    return Q(category__in=PRAISE_CATEGORIES) | Q(request_type=RequestType.PRAISE)


@dataclass
class Hotspot:
    key: str
    category: str
    place: str
    count: int
    weeks: dict[str, int]
    trend: str
    samples: list[str]
    tracking_codes: list[str]


def hotspots(
    *,
    scope: Scope,
    weeks: int = 8,
    min_count: int = 3,
    now: dt.datetime | None = None,
    top: int = 30,
) -> list[Hotspot]:
    """Recurring problems: same category + same village over the last weeks, counted in SQL.

    Scoped by where the problem is (the request's village), so a village sees only its own.
    Praise and thanks are not problems: the 表扬 categories are left out in the counting query,
    and praise-type requests filed under another category are subtracted afterwards (they are
    few, read through a partial index), so the counting stays on the covering index.
    """
    if weeks < 1:
        raise InvalidInput(_("统计周数应为 1 以上。"))
    now = now or timezone.now()
    since = now - dt.timedelta(weeks=weeks)
    base = (
        ServiceRequest.objects.filter(scope.ids_q("org_unit"), created_at__gte=since)
        .exclude(category="")
        .exclude(category__in=PRAISE_CATEGORIES)
    )
    starts = [now - dt.timedelta(weeks=i + 1) for i in range(weeks - 1, -1, -1)]
    praise = _praise_elsewhere(starts)
    # one count per week in the same GROUP BY (the last week is open-ended, like the clamp a
    # Python loop would apply to requests stamped a moment after `now`)
    per_week = {
        f"w{i}": Count(
            "id",
            filter=Q(created_at__gte=starts[i])
            & (Q(created_at__lt=starts[i + 1]) if i + 1 < weeks else Q()),
        )
        for i in range(weeks)
    }
    # Enough groups that the top ones are right once the praise is subtracted: only a group
    # that holds praise can fall behind, and there are len(praise) of those.
    groups = [
        {**g, "n": g["n"] - sum(praise.get((g["category"], g["org_unit_id"]), []))}
        for g in base.values("category", "org_unit_id")
        .annotate(n=Count("id"))
        .filter(n__gte=min_count)
        .order_by("-n", "category", "org_unit_id")[: top + len(praise)]
    ]
    groups = sorted(
        (g for g in groups if g["n"] >= min_count),
        key=lambda g: (-g["n"], g["category"], g["org_unit_id"]),
    )[:top]
    if not groups:
        return []
    # Weekly counts only for the groups shown, one indexed (unit, category, created_at) range
    # each, without touching the rest of the period's requests.
    weekly = {
        (g["category"], g["org_unit_id"]): base.filter(
            category=g["category"], org_unit_id=g["org_unit_id"]
        ).aggregate(**per_week)
        for g in groups
    }
    # names afterwards: joining every request row to its unit costs more than the counting
    names = dict(
        OrgUnit.objects.filter(pk__in={g["org_unit_id"] for g in groups}).values_list("pk", "name")
    )
    labels = [timezone.localtime(d).strftime("%m-%d") for d in starts]
    out = []
    for g in groups:
        key = (g["category"], g["org_unit_id"])
        latest = list(
            base.filter(category=key[0], org_unit_id=key[1])
            .exclude(request_type=RequestType.PRAISE)
            .order_by("-created_at")
            .values_list("text", "tracking_code")[:10]
        )
        row: Any = weekly[key]  # the per-week keys are built at run time
        minus = praise.get(key, [0] * weeks)
        values = [int(row[f"w{i}"]) - minus[i] for i in range(weeks)]
        out.append(
            Hotspot(
                key=f"{key[0]}|{names[key[1]]}",
                category=key[0],
                place=names[key[1]],
                count=g["n"],
                weeks=dict(zip(labels, values, strict=True)),
                trend=_trend(values),
                samples=[mask_personal_text(t[:80]) for t, _ in latest[:3]],
                tracking_codes=[c for _, c in latest],
            )
        )
    return out


def _praise_elsewhere(starts: list[dt.datetime]) -> dict[tuple[str, int], list[int]]:
    """Praise-type requests in the counted categories: per (category, unit), per week.

    Not scoped: the caller subtracts them from its (scoped) groups only. Without the scope and
    without an ORDER BY, the covering partial index answers the query; with either, the planner
    prefers an index that reads every request of the period.
    """
    out: dict[tuple[str, int], list[int]] = {}
    rows = (
        ServiceRequest.objects.filter(created_at__gte=starts[0], request_type=RequestType.PRAISE)
        .exclude(category="")
        .exclude(category__in=PRAISE_CATEGORIES)
        .order_by()
        .values_list("category", "org_unit_id", "created_at")
    )
    for category, unit_id, created in rows:
        week = max(0, bisect.bisect_right(starts, created) - 1)
        out.setdefault((category, unit_id), [0] * len(starts))[week] += 1
    return out


def _trend(values: list[int]) -> str:
    half = len(values) // 2
    first, second = sum(values[:half]), sum(values[half:])
    return "上升" if second > first * 1.2 else ("下降" if second < first * 0.8 else "持平")


def _cluster_memo(texts: list[str], *, threshold: float) -> list[int]:
    """`cluster_texts`, memoised on a digest of its exact inputs.

    Clustering is a pure function of the texts (in order) and the threshold, so a cached result
    is always the one a fresh run would give; a new request changes the input and the digest.
    """
    from qingzhuang.service_requests.hotspots_text import cluster_texts

    digest = hashlib.sha256(f"{threshold}".encode())
    for text in texts:
        digest.update(b"\0" + text.encode())
    key = f"qz:hotspot-clusters:{digest.hexdigest()}"
    ids: list[int] | None = cache.get(key)
    if ids is None or len(ids) != len(texts):
        ids = cluster_texts(texts, threshold=threshold)
        cache.set(key, ids, 24 * 3600)
    return ids


def text_hotspots(
    *,
    scope: Scope,
    weeks: int = 8,
    min_count: int = 3,
    threshold: float = 0.5,
    now: dt.datetime | None = None,
    limit: int = 5000,
) -> list[Hotspot]:
    """Recurring problems by wording: near-duplicate texts (MinHash, never all pairs), across
    villages and categories — e.g. the same blocked road reported under different headings."""
    now = now or timezone.now()
    since = now - dt.timedelta(weeks=weeks)
    # Newest first through the created_at index, stopping at `limit`; the unit names are looked
    # up afterwards rather than joined to every row.
    rows = list(
        ServiceRequest.objects.filter(scope.q("org_unit"), created_at__gte=since)
        .exclude(_praise_q())
        .order_by("-created_at")
        .values_list("category", "org_unit_id", "created_at", "text", "tracking_code")[:limit]
    )
    names = dict(OrgUnit.objects.filter(pk__in={r[1] for r in rows}).values_list("pk", "name"))
    ids = _cluster_memo([r[3][:400] for r in rows], threshold=threshold)
    groups: dict[int, list[int]] = defaultdict(list)
    for i, cid in enumerate(ids):
        groups[cid].append(i)
    clustered: dict[tuple[str, str], list[tuple[dt.datetime, str, str]]] = {}
    for members in groups.values():
        if len(members) < min_count:
            continue
        places = Counter(names[rows[i][1]] for i in members)
        cats = Counter(rows[i][0] or "未分类" for i in members)
        place = "、".join(p for p, _ in places.most_common(3))
        label = f"{cats.most_common(1)[0][0]}（内容相近）"
        clustered[(label, place)] = [(rows[i][2], rows[i][3], rows[i][4]) for i in members]
    return rank_hotspots(clustered, now=now, weeks=weeks, min_count=min_count)


def rank_hotspots(
    groups: dict[tuple[str, str], list[tuple[dt.datetime, str, str]]],
    *,
    now: dt.datetime,
    weeks: int,
    min_count: int,
) -> list[Hotspot]:
    out = []
    for (category, place), items in groups.items():
        if len(items) < min_count:
            continue
        per_week: dict[str, int] = {}
        for i in range(weeks - 1, -1, -1):
            start = now - dt.timedelta(weeks=i + 1)
            label = timezone.localtime(start).strftime("%m-%d")
            per_week[label] = sum(
                1 for c, _, _ in items if start < c <= start + dt.timedelta(weeks=1)
            )
        trend = _trend(list(per_week.values()))
        items.sort(key=lambda x: x[0], reverse=True)
        out.append(
            Hotspot(
                key=f"{category}|{place}",
                category=category,
                place=place,
                count=len(items),
                weeks=per_week,
                trend=trend,
                samples=[mask_personal_text(t[:80]) for _, t, _ in items[:3]],
                tracking_codes=[c for _, _, c in items[:10]],
            )
        )
    out.sort(key=lambda h: h.count, reverse=True)
    return out
