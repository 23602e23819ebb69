"""Pure scoring math (no Django): intervals, rates, percentiles, scoring rules, roll-ups, formulas.

Kept free of Django (apart from gettext for error messages) so every rule a unit is judged by
can be tested on hand-computed cases.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext

Z95 = 1.959963984540054


def wilson_interval(successes: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion: honest for small n, never outside [0, 1]."""
    if n <= 0:
        return (0.0, 1.0)
    if successes < 0 or successes > n:
        raise ValueError("successes must be between 0 and n")
    p = successes / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = (z / denom) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class Rate:
    """A proportion with its sample, interval and whether the sample is big enough to rank."""

    numerator: float
    denominator: int
    value: float | None
    low: float | None
    high: float | None
    sufficient: bool

    def as_dict(self) -> dict[str, object]:
        return {
            "numerator": self.numerator,
            "denominator": self.denominator,
            "value": self.value,
            "low": self.low,
            "high": self.high,
            "sufficient": self.sufficient,
        }


def rate(numerator: float, denominator: int, *, min_sample: int = 0) -> Rate:
    """numerator/denominator with a Wilson interval; None when there is nothing to divide by."""
    if denominator <= 0:
        return Rate(numerator, 0, None, None, None, False)
    low, high = wilson_interval(numerator, denominator)
    return Rate(
        numerator, denominator, numerator / denominator, low, high, denominator >= min_sample
    )


def median(values: Sequence[float]) -> float | None:
    """The middle value; the mean of the two middle values for an even count."""
    if not values:
        return None
    s = sorted(values)
    n = len(s)
    mid = n // 2
    return float(s[mid]) if n % 2 else (s[mid - 1] + s[mid]) / 2


def percentile_nearest_rank(values: Sequence[float], pct: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least pct% of values at or below it."""
    if not values:
        return None
    s = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(s)))
    return float(s[rank - 1])


def _hist_items(hist: Mapping[int, int]) -> list[tuple[int, int]]:
    return sorted((int(k), int(v)) for k, v in hist.items() if int(v) > 0)


def _hist_kth(items: list[tuple[int, int]], k: int) -> int:
    """The k-th smallest value (1-based) of a histogram."""
    seen = 0
    for value, count in items:
        seen += count
        if seen >= k:
            return value
    raise ValueError("k beyond histogram size")


def hist_median(hist: Mapping[int, int]) -> float | None:
    """median() of the multiset a histogram {value: count} describes (exactly)."""
    items = _hist_items(hist)
    n = sum(c for _, c in items)
    if n == 0:
        return None
    if n % 2:
        return float(_hist_kth(items, n // 2 + 1))
    return (_hist_kth(items, n // 2) + _hist_kth(items, n // 2 + 1)) / 2


def hist_percentile(hist: Mapping[int, int], pct: float) -> float | None:
    """percentile_nearest_rank() of a histogram (exactly)."""
    items = _hist_items(hist)
    n = sum(c for _, c in items)
    if n == 0:
        return None
    return float(_hist_kth(items, max(1, math.ceil(pct / 100 * n))))


def hist_merge(hists: Iterable[Mapping[str, int] | Mapping[int, int]]) -> dict[int, int]:
    out: dict[int, int] = {}
    for h in hists:
        for k, v in h.items():
            out[int(k)] = out.get(int(k), 0) + int(v)
    return out


# --- scoring rules ---------------------------------------------------------------------------

HIGHER = "higher"
LOWER = "lower"


def linear_score(value: float, *, floor: float, target: float, direction: str = HIGHER) -> float:
    """0 at or beyond the floor, 1 at or beyond the target, linear in between.

    direction says which way is better; for "lower is better" the floor is the larger number.
    """
    if direction not in (HIGHER, LOWER):
        raise ValueError("direction must be 'higher' or 'lower'")
    if floor == target:
        good = value >= target if direction == HIGHER else value <= target
        return 1.0 if good else 0.0
    if direction == HIGHER and floor > target or direction == LOWER and floor < target:
        raise ValueError("floor is on the wrong side of the target for this direction")
    share = (value - floor) / (target - floor)
    return max(0.0, min(1.0, share))


def threshold_score(
    value: float, steps: Sequence[Sequence[float]], direction: str = HIGHER
) -> float:
    """Step scoring: steps are [threshold, score 0..1]; the best step the value reaches counts.

    higher is better: a value >= threshold earns that score; lower: a value <= threshold.
    """
    best = 0.0
    for threshold, score in steps:
        reached = value >= threshold if direction == HIGHER else value <= threshold
        if reached:
            best = max(best, float(score))
    return best


def progress(value: float, *, baseline: float, target: float) -> float:
    """Share of the way from baseline to target (0..1), in either direction."""
    if baseline == target:
        return 1.0 if value == target else 0.0
    return max(0.0, min(1.0, (value - baseline) / (target - baseline)))


@dataclass
class GoalNode:
    """A node of a goal tree: a leaf carries its own progress; a parent averages its children."""

    name: str
    weight: float = 1.0
    progress: float | None = None
    children: list[GoalNode] = field(default_factory=list)


def rollup(node: GoalNode) -> float | None:
    """Weighted mean of children's progress; children without data are left out (not zeroed)."""
    if not node.children:
        return node.progress
    total = 0.0
    weights = 0.0
    for child in node.children:
        p = rollup(child)
        if p is None or child.weight <= 0:
            continue
        total += child.weight * p
        weights += child.weight
    node.progress = total / weights if weights else None
    return node.progress


def weighted_total(parts: Iterable[tuple[float, float | None]]) -> float | None:
    """Σ w·s / Σ w over parts that have a score (0..1); None when no part has one."""
    total = 0.0
    weights = 0.0
    for weight, score in parts:
        if score is None:
            continue
        total += weight * score
        weights += weight
    return total / weights if weights else None


# --- safe formulas ---------------------------------------------------------------------------

VARIABLE_RE = re.compile(r"\b([EM]):([A-Za-z0-9_.@\-\u4e00-\u9fff]+)")

_BINOPS: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_UNARY: dict[type[ast.unaryop], Callable[[float], float]] = {
    ast.UAdd: operator.pos,
    ast.USub: operator.neg,
}


class FormulaError(ValueError):
    """A formula that cannot be parsed or evaluated; the message is plain Chinese."""


@dataclass(frozen=True)
class Formula:
    text: str
    tree: ast.Expression
    names: dict[str, str]  # python identifier -> "E:CODE" / "M:metric"

    @property
    def variables(self) -> list[str]:
        return sorted(set(self.names.values()))

    @property
    def elements(self) -> list[str]:
        """The data element codes the formula reads (E:CODE -> CODE)."""
        return [v[2:] for v in self.variables if v.startswith("E:")]

    def divides_by_zero(self) -> bool:
        """True when some division's divisor is a constant that is 0, e.g. `x / 0` or
        `x / (2 - 2)`: such an indicator can never have a value."""
        return any(
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Div)
            and _constant(node.right) == 0
            for node in ast.walk(self.tree)
        )

    def evaluate(self, values: Mapping[str, float | None]) -> float | None:
        """Evaluate with values keyed by "E:CODE"/"M:name"; None if any input is missing
        or a division by zero happens (an indicator without data is not a zero)."""
        try:
            return _eval(self.tree.body, {k: values.get(v) for k, v in self.names.items()})
        except _Missing:
            return None


class _Missing(Exception):
    pass


def parse_formula(text: str) -> Formula:
    """Parse with ast and allow only + - * / ( ), numbers and E:/M: variables — never eval()."""
    names: dict[str, str] = {}

    def _sub(m: re.Match[str]) -> str:
        ident = f"v{len(names)}"
        for k, v in names.items():
            if v == m.group(0):
                return k
        names[ident] = m.group(0)
        return ident

    source = VARIABLE_RE.sub(_sub, text or "")
    if not source.strip():
        raise FormulaError(
            gettext("公式为空：请写出计算式，例如 M:complaints@环境 / E:POP_TOTAL * 1000")
        )
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise FormulaError(
            gettext("公式写法有误：%(formula)s（只能用数字、+ - * /、括号和 E:/M: 变量）")
            % {"formula": text}
        ) from exc
    for node in ast.walk(tree):
        ok = (
            isinstance(
                node,
                (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Name, ast.Load),
            )
            or type(node) in _BINOPS
            or type(node) in _UNARY
        )
        if not ok:
            raise FormulaError(
                gettext("公式里有不允许的写法：%(formula)s（只能用数字、+ - * /、括号和变量）")
                % {"formula": text}
            )
        if isinstance(node, ast.Constant) and (
            isinstance(node.value, bool) or not isinstance(node.value, (int, float))
        ):
            raise FormulaError(gettext("公式里只能出现数字：%(formula)s") % {"formula": text})
        if isinstance(node, ast.Name) and node.id not in names:
            raise FormulaError(
                gettext("公式里的“%(name)s”不是变量：数据元写 E:编码，诉求指标写 M:名称")
                % {"name": node.id}
            )
    return Formula(text=text, tree=tree, names=names)


def _constant(node: ast.expr) -> float | None:
    """The value of a sub-expression without variables; None when it has one (or divides by 0)."""
    if any(isinstance(n, ast.Name) for n in ast.walk(node)):
        return None
    try:
        return _eval(node, {})
    except _Missing:
        return None


def _eval(node: ast.expr, env: Mapping[str, float | None]) -> float:
    if isinstance(node, ast.Constant):
        return float(node.value)  # type: ignore[arg-type]  # numbers only, checked at parse
    if isinstance(node, ast.Name):
        v = env.get(node.id)
        if v is None:
            raise _Missing
        return float(v)
    if isinstance(node, ast.UnaryOp):
        return _UNARY[type(node.op)](_eval(node.operand, env))
    if isinstance(node, ast.BinOp):
        left = _eval(node.left, env)
        right = _eval(node.right, env)
        if isinstance(node.op, ast.Div) and right == 0:
            raise _Missing
        return _BINOPS[type(node.op)](left, right)
    raise FormulaError(gettext("公式里有不允许的写法"))
