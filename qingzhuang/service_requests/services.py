"""Every write for resident requests, importable from this one module.

The code lives by subject and is re-exported here:
- ``intake.py``: intake from every channel (idempotent), photos, near-duplicates;
- ``duty_rules.py``: the duty list (权责清单), categories, recategorising;
- ``sla.py``: the SLA table and deadlines; ``sla_scan.py``: overdue flags and reminders;
- ``workflow.py``: work-order transitions; ``callbacks.py``: 回访; ``unreasonable.py``: 不合理诉求.
"""

from __future__ import annotations

from qingzhuang.service_requests.callbacks import (
    callback_answer,
    callback_issue_link,
    callback_record_phone,
)
from qingzhuang.service_requests.duty_rules import (
    CATEGORY_NAME,
    RULES_TTL,
    duty_rule_delete,
    duty_rule_for,
    duty_rule_save,
    request_recategorise,
    rules_cache_clear,
)
from qingzhuang.service_requests.intake import (
    DUPLICATE_CANDIDATES,
    DUPLICATE_MIN_SCORE,
    DUPLICATE_WINDOW_DAYS,
    EXTENSIONS,
    MAX_PHOTO_BYTES,
    MAX_PHOTOS,
    MAX_TEXT,
    PERSONAL_FIELDS,
    PUBLIC_AUDIT_FIELDS,
    SubmitResult,
    Upload,
    check_photos,
    derive_idempotency_key,
    form_submission_key,
    request_submit,
    sniff_photo,
)
from qingzhuang.service_requests.sla import SLA_MAX_DAYS, sla_deadlines, sla_policy_save
from qingzhuang.service_requests.sla_scan import sla_scan
from qingzhuang.service_requests.unreasonable import (
    request_mark_unreasonable,
    request_unreasonable_review,
)
from qingzhuang.service_requests.workflow import (
    TRANSITIONS,
    event_add,
    work_order_accept,
    work_order_close,
    work_order_dispatch,
    work_order_escalate,
    work_order_merge,
    work_order_refer,
    work_order_reopen,
    work_order_resolve,
    work_order_return,
    work_order_start,
)
from qingzhuang.service_requests.writer_lock import SQLiteWriterLock

__all__ = [
    # callbacks.py
    "callback_answer",
    "callback_issue_link",
    "callback_record_phone",
    # duty_rules.py
    "CATEGORY_NAME",
    "RULES_TTL",
    "duty_rule_delete",
    "duty_rule_for",
    "duty_rule_save",
    "request_recategorise",
    "rules_cache_clear",
    # intake.py
    "DUPLICATE_CANDIDATES",
    "DUPLICATE_MIN_SCORE",
    "DUPLICATE_WINDOW_DAYS",
    "EXTENSIONS",
    "MAX_PHOTO_BYTES",
    "MAX_PHOTOS",
    "MAX_TEXT",
    "PERSONAL_FIELDS",
    "PUBLIC_AUDIT_FIELDS",
    "SubmitResult",
    "Upload",
    "check_photos",
    "derive_idempotency_key",
    "form_submission_key",
    "request_submit",
    "sniff_photo",
    # sla.py, sla_scan.py
    "SLA_MAX_DAYS",
    "sla_deadlines",
    "sla_policy_save",
    "sla_scan",
    # unreasonable.py
    "request_mark_unreasonable",
    "request_unreasonable_review",
    # workflow.py
    "TRANSITIONS",
    "event_add",
    "work_order_accept",
    "work_order_close",
    "work_order_dispatch",
    "work_order_escalate",
    "work_order_merge",
    "work_order_refer",
    "work_order_reopen",
    "work_order_resolve",
    "work_order_return",
    "work_order_start",
    # writer_lock.py
    "SQLiteWriterLock",
]
