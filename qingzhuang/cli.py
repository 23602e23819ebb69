"""The `qz` command: Django's management commands behind a friendlier front door.

`qz --help` lists only the product's own commands, in plain words; every Django command
(migrate, createsuperuser, …) still works, e.g. `qz migrate`.
"""

from __future__ import annotations

import os
import sys


def _product_commands() -> list[tuple[str, str]]:
    from django.core.management import get_commands, load_command_class

    rows = []
    for name, app in sorted(get_commands().items()):
        if not app.startswith("qingzhuang."):
            continue
        try:
            cmd = load_command_class(app, name)
        except Exception:  # noqa: BLE001, S112 - a broken command must not hide the others
            continue
        rows.append((name, str(cmd.help).strip().splitlines()[0] if cmd.help else ""))
    return rows


def _print_help() -> None:
    lines = [
        "轻装 Qingzhuang — 一次填报、减负可见、以结果论英雄",
        "",
        "用法 (usage): qz <命令> [选项]      详细帮助: qz <命令> --help",
        "",
        "常用命令 (product commands):",
    ]
    for name, text in _product_commands():
        lines.append(f"  {name:<12} {text}")
    lines += [
        "",
        "Django 自带命令（migrate、createsuperuser 等）同样可用：qz help --all",
    ]
    sys.stdout.write("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.exceptions import ImproperlyConfigured
    from django.db.utils import InterfaceError, OperationalError

    try:
        return _run(argv)
    except ImproperlyConfigured as exc:  # a bad environment variable, or prod without secrets
        if "--traceback" in argv:
            raise
        return _fail(str(exc))
    except (OperationalError, InterfaceError) as exc:
        if "--traceback" in argv:
            raise
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return _fail(
            f"数据库无法使用：{detail}。请检查 DATABASE_URL，以及数据库服务是否在运行"
            " (the database cannot be used)"
        )


def _fail(message: str) -> int:
    """Configuration and database problems: one plain line and exit code 2, no traceback."""
    sys.stderr.write(f"错误：{message}\n")
    return 2


def _run(argv: list[str]) -> int:
    import django

    django.setup()
    if len(argv) < 2 or argv[1:] in (["-h"], ["--help"], ["help"]):
        _print_help()
        return 0
    if argv[1:] == ["help", "--all"]:
        argv = [argv[0], "help"]
    from django.core.management import execute_from_command_line

    execute_from_command_line(["qz", *argv[1:]])
    return 0


if __name__ == "__main__":
    sys.exit(main())
