"""Plain data types shared by the matching engine (no Django import)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class FieldRef:
    """One field (cell) of a report template.

    ``path`` holds the ancestor headings, outermost first.  The leaf label may or may not be
    repeated as the last element, and headings after it name the value column (产值 现价);
    the engine handles all of these.  ``form`` identifies the template (two fields with the
    same ``form`` are never merged into one concept).  ``title`` is the heading of the sheet
    the field sits in (设施农业生产情况, 畜禽规模养殖情况, …季节报表): what it states applies to
    every field of the sheet.  Without it the text after the last ":" of ``form`` is used,
    as in the labelled pairs ("HBzd:A304:设施农业生产情况").
    """

    key: str
    label: str
    unit: str = ""
    path: tuple[str, ...] = ()
    form: str = ""
    title: str = ""


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
