"""Reading the audit log within a user's scope."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from qingzhuang.audit.labels import codes_matching
from qingzhuang.audit.models import AuditEntry
from qingzhuang.org.scope import Scope


def audit_entries(*, scope: Scope, action: str = "") -> QuerySet[AuditEntry]:
    """Entries about objects inside the scope (entries with no unit are township-wide).

    `action` is a code prefix ("org.") or words from an action's label ("反映"); the actor is
    joined because the page shows every actor's display name.
    """
    qs = AuditEntry.objects.select_related("actor").order_by("-id")
    if not scope.everything:
        q = Q(org_path="") if scope.paths else Q(pk__in=[])
        for path in scope.paths:
            q |= Q(org_path__startswith=path)
        qs = qs.filter(q)
    action = action.strip()
    if action:
        qs = qs.filter(Q(action__startswith=action) | Q(action__in=codes_matching(action)))
    return qs
