"""The bridge to the burden ledger: flagged village tasks and feedback reports become findings.

The burden app owns Finding and the service that adds one (`finding_add`). It is imported at
call time so this app keeps working (and keeps its own records, read through
`selectors.duties_findings`) if the ledger service is missing or has a different shape.
"""

from __future__ import annotations

import datetime as dt
import inspect
import logging
from typing import Any

from qingzhuang.org.models import Department, OrgUnit

log = logging.getLogger(__name__)

ORIGIN_FEEDBACK = "feedback"
ORIGIN_VILLAGE_ADMISSION = "village_admission"


def _department(name: str) -> Department | None:
    return Department.objects.filter(name=name.strip()).first() if name.strip() else None


def record_finding(
    *,
    org_unit: OrgUnit,
    origin: str,
    rule_code: str,
    message: str,
    source: str,
    occurred_on: dt.date,
    ref: str,
    issuer_name: str,
    kind: str,
    actor: Any,
) -> bool:
    """Add one finding to the ledger inside the caller's transaction; False if there is no ledger."""
    try:
        from qingzhuang.burden.services import finding_add
    except ImportError:
        return False
    wanted: dict[str, Any] = {
        "org_unit": org_unit,
        "origin": origin,
        "rule_code": rule_code,
        "message": message,
        "source": source,
        "occurred_on": occurred_on,
        "ref": ref,
        "issuer": _department(issuer_name),
        "kind": kind,
        "actor": actor,
    }
    params = inspect.signature(finding_add).parameters
    finding_add(**{k: v for k, v in wanted.items() if k in params})
    return True


def remove_findings(*, refs: list[str], actor: Any) -> int:
    """Remove the findings this app added for the given refs (practice reset only).

    The burden app has no removal service; the rows are this app's own contributions
    (ref "duties.…"), removed inside the caller's transaction with one audit entry.
    """
    if not refs:
        return 0
    try:
        from qingzhuang.burden.models import Finding
    except ImportError:
        return 0
    from qingzhuang.audit.services import audit_record

    refs = [r for r in refs if r.startswith("duties.")]
    qs = Finding.objects.filter(
        ref__in=refs, origin__in=[ORIGIN_FEEDBACK, ORIGIN_VILLAGE_ADMISSION]
    )
    ids = list(qs.values_list("pk", flat=True))
    if not ids:
        return 0
    qs.delete()
    audit_record(
        actor=actor,
        action="duties.findings.remove",
        object_type="burden.Finding",
        object_id=",".join(str(i) for i in ids)[:200],
        object_repr=f"{len(ids)} findings from practice data",
        before={"ids": ids},
    )
    return len(ids)
