"""Scheme checker (pure): does an evaluation scheme judge results, or paperwork?

The 2024 rules on reducing grassroots burdens forbid assessing units by 留痕 (traces of
activity: documents, meetings, photos, sign-ins, app time) and ask for fewer, less frequent
assessments. The checker flags such indicators and reports the outcome/process mix.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from qingzhuang.i18n import gettext, join_list

OUTCOME = "outcome"
PROCESS = "process"
PAPERWORK = "paperwork"

# Words that reveal an indicator counts activity traces rather than results.
PAPERWORK_WORDS: tuple[str, ...] = (
    "台账",
    "留痕",
    "痕迹",
    "照片",
    "拍照",
    "图片",
    "截图",
    "签到",
    "打卡",
    "考勤",
    "会议",
    "开会",
    "发文",
    "文件数",
    "材料",
    "报告数",
    "总结",
    "笔记",
    "心得",
    "APP",
    "app",
    "App",
    "在线时长",
    "使用时长",
    "登录次数",
    "学习时长",
    "积分",
    "宣传次数",
    "转发",
    "点赞",
    "档案",
    "记录本",
    "检查次数",
    "走访次数",
)
COUNT_WORDS: tuple[str, ...] = (
    "次数",
    "份数",
    "篇数",
    "张数",
    "个数",
    "数量",
    "次",
    "份",
    "篇",
    "张",
)

DEFAULT_MAX_INDICATORS = 10
DEFAULT_MAX_FREQUENCY = 4  # assessments per year (quarterly at most)


@dataclass(frozen=True)
class IndicatorInfo:
    code: str
    name: str
    kind: str = OUTCOME
    formula: str = ""
    unit: str = ""
    tags: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()  # data element codes the formula reads that do not exist


@dataclass(frozen=True)
class Finding:
    severity: str  # "bad" | "warn"
    code: str  # machine code of the rule
    message: str  # plain Chinese
    indicator: str = ""  # indicator code, "" for scheme-level findings

    def as_dict(self) -> dict[str, str]:
        return {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "indicator": self.indicator,
        }


@dataclass
class CheckResult:
    findings: list[Finding] = field(default_factory=list)
    outcome_share: float = 0.0
    process_share: float = 0.0
    paperwork_share: float = 0.0
    indicator_count: int = 0

    @property
    def ok(self) -> bool:
        return not any(f.severity == "bad" for f in self.findings)

    @property
    def share_percents(self) -> dict[str, int]:
        """The three shares as whole percents that add up to 100 (largest remainder), so the
        page never shows 91% + 5% + 5%."""
        shares = {
            OUTCOME: self.outcome_share,
            PROCESS: self.process_share,
            PAPERWORK: self.paperwork_share,
        }
        return largest_remainder(shares, 100)

    def as_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "indicator_count": self.indicator_count,
            "outcome_share": self.outcome_share,
            "process_share": self.process_share,
            "paperwork_share": self.paperwork_share,
            "findings": [f.as_dict() for f in self.findings],
        }


def largest_remainder(shares: dict[str, float], total: int) -> dict[str, int]:
    """Round shares (summing to 1, or all 0) to integers summing to `total`: floor each, then
    give the units left over to the largest remainders (ties in the given order)."""
    if sum(shares.values()) <= 0:
        return dict.fromkeys(shares, 0)
    exact = {k: v * total for k, v in shares.items()}
    out = {k: math.floor(v) for k, v in exact.items()}
    left = total - sum(out.values())
    by_remainder = sorted(exact, key=lambda k: exact[k] - out[k], reverse=True)
    for k in by_remainder[:left]:
        out[k] += 1
    return out


def paperwork_words(ind: IndicatorInfo) -> list[str]:
    """The trace words an indicator's name, unit, tags or formula contain."""
    text = " ".join([ind.name, ind.unit, ind.formula, *ind.tags])
    return [w for w in PAPERWORK_WORDS if w in text]


def check_scheme(
    indicators: Sequence[tuple[IndicatorInfo, float]],
    *,
    frequency_per_year: int,
    max_indicators: int = DEFAULT_MAX_INDICATORS,
    max_frequency: int = DEFAULT_MAX_FREQUENCY,
) -> CheckResult:
    """Check (indicator, weight) pairs; shares are by weight (by count if all weights are 0)."""
    result = CheckResult(indicator_count=len(indicators))
    for ind, _weight in indicators:
        words = paperwork_words(ind)
        if ind.kind == PAPERWORK or words:
            counting = any(w in " ".join([ind.name, ind.unit]) for w in COUNT_WORDS)
            why = join_list(dict.fromkeys(words)) or gettext("被标为留痕类")
            message = (
                gettext(
                    "“%(name)s”考核的是留痕/材料（%(why)s），按数量计分会鼓励多做材料。"
                    "请改为考核群众得到的结果，如解决率、满意率。"
                )
                if counting
                else gettext(
                    "“%(name)s”考核的是留痕/材料（%(why)s）。"
                    "请改为考核群众得到的结果，如解决率、满意率。"
                )
            )
            result.findings.append(
                Finding(
                    "bad",
                    "rewards_paperwork",
                    message % {"name": ind.name, "why": why},
                    ind.code,
                )
            )
    for ind, _weight in indicators:
        if ind.missing:
            result.findings.append(
                Finding(
                    "bad",
                    "missing_element",
                    gettext(
                        "“%(name)s”的公式用到的数据元不存在：%(codes)s。"
                        "这项指标永远算不出数值，请改正公式或先建好数据元。"
                    )
                    % {"name": ind.name, "codes": join_list(ind.missing)},
                    ind.code,
                )
            )
    if len(indicators) > max_indicators:
        result.findings.append(
            Finding(
                "bad",
                "too_many_indicators",
                gettext("方案有 %(n)s 项指标，超过上限 %(max)s 项。请合并或删去次要指标。")
                % {"n": len(indicators), "max": max_indicators},
            )
        )
    if frequency_per_year > max_frequency:
        result.findings.append(
            Finding(
                "bad",
                "too_frequent",
                gettext(
                    "每年考核 %(n)s 次，超过上限 %(max)s 次。"
                    "请改为按季度或半年考核，日常用数据看板代替。"
                )
                % {"n": frequency_per_year, "max": max_frequency},
            )
        )
    weights = {OUTCOME: 0.0, PROCESS: 0.0, PAPERWORK: 0.0}
    use_count = all(w <= 0 for _, w in indicators)
    for ind, w in indicators:
        kind = PAPERWORK if (ind.kind == PAPERWORK or paperwork_words(ind)) else ind.kind
        weights[kind if kind in weights else PROCESS] += 1.0 if use_count else max(w, 0.0)
    total = sum(weights.values())
    if total:
        result.outcome_share = weights[OUTCOME] / total
        result.process_share = weights[PROCESS] / total
        result.paperwork_share = weights[PAPERWORK] / total
    if indicators and result.outcome_share < 0.6:
        result.findings.append(
            Finding(
                "warn",
                "few_outcomes",
                gettext("结果类指标只占 %(share)s%% 的权重，建议不低于 60%%。")
                % {"share": result.share_percents[OUTCOME]},
            )
        )
    return result
