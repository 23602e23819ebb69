"""Error messages that services raise reach pages and the API, so they follow the user's language.

Static check over the source: every Chinese message given to a raised exception goes through
gettext, and the English catalogue has a translation for it. Only management commands'
CommandError stays plain (the CLI speaks Chinese).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parents[1] / "qingzhuang"
HAN = re.compile(r"[\u4e00-\u9fff]")
GETTEXT_NAMES = {"_", "gettext", "ngettext"}


def _sources() -> list[Path]:
    return [p for p in ROOT.rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts]


def _raised_calls(tree: ast.AST) -> list[ast.Call]:
    return [
        node.exc
        for node in ast.walk(tree)
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
    ]


def _name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _plain_chinese(node: ast.AST) -> bool:
    """A Chinese string literal or f-string that no gettext call wraps."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(HAN.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_plain_chinese(v) for v in node.values)
    if isinstance(node, ast.BinOp):  # "…" % x, "…" + x
        return _plain_chinese(node.left) or _plain_chinese(node.right)
    return False


def _translated_msgids(call: ast.Call) -> list[str]:
    found = []
    for node in ast.walk(call):
        if isinstance(node, ast.Call) and _name(node) in GETTEXT_NAMES and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append(first.value)
    return found


def _scan() -> tuple[list[str], list[tuple[str, str]]]:
    plain: list[str] = []
    msgids: list[tuple[str, str]] = []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in _raised_calls(tree):
            where = f"{path.relative_to(ROOT.parent)}:{call.lineno}"
            if _name(call) == "CommandError":
                continue
            if any(_plain_chinese(arg) for arg in call.args):
                plain.append(where)
            msgids += [(where, m) for m in _translated_msgids(call) if HAN.search(m)]
    return plain, msgids


def test_raised_messages_go_through_gettext() -> None:
    plain, msgids = _scan()
    assert plain == []
    assert len(msgids) > 200  # the scan does see the services' messages


def test_every_raised_message_has_an_english_translation() -> None:
    _, msgids = _scan()
    with translation.override("en"):
        missing = [(w, m) for w, m in msgids if translation.gettext(m) == m]
    assert missing == []


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_service_error_speaks_the_active_language(db: Any, language: str) -> None:
    from qingzhuang.core.errors import InvalidInput
    from qingzhuang.evaluation import services

    with translation.override(language), pytest.raises(InvalidInput) as info:
        services.settings_update(actor=None, no_such_setting=1)
    assert bool(HAN.search(info.value.message)) is (language == "zh-hans")
    assert "no_such_setting" in info.value.message


def test_pure_engines_raise_chinese_without_django(tmp_path: Path) -> None:
    """sheets/matching/textclass also run in plain Python (bench scripts): no Django set up."""
    import os
    import subprocess
    import sys

    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    code = (
        "import sys\n"
        "from qingzhuang.sheets.parse import parse_file\n"
        "try:\n"
        f"    parse_file({str(broken)!r})\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__, exc)\n"
        "print('django.conf' in sys.modules and __import__('django.conf').conf.settings.configured)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT.parent,
        check=True,
    ).stdout.splitlines()
    assert out[0].startswith("CorruptFile") and HAN.search(out[0])
    assert out[1] == "False"


def test_pure_engines_follow_the_active_language(tmp_path: Path) -> None:
    from qingzhuang.sheets.errors import SheetError
    from qingzhuang.sheets.parse import parse_file

    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    with translation.override("en"), pytest.raises(SheetError) as info:
        parse_file(broken)
    assert not HAN.search(str(info.value))
