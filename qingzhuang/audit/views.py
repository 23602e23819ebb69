from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from qingzhuang.audit.selectors import audit_entries
from qingzhuang.audit.services import audit_verify
from qingzhuang.org.roles import require
from qingzhuang.org.scope import scope_for


@login_required
def entry_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "audit.view")
    action = request.GET.get("action", "").strip()
    qs = audit_entries(scope=scope_for(request.user), action=action)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    verify = audit_verify() if request.GET.get("verify") else None
    return render(
        request, "audit/entry_list.html", {"page": page, "verify": verify, "action": action}
    )
