from __future__ import annotations

import os
import socket
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


def _qz(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    """`qz …` as a user runs it: dev settings, a fresh data folder, the given environment."""
    drop = {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DATABASE_URL", "LOG_LEVEL"}
    full_env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("QZ_")}
    full_env["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    full_env.update(env)
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "qingzhuang.cli", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("level", ["debug", "Warning", " error "])
def test_log_level_is_case_insensitive(level: str, tmp_path: Path) -> None:
    result = _qz(["--help"], LOG_LEVEL=level, QZ_DATA_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "审计" in result.stdout


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("LOG_LEVEL", "verbose", "DEBUG、INFO、WARNING、ERROR、CRITICAL"),
        ("DATABASE_URL", "foo://bar", "sqlite:/// 或 postgres://"),
        ("DATABASE_URL", "postgres://qz:secret@db:port/qz", "无法解析"),
        ("QZ_MINUTES_PER_FIELD", "0,5", "半角句点"),
        ("QZ_MINUTES_PER_FIELD", "-3", "大于 0"),
        ("QZ_MINUTES_PER_FIELD", "nan", "大于 0"),
        ("QZ_DATA_DIR", "{file}", "不是文件夹"),
        ("QZ_DATA_DIR", "{file}/sub", "不是文件夹"),
        ("DEBUG", "ture", "1（开）或 0（关）"),
    ],
)
def test_a_bad_setting_is_one_line_naming_the_variable(
    variable: str, value: str, words: str, tmp_path: Path
) -> None:
    a_file = tmp_path / "afile"
    a_file.write_text("x")
    env = {"QZ_DATA_DIR": str(tmp_path / "data"), variable: value.format(file=a_file)}
    result = _qz(["--help"], **env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"错误：环境变量 {variable} ") and words in lines[0]
    assert "secret" not in lines[0]
    assert result.stdout == ""


def test_a_data_folder_that_cannot_be_created_is_one_line() -> None:
    result = _qz(["--help"], QZ_DATA_DIR="/proc/qz-data")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("错误：无法在 QZ_DATA_DIR（/proc/qz-data）下建文件夹")


def test_prod_without_secret_key_is_one_line(tmp_path: Path) -> None:
    result = _qz(
        ["--help"], DJANGO_SETTINGS_MODULE="config.settings.prod", QZ_DATA_DIR=str(tmp_path)
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "错误：生产环境必须设置 SECRET_KEY 环境变量 (SECRET_KEY is required in prod)"
    ]


def test_an_unreachable_database_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = _qz(
        ["audit", "verify"],
        DATABASE_URL=f"postgres://qz:secret@127.0.0.1:{port}/qz",
        QZ_DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误：数据库无法使用："), result.stderr
    assert "DATABASE_URL" in lines[0] and "secret" not in lines[0]


def test_traceback_option_still_shows_the_traceback(tmp_path: Path) -> None:
    result = _qz(["audit", "verify", "--traceback"], LOG_LEVEL="x", QZ_DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "Traceback" in result.stderr and "LOG_LEVEL" in result.stderr
