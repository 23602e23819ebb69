"""Match a row label of a form ("中共青山村支部委员会", "青山", "青山村委会") to an org unit.

Levels count: a row called …镇/乡/街道 is a township and …村/社区/居委会 a village, whatever
their stem (another county's 新华镇 is not our 新华社区); a one-unit form whose title names a
level (县(市)社会经济基本情况) belongs to a unit of that level.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils.translation import gettext, gettext_noop

from qingzhuang.org.models import OrgLevel, OrgUnit

if TYPE_CHECKING:
    from qingzhuang.reporting.models import Sheet

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
# The level a suffix names: 新华镇 and 新华社区 share the stem 新华 but are never one unit.
TOWNSHIP, VILLAGE = "township", "village"
_SUFFIX_LEVEL = {
    "村民委员会": VILLAGE,
    "居民委员会": VILLAGE,
    "村委会": VILLAGE,
    "居委会": VILLAGE,
    "社区": VILLAGE,
    "居委": VILLAGE,
    "村委": VILLAGE,
    "村": VILLAGE,
    "街道办事处": TOWNSHIP,
    "办事处": TOWNSHIP,
    "街道": TOWNSHIP,
    "镇": TOWNSHIP,
    "乡": TOWNSHIP,
}


def _strip(text: str) -> tuple[str, str | None]:
    """The stem of a unit name and the level its outermost level suffix names (or None)."""
    t = unicodedata.normalize("NFKC", text or "")
    t = _SPACE.sub("", t)
    t = _NUMBERING.sub("", t)
    for p in _PREFIXES:
        if t.startswith(p):
            t = t[len(p) :]
    t = _ETHNIC.sub("", t)
    level: str | None = None
    changed = True
    while changed and t:
        changed = False
        for s in _SUFFIXES:
            if t.endswith(s) and len(t) > len(s):
                t = t[: -len(s)]
                level = level or _SUFFIX_LEVEL.get(s)
                changed = True
                break
    return t, level


def norm_name(text: str) -> str:
    return _strip(text)[0]


def name_level(text: str) -> str | None:
    """ "township" for 新华镇/新华街道, "village" for 新华社区/中共青山村支部委员会, None for 新华."""
    return _strip(text)[1]


# A one-unit form whose title names a level is filled by a unit of that level: 县(市)社会经济基本
# 情况 is the county's, never a township's. Only plain level names count; 村级…/乡镇企业… may be
# a township's own totals, so they name no level here.
COUNTY = "county"
_TITLE_LEVELS = (
    (re.compile(r"^(县\([^)]*\)|县级|县市|县区|全县)"), COUNTY),
    (re.compile(r"^(乡\(镇[^)]*\)|乡镇\(街道\)|乡级|镇级|全镇|全乡)"), TOWNSHIP),
    (re.compile(r"^(村(?![级民集委组])|行政村)"), VILLAGE),
)


def title_level(title: str) -> str | None:
    """The level of unit a form title says fills it in ("county", "township", "village")."""
    t = _SPACE.sub("", unicodedata.normalize("NFKC", title or ""))
    return next((level for pattern, level in _TITLE_LEVELS if pattern.match(t)), None)


def unit_level(unit: OrgUnit) -> str:
    """The level of a unit in the words ``title_level`` uses (a community counts as a village)."""
    return VILLAGE if unit.is_village else str(unit.level)


_LEVEL_NAMES = {
    COUNTY: gettext_noop("县(市)级"),
    TOWNSHIP: gettext_noop("乡(镇)级"),
    VILLAGE: gettext_noop("村级"),
}


def sheet_level_mismatch(sheet: Sheet, org: OrgUnit) -> str | None:
    """The level a one-unit sheet's title names when it is not ``org``'s level.

    Why: the 2016 workbook holds a 县(市), a 乡(镇) and a 村 form side by side; a township's
    figures belong in its own form only, and a county's figure is never a township's.
    """
    if sheet.orientation != "rows":
        return None
    level = title_level(sheet.title or sheet.name or "")
    return level if level is not None and level != unit_level(org) else None


def level_name(level: str) -> str:
    """The name of a level in messages: 县(市)级, 乡(镇)级, 村级."""
    return gettext(_LEVEL_NAMES[level])


def level_fits(unit: OrgUnit, level: str | None) -> bool:
    """Whether a name whose suffix names ``level`` can be ``unit``."""
    if level == VILLAGE:
        return unit.is_village
    if level == TOWNSHIP:
        return unit.level == OrgLevel.TOWNSHIP
    return True


def is_total_label(text: str) -> bool:
    t = _SPACE.sub("", text or "")
    return any(t.startswith(w) or t == w for w in _TOTALS)


class OrgMatcher:
    """Names of the units below a root, normalised once; ambiguous names match nothing.

    A row whose name ends in a level word (镇/乡/街道, 村/社区/居委会) only matches a unit of
    that level, so another county's 新华镇 is never taken for our 新华社区.
    """

    def __init__(self, root: OrgUnit, units: Iterable[OrgUnit]) -> None:
        self.root = root
        self.by_name: dict[str, list[OrgUnit]] = {}
        for unit in units:
            for key in {_SPACE.sub("", unit.name), norm_name(unit.name)}:
                if key:
                    self.by_name.setdefault(key, []).append(unit)
        self.root_keys = {_SPACE.sub("", root.name), norm_name(root.name)}

    @classmethod
    def below(cls, root: OrgUnit) -> OrgMatcher:
        units = OrgUnit.objects.filter(path__startswith=root.path, is_active=True).exclude(
            pk=root.pk
        )
        return cls(root, list(units))

    @staticmethod
    def _one(units: Iterable[OrgUnit]) -> OrgUnit | None:
        """The unit a name means: villages first, so a grid called like its village never wins."""
        found = {u.pk: u for u in units}
        villages = [u for u in found.values() if u.is_village]
        pool = villages or list(found.values())
        return pool[0] if len(pool) == 1 else None

    def match(self, label: str) -> OrgUnit | None:
        raw = _SPACE.sub("", unicodedata.normalize("NFKC", label or ""))
        if not raw:
            return None
        level = name_level(raw)
        for key in (raw, norm_name(raw)):
            units = [u for u in self.by_name.get(key, []) if level_fits(u, level)]
            if units:
                return self._one(units)
        return self._unique_prefix(norm_name(raw), level)

    def _unique_prefix(self, key: str, level: str | None) -> OrgUnit | None:
        """ "下谷乡" on a form for 下谷坪土家族乡: a form may shorten our name, so accept a unique
        unit whose name starts with the row's. Never the other way round: 青山村小学 and
        柳河林场 start with our 青山/柳河 but are a school and a forest farm."""
        if len(key) < 2:
            return None
        found = {
            u.pk: u
            for name, units in self.by_name.items()
            for u in units
            if name != key and name.startswith(key) and level_fits(u, level)
        }
        return next(iter(found.values())) if len(found) == 1 else None

    def is_root(self, label: str) -> bool:
        raw = _SPACE.sub("", unicodedata.normalize("NFKC", label or ""))
        if not raw or not level_fits(self.root, name_level(raw)):
            return False
        return raw in self.root_keys or norm_name(raw) in self.root_keys
