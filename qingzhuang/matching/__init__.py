"""Same-item detection: do two report-form fields ask for the same data item?

Pure Python (no Django import) so that it can be tested and benchmarked alone.  Entry points:
``compare`` for one pair, ``find_concepts`` for many fields, ``compare_rows`` for CSV rows.
"""

from qingzhuang.matching.cli_support import compare_rows
from qingzhuang.matching.compare import compare
from qingzhuang.matching.model import Concept, ConceptResult, Decision, FieldRef
from qingzhuang.matching.redundancy import candidate_pairs, find_concepts, pair_key
from qingzhuang.matching.units import convert, parse_unit

__all__ = [
    "Concept",
    "ConceptResult",
    "Decision",
    "FieldRef",
    "candidate_pairs",
    "compare",
    "compare_rows",
    "convert",
    "find_concepts",
    "pair_key",
    "parse_unit",
]
