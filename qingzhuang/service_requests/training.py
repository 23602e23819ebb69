"""Retrain the category model from the township's own history (incl. staff overrides)."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from django.utils.translation import gettext as _

from qingzhuang.core.errors import InvalidInput
from qingzhuang.service_requests import classify
from qingzhuang.service_requests.models import ServiceRequest


def retrain_from_history(
    *, min_per_category: int = 5, max_rows: int | None = None
) -> dict[str, Any]:
    """Train on every categorised request; staff overrides are the labels that matter most.

    Categories with fewer than `min_per_category` examples are left out (the model could not
    learn them). `max_rows` keeps only the most recent requests. The model file is replaced
    atomically; running intakes pick it up by mtime.
    """
    from qingzhuang.textclass import train_category_model

    qs = (
        ServiceRequest.objects.exclude(category="")
        .filter(duplicate_of__isnull=True)
        .order_by("-created_at", "-id")
        .values_list("subject", "text", "category", "category_overridden")
    )
    rows = list(qs[:max_rows] if max_rows else qs)
    counts = Counter(c for _, _, c, _ in rows)
    keep = {c for c, n in counts.items() if n >= min_per_category}
    data = [(classify.model_text(s, t), c) for s, t, c, _ in rows if c in keep]
    if len(keep) < 2:
        raise InvalidInput(
            _("已分类的诉求太少（每类至少 %(min)s 条、至少 2 类），暂不能训练。")
            % {"min": min_per_category}
        )
    start = time.perf_counter()
    model = train_category_model([t for t, _ in data], [c for _, c in data])
    path = classify.model_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    model.save(tmp)
    tmp.replace(path)
    classify.reset_cache()
    return {
        "model": str(path),
        "rows": len(data),
        "overrides": sum(1 for _, _, c, o in rows if o and c in keep),
        "categories": {c: counts[c] for c in sorted(keep)},
        "skipped_categories": sorted(set(counts) - keep),
        "train_seconds": round(time.perf_counter() - start, 2),
    }
