from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from qingzhuang.audit.models import AuditHead
from qingzhuang.audit.services import audit_verify
from qingzhuang.org import services
from qingzhuang.org.models import OrgUnit
from qingzhuang.org.tests.factories import build_org_tree


def _row_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip_the_whole_database(tmp_path: Path) -> None:
    build_org_tree()
    before = _row_counts()
    head_before = AuditHead.objects.get(pk=1).last_hash
    archive = tmp_path / "b.tar.gz"
    call_command("backup", "--output", str(archive), stdout=StringIO())

    town = OrgUnit.objects.get(code="420000100001")
    services.org_unit_create(
        code="X1", name="备份后新增村", level="village", parent=town, actor="t"
    )
    assert _row_counts() != before

    call_command("restore", str(archive), stdout=StringIO())
    assert _row_counts() == before
    assert not OrgUnit.objects.filter(code="X1").exists()
    assert audit_verify().ok
    assert AuditHead.objects.get(pk=1).last_hash == head_before


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    bogus = tmp_path / "x.tar.gz"
    bogus.write_bytes(b"not a tarball")
    with pytest.raises(CommandError, match="损坏"):
        call_command("restore", str(bogus), stdout=StringIO())


def test_missing_backup_file_is_a_plain_error(tmp_path: Path, db: Any) -> None:
    with pytest.raises(CommandError, match="找不到备份文件"):
        call_command("restore", str(tmp_path / "nope.tar.gz"), stdout=StringIO())
