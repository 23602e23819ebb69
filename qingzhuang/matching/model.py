"""Plain data types shared by the matching engine (no Django import)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class FieldRef:
    """One field (cell) of a report template.

    ``path`` holds the ancestor headings, outermost first.  The leaf label may or may not be
    repeated as the last element; the engine handles both.  ``form`` identifies the template
    (two fields with the same ``form`` are never merged into one concept).
    """

    key: str
    label: str
    unit: str = ""
    path: tuple[str, ...] = ()
    form: str = ""


@dataclass(frozen=True, slots=True)
class Decision:
    """Outcome of comparing two fields: calibrated probability, verdict and plain reasons."""

    score: float
    same: bool
    reasons: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Concept:
    """A data item asked for by two or more fields."""

    id: str
    name: str
    members: list[FieldRef]
    pairs: list[tuple[str, str, float]]


@dataclass(slots=True)
class ConceptResult:
    concepts: list[Concept]
    singletons: list[FieldRef]
    compared: int = 0
