"""The demo township: a year of demands with findings for every rule kind, idempotent."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest

from qingzhuang.burden.models import AdmissionReview, Demand, Finding

pytestmark = pytest.mark.django_db


def test_demo_seeds_a_realistic_year_and_running_twice_changes_nothing(
    settings: Any, tmp_path: Any
) -> None:
    from qingzhuang.core.demo import run_demo

    settings.MEDIA_ROOT = str(tmp_path)
    run_demo(out=StringIO())
    counts = (Demand.objects.count(), Finding.objects.count(), AdmissionReview.objects.count())
    assert counts[0] >= 40
    rules = set(Finding.objects.values_list("rule_code", flat=True))
    expected = {"DEADLINE_SHORT", "DOC_LENGTH", "DOC_FOLLOWUP", "MEETING_LONG", "MEETING_COVERED",
                "INSPECTION_NO_CODE", "INSPECTION_OVER_PLAN", "APP_BANNED", "FORM_NOT_ADMITTED"}  # fmt: skip
    assert expected <= rules
    assert Demand.objects.filter(findings__isnull=True).count() > counts[0] // 2  # most are clean
    assert set(AdmissionReview.objects.values_list("status", flat=True)) == {
        "approved", "rejected", "use_existing", "pending",
    }  # fmt: skip
    run_demo(out=StringIO())
    assert (
        Demand.objects.count(),
        Finding.objects.count(),
        AdmissionReview.objects.count(),
    ) == counts
