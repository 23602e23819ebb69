from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from qingzhuang.org.models import OrgUnit, User

ROOT = Path(__file__).resolve().parents[3]


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    drop = {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG"}
    full_env = {k: v for k, v in os.environ.items() if k not in drop}
    full_env.update(env)
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_prod_refuses_to_start_without_secret_key() -> None:
    result = _run(["check"], DJANGO_SETTINGS_MODULE="config.settings.prod")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_prod_passes_deploy_check() -> None:
    result = _run(
        ["check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        SECRET_KEY="x" * 20 + "-a-long-random-secret-for-the-deploy-check-0123456789",
        ALLOWED_HOSTS="qz.example.gov.cn",
    )
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.parametrize(("debug", "expected"), [(None, "False"), ("1", "True")])
def test_local_settings_show_debug_pages_only_when_asked(
    debug: str | None, expected: str, tmp_path: Path
) -> None:
    """`make run` / `qz serve` use the dev settings and may be reached from the network:
    Django's debug pages (settings, local variables) need an explicit DEBUG=1."""
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.dev", "QZ_DATA_DIR": str(tmp_path)}
    if debug is not None:
        env["DEBUG"] = debug
    result = _run(["shell", "-c", "from django.conf import settings; print(settings.DEBUG)"], **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected


def test_qz_help_lists_product_commands_in_plain_words() -> None:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "qingzhuang.cli", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "audit" in result.stdout and "审计" in result.stdout
    assert "demo" in result.stdout


@pytest.mark.django_db
def test_demo_is_idempotent() -> None:
    call_command("demo", stdout=StringIO())
    counts = (OrgUnit.objects.count(), User.objects.count())
    out = StringIO()
    call_command("demo", stdout=out)
    assert (OrgUnit.objects.count(), User.objects.count()) == counts
    assert counts[0] >= 14
    assert "qz-demo-2026" in out.getvalue()


@pytest.mark.django_db
def test_demo_logins_work(client: object) -> None:
    from django.test import Client

    call_command("demo", stdout=StringIO())
    c = Client()
    assert c.login(username="admin", password="qz-demo-2026")
    assert c.get("/").status_code == 200


@pytest.mark.django_db
def test_org_import_cli_is_idempotent(tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    units.write_text(
        "code,name,parent_code,level\n1,某县,,county\n2,某镇,1,township\n3,某村,2,village\n",
        encoding="utf-8",
    )
    out = StringIO()
    call_command("org", "import", "--input", str(units), "--json", stdout=out)
    assert '"created": 3' in out.getvalue()
    out = StringIO()
    call_command("org", "import", "--input", str(units), "--json", stdout=out)
    assert '"unchanged": 3' in out.getvalue()


def test_cli_error_is_one_plain_line(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-form.xlsx"
    result = _run(["forms", "parse", str(missing), "--json"], QZ_DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误："), result.stderr
    assert "CommandError" not in result.stderr and "Traceback" not in result.stderr
