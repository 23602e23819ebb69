"""Text models for Qingzhuang: request categories, comment sentiment, near-duplicate texts.

Pure Python (no Django import) so they can be trained, benchmarked and tested alone.
"""

from ._csvio import check_output
from .category import CategoryModel, load_taxonomy_keywords, train_category_model
from .neardup import NearDupIndex, containment
from .sentiment import sentiment_scores

__all__ = [
    "CategoryModel",
    "NearDupIndex",
    "check_output",
    "containment",
    "load_taxonomy_keywords",
    "sentiment_scores",
    "train_category_model",
]
