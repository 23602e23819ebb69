"""File names built from what people typed (form titles, unit names, upload names).

A title such as ``../../x`` or ``a/b`` must never choose the folder a file is written to, and
the name must open on Windows/WPS too, where users take these files. Chinese stays as it is.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext

# Path separators (with their full-width look-alikes) and the characters Windows refuses.
_FORBIDDEN = re.compile(r'[/\\:*?"<>|／＼]')
_DOTS = re.compile(r"\.{2,}")
_SPACES = re.compile(r"\s+")
_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,8}$")
_EDGES = " ._"
_WINDOWS_DEVICES = re.compile(r"^(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])$", re.IGNORECASE)

# ext4 and most file systems allow 255 bytes per name; Chinese takes 3 bytes a character.
# Staying well below leaves room for the folder prefixes stored in FillEvent.output.
MAX_NAME_BYTES = 180


def _clean(text: str) -> str:
    out = []
    for ch in str(text or ""):
        if ch.isspace():
            out.append(" ")
        elif unicodedata.category(ch).startswith("C"):
            continue  # control, format (RTL override), unassigned
        else:
            out.append(ch)
    cleaned = _FORBIDDEN.sub("_", "".join(out))
    cleaned = _DOTS.sub(".", _SPACES.sub(" ", cleaned))
    return cleaned.strip(_EDGES)


def _cut(text: str, max_bytes: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    return data[:max_bytes].decode("utf-8", errors="ignore").rstrip(_EDGES)


def safe_filename(*parts: str, suffix: str = "", max_bytes: int = MAX_NAME_BYTES) -> str:
    """One file name, never a path: ``parts`` joined with "_", plus a plain ``suffix``.

    Separators, ``..``, control characters and characters Windows refuses are removed; a
    Windows device name (CON, NUL…) gets a leading "_". When the name is too long the longest
    part is cut, so the unit name and period after a long title survive. Never empty.
    """
    ext = suffix.lower() if _SUFFIX.match(suffix or "") else ""
    cleaned = [c for c in (_clean(p) for p in parts) if c]
    budget = max(16, max_bytes - len(ext))
    sep = len("_") * max(0, len(cleaned) - 1)
    while cleaned and sum(len(c.encode("utf-8")) for c in cleaned) + sep > budget:
        longest = max(range(len(cleaned)), key=lambda i: len(cleaned[i].encode("utf-8")))
        size = len(cleaned[longest].encode("utf-8"))
        others = sum(len(c.encode("utf-8")) for c in cleaned) - size
        cleaned[longest] = _cut(cleaned[longest], max(3, budget - sep - others))
        if len(cleaned[longest].encode("utf-8")) >= size:  # cannot shrink further
            cleaned[longest] = ""
        cleaned = [c for c in cleaned if c]
        sep = max(0, len(cleaned) - 1)
    stem = "_".join(cleaned) or gettext("未命名")
    if _WINDOWS_DEVICES.match(stem.split(".")[0]):
        stem = "_" + stem
    return stem + ext
