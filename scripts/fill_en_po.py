"""Complete the English catalogue from scripts/en_glossary.json, then compile it.

Usage: python scripts/fill_en_po.py [--overwrite]   (after `qz makemessages -l en`)

Steps:
1. Add msgids that makemessages cannot see: the menu labels (`label="…"` in
   qingzhuang/*/nav.py) and the menu group labels (NAV_GROUPS / HELP_GROUP in
   qingzhuang/core/context_processors.py).  They are translated at render time with
   gettext(), so they must be in the catalogue.  An obsolete (#~) copy is dropped.
2. Entries makemessages marked fuzzy carry a guessed translation of a *different*
   msgid; the guess is thrown away (msgstr emptied, fuzzy flag and #| lines removed)
   so the glossary translation is used instead of a wrong one.
3. Empty msgstr (singular or plural) are filled from the glossary.  A plural entry
   takes a glossary value that is a list [singular, plural]; a plain string is used
   for every form.  With --overwrite, non-empty msgstr are replaced as well.  An entry with
   a context (pgettext) takes the key "context\u0004msgid" first, then the bare msgid.
4. Placeholders (%(name)s, %%) are checked against the msgid, then msgfmt compiles.

Strings missing from the glossary stay empty and fall back to Chinese.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "qingzhuang" / "locale" / "en" / "LC_MESSAGES" / "django.po"
GLOSSARY_PATH = ROOT / "scripts" / "en_glossary.json"
NAV_FILES = "qingzhuang/*/nav.py"
CONTEXT_PROCESSORS = ROOT / "qingzhuang" / "core" / "context_processors.py"

HEADER_DEFAULTS = {
    "Project-Id-Version": "qingzhuang",
    "PO-Revision-Date": "2026-01-01 00:00+0800",
    "Last-Translator": "Qingzhuang team",
    "Language-Team": "English",
}
# A glossary key for a msgid with a context (pgettext) is "context\u0004msgid", as in gettext.
CONTEXT_SEPARATOR = "\x04"
_STR = r'"(?:[^"\\]|\\.)*"'
_PLACEHOLDER = re.compile(r"%\([A-Za-z0-9_]+\)[sdif]|%%|%[sdif]")


def _unquote(block: str) -> str:
    return "".join(json.loads(part) for part in re.findall(_STR, block))


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


# --------------------------------------------------------------------------- extra strings


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def extra_strings() -> dict[str, list[str]]:
    """Menu strings translated at render time: msgid -> list of "path:line" references."""
    found: dict[str, list[str]] = {}
    for path in sorted(ROOT.glob(NAV_FILES)):
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(ROOT).as_posix()
        for m in re.finditer(r'\blabel\s*=\s*(?P<q>["\'])(?P<s>.+?)(?P=q)', text):
            found.setdefault(m.group("s"), []).append(f"{rel}:{_line_of(text, m.start())}")
    text = CONTEXT_PROCESSORS.read_text(encoding="utf-8")
    rel = CONTEXT_PROCESSORS.relative_to(ROOT).as_posix()
    group_defs = r"^(?:NAV_GROUPS|HELP_GROUP)\b.*?(?:^\}|\)\s*$)"
    for block in re.finditer(group_defs, text, re.M | re.S):
        for m in re.finditer(r'\(\s*"([^"]+)"\s*,\s*\d+\s*\)', block.group(0)):
            ref = f"{rel}:{_line_of(text, block.start() + m.start())}"
            refs = found.setdefault(m.group(1), [])
            if not any(r.startswith(rel + ":") for r in refs):
                refs.append(ref)
    return found


# --------------------------------------------------------------------------- PO model


class Entry:
    def __init__(self, block: str) -> None:
        self.lines = block.split("\n")
        self.obsolete = all(line.startswith("#~") for line in self.lines if line.strip())
        self.msgid = self._field("msgid")
        self.msgctxt = self._field("msgctxt")
        # not `"msgid_plural" in block`: a fuzzy guess copied from a plural entry keeps the old
        # msgid_plural in a "#|" comment line
        self.plural = not self.obsolete and any(
            line.startswith("msgid_plural") for line in self.lines
        )

    def _field(self, name: str) -> str | None:
        body = "\n".join(line[3:] if line.startswith("#~ ") else line for line in self.lines)
        m = re.search(rf"^{name} ((?:{_STR}\s*)+)", body, re.M)
        return _unquote(m.group(1)) if m else None

    # flags ---------------------------------------------------------------
    @property
    def fuzzy(self) -> bool:
        return any(line.startswith("#,") and "fuzzy" in line for line in self.lines)

    def unfuzzy(self) -> None:
        out = []
        for line in self.lines:
            if line.startswith("#|"):
                continue  # previous msgid of the fuzzy guess
            if line.startswith("#,"):
                flags = [
                    f.strip() for f in line[2:].split(",") if f.strip() and f.strip() != "fuzzy"
                ]
                if not flags:
                    continue
                line = "#, " + ", ".join(flags)
            out.append(line)
        self.lines = out
        self.set_msgstr(None)

    # msgstr --------------------------------------------------------------
    def _msgstr_start(self) -> int:
        for i, line in enumerate(self.lines):
            if line.startswith("msgstr"):
                return i
        raise ValueError(f"no msgstr in entry {self.msgid!r}")

    def msgstrs(self) -> list[str]:
        body = "\n".join(self.lines[self._msgstr_start() :])
        return [
            _unquote(m.group(1))
            for m in re.finditer(rf"^msgstr(?:\[\d+\])? ((?:{_STR}\s*)+)", body, re.M)
        ]

    def set_msgstr(self, value: str | list[str] | None) -> None:
        start = self._msgstr_start()
        if self.plural:
            forms = value if isinstance(value, list) else [value or "", value or ""]
            new = [f"msgstr[{i}] {_quote(v or '')}" for i, v in enumerate(forms)]
        else:
            single = value[0] if isinstance(value, list) else value
            new = [f"msgstr {_quote(single or '')}"]
        self.lines = self.lines[:start] + new

    def text(self) -> str:
        return "\n".join(self.lines)


def _placeholders(text: str) -> list[str]:
    return sorted(_PLACEHOLDER.findall(text))


def _check(msgid: str, value: str | list[str]) -> list[str]:
    problems = []
    for v in value if isinstance(value, list) else [value]:
        same = _placeholders(v) == _placeholders(msgid)
        # a plural's singular form may leave the number out
        subset = isinstance(value, list) and set(_placeholders(v)) <= set(_placeholders(msgid))
        if not (same or subset):
            problems.append(f"placeholders differ: {msgid!r} -> {v!r}")
    return problems


# --------------------------------------------------------------------------- main


def main(argv: list[str]) -> int:
    overwrite = "--overwrite" in argv
    glossary: dict[str, str | list[str]] = json.loads(GLOSSARY_PATH.read_text(encoding="utf-8"))
    raw = PO.read_text(encoding="utf-8").rstrip("\n")
    blocks = re.split(r"\n\s*\n", raw)
    header, entries = blocks[0], [Entry(b) for b in blocks[1:] if b.strip()]
    header = re.sub(r'"Language: [^"\\]*\\n"', r'"Language: en\\n"', header)
    for field, value in HEADER_DEFAULTS.items():
        placeholder = rf'"{field}: [^"\\]*(?:PACKAGE|YEAR|FULL NAME|LANGUAGE)[^"\\]*\\n"'
        header = re.sub(placeholder, f'"{field}: {value}\\\\n"', header)
    header = "\n".join(line for line in header.split("\n") if line != "#, fuzzy")

    # 1. strings makemessages cannot see
    active = {e.msgid for e in entries if not e.obsolete}
    added = []
    for msgid, refs in extra_strings().items():
        if msgid in active:
            continue
        lines = [f"#: {' '.join(refs)}"]
        if "%" in msgid:
            lines.append("#, python-format")
        lines += [f"msgid {_quote(msgid)}", 'msgstr ""']
        entries.append(Entry("\n".join(lines)))
        active.add(msgid)
        added.append(msgid)
    entries = [e for e in entries if not (e.obsolete and e.msgid in active)]
    entries.sort(key=lambda e: e.obsolete)  # stable: obsolete (#~) entries stay last

    # 2. + 3. drop fuzzy guesses, fill from the glossary
    cleared = filled = 0
    problems: list[str] = []
    missing: list[str] = []
    for e in entries:
        if e.obsolete or not e.msgid:
            continue
        if e.fuzzy:
            e.unfuzzy()
            cleared += 1
        english = glossary.get(f"{e.msgctxt}{CONTEXT_SEPARATOR}{e.msgid}") if e.msgctxt else None
        english = english or glossary.get(e.msgid)
        empty = not any(e.msgstrs())
        if english and (empty or overwrite):
            if not e.plural and isinstance(english, list):
                english = english[0]
            issues = _check(e.msgid, english)
            if issues:
                problems += issues
                continue
            if e.msgstrs() != (
                english if isinstance(english, list) else [english] * len(e.msgstrs())
            ):
                e.set_msgstr(english)
                filled += 1
        elif empty:
            missing.append(e.msgid)

    PO.write_text(header + "\n\n" + "\n\n".join(e.text() for e in entries) + "\n", encoding="utf-8")
    sys.stdout.write(
        f"added {len(added)} menu strings, dropped {cleared} fuzzy guesses, filled {filled}\n"
    )
    for p in problems:
        sys.stderr.write(f"SKIPPED {p}\n")
    for m in missing:
        sys.stderr.write(f"untranslated: {_quote(m)}\n")
    subprocess.run(  # noqa: S603
        ["msgfmt", "--check", "--statistics", "-o", str(PO.with_suffix(".mo")), str(PO)],  # noqa: S607
        check=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
