"""Fill empty msgstr entries of the English catalogue from scripts/en_glossary.json, then compile.

Usage: python scripts/fill_en_po.py   (after `qz makemessages -l en`)
Strings missing from the glossary stay empty and fall back to Chinese.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "qingzhuang" / "locale" / "en" / "LC_MESSAGES" / "django.po"
GLOSSARY = json.loads((ROOT / "scripts" / "en_glossary.json").read_text(encoding="utf-8"))


def _unquote(block: str) -> str:
    return "".join(json.loads(part) for part in re.findall(r'"(?:[^"\\]|\\.)*"', block))


def main() -> None:
    text = PO.read_text(encoding="utf-8")
    pattern = re.compile(r'(msgid ((?:"(?:[^"\\]|\\.)*"\s*)+))msgstr ""\n(?!")', re.M)

    def repl(m: re.Match[str]) -> str:
        msgid = _unquote(m.group(2))
        english = GLOSSARY.get(msgid)
        if not msgid or not english:
            return m.group(0)
        return f"{m.group(1)}msgstr {json.dumps(english, ensure_ascii=False)}\n"

    text = pattern.sub(repl, text)
    text = text.replace("#, fuzzy\n", "")
    PO.write_text(text, encoding="utf-8")
    subprocess.run(["msgfmt", "-o", str(PO.with_suffix(".mo")), str(PO)], check=True)  # noqa: S603, S607


if __name__ == "__main__":
    main()
