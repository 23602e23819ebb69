"""Match a row label of a form ("中共青山村支部委员会", "青山", "青山村委会") to an org unit."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from qingzhuang.org.models import OrgUnit

_SPACE = re.compile(r"[\s\u3000]+")
_NUMBERING = re.compile(r"^[（(]?[0-9一二三四五六七八九十]+[)）.、．]\s*")
_PREFIXES = ("中国共产党", "中共")
_SUFFIXES = (
    "党总支部委员会",
    "总支部委员会",
    "党支部委员会",
    "支部委员会",
    "村民委员会",
    "居民委员会",
    "党总支",
    "党支部",
    "总支部",
    "村委会",
    "居委会",
    "委员会",
    "支部",
    "街道办事处",
    "办事处",
    "街道",
    "社区",
    "居委",
    "村委",
    "村",
    "镇",
    "乡",
)
# 土家族乡, 蒙古族满族乡 … : an ethnic township is named like an ordinary 乡 on many forms
_ETHNIC_GROUPS = sorted(
    [
        "蒙古",
        "回",
        "藏",
        "维吾尔",
        "苗",
        "彝",
        "壮",
        "布依",
        "朝鲜",
        "满",
        "侗",
        "瑶",
        "白",
        "土家",
        "哈尼",
        "哈萨克",
        "傣",
        "黎",
        "傈僳",
        "佤",
        "畲",
        "高山",
        "拉祜",
        "水",
        "东乡",
        "纳西",
        "景颇",
        "柯尔克孜",
        "土",
        "达斡尔",
        "仫佬",
        "羌",
        "布朗",
        "撒拉",
        "毛南",
        "仡佬",
        "锡伯",
        "阿昌",
        "普米",
        "塔吉克",
        "怒",
        "乌孜别克",
        "俄罗斯",
        "鄂温克",
        "德昂",
        "保安",
        "裕固",
        "京",
        "塔塔尔",
        "独龙",
        "鄂伦春",
        "赫哲",
        "门巴",
        "珞巴",
        "基诺",
    ],
    key=len,
    reverse=True,
)
_ETHNIC = re.compile("(?:(?:" + "|".join(_ETHNIC_GROUPS) + ")族)+(?=乡$|镇$)")
_TOTALS = ("合计", "小计", "总计", "累计", "全镇", "全乡", "全县", "全区", "总数")


def norm_name(text: str) -> str:
    t = unicodedata.normalize("NFKC", text or "")
    t = _SPACE.sub("", t)
    t = _NUMBERING.sub("", t)
    for p in _PREFIXES:
        if t.startswith(p):
            t = t[len(p) :]
    t = _ETHNIC.sub("", t)
    changed = True
    while changed and t:
        changed = False
        for s in _SUFFIXES:
            if t.endswith(s) and len(t) > len(s):
                t = t[: -len(s)]
                changed = True
                break
    return t


def is_total_label(text: str) -> bool:
    t = _SPACE.sub("", text or "")
    return any(t.startswith(w) or t == w for w in _TOTALS)


class OrgMatcher:
    """Names of the units below a root, normalised once; ambiguous names match nothing."""

    def __init__(self, root: OrgUnit, units: Iterable[OrgUnit]) -> None:
        self.root = root
        self.by_name: dict[str, OrgUnit | None] = {}
        # villages/communities first so that a grid called like its village never wins
        ordered = sorted(units, key=lambda u: (not u.is_village, u.depth))
        for unit in ordered:
            for key in {_SPACE.sub("", unit.name), norm_name(unit.name)}:
                if not key:
                    continue
                if key in self.by_name and self.by_name[key] is not unit:
                    existing = self.by_name[key]
                    if existing is not None and existing.is_village and not unit.is_village:
                        continue
                    self.by_name[key] = None
                else:
                    self.by_name[key] = unit
        self.root_keys = {_SPACE.sub("", root.name), norm_name(root.name)}

    @classmethod
    def below(cls, root: OrgUnit) -> OrgMatcher:
        units = OrgUnit.objects.filter(path__startswith=root.path, is_active=True).exclude(
            pk=root.pk
        )
        return cls(root, list(units))

    def match(self, label: str) -> OrgUnit | None:
        raw = _SPACE.sub("", unicodedata.normalize("NFKC", label or ""))
        if not raw:
            return None
        for key in (raw, norm_name(raw)):
            unit = self.by_name.get(key)
            if unit is not None:
                return unit
        return self._unique_prefix(norm_name(raw))

    def _unique_prefix(self, key: str) -> OrgUnit | None:
        """ "下谷乡" on a form for 下谷坪土家族乡: accept a prefix match only when it is unique."""
        if len(key) < 2:
            return None
        found = {
            u.pk: u
            for name, u in self.by_name.items()
            if u is not None
            and name != key
            and (name.startswith(key) or key.startswith(name))
            and min(len(name), len(key)) >= 2
        }
        return next(iter(found.values())) if len(found) == 1 else None

    def is_root(self, label: str) -> bool:
        raw = _SPACE.sub("", unicodedata.normalize("NFKC", label or ""))
        return bool(raw) and (raw in self.root_keys or norm_name(raw) in self.root_keys)
