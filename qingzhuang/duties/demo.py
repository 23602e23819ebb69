"""Demo township: example tasks assigned to villages and 减负直通车 reports (some answered).

The lists themselves are seeded by migration 0002. Idempotent: only missing examples are added.
"""

from __future__ import annotations

from django.db import transaction

from qingzhuang.core.demo import DemoContext
from qingzhuang.duties.practice import FEEDBACK, seed_practice_data
from qingzhuang.duties.selectors import certificates, work_items
from qingzhuang.service_requests.demo_voice import seed_voice


@transaction.atomic
def seed(ctx: DemoContext) -> None:
    if ctx.township is None:
        return
    tasks, reports = seed_practice_data(ctx.township)
    seed_voice(ctx)  # the resident voice message (issue 9): service_requests runs before duties
    codes = "、".join(code for code, *_ in FEEDBACK)
    ctx.say(
        f"村级事项准入：清单 {work_items().count()} 条、证明事项 {certificates().count()} 条；"
        f"新增示例交办 {tasks} 条、减负直通车反映 {reports} 条（查询码：{codes}）"
    )
