"""Pure-Python spreadsheet engine: parse report templates (and, elsewhere, write them).

No Django import anywhere in this package, so it can be tested and benchmarked alone.
"""

from .errors import CorruptFile, EmptyFile, EncryptedFile, SheetError, TooLarge, UnsupportedFormat
from .model import DataRow, ParsedField, ParsedSheet, ParsedWorkbook
from .parse import parse_file

__all__ = [
    "CorruptFile",
    "DataRow",
    "EmptyFile",
    "EncryptedFile",
    "ParsedField",
    "ParsedSheet",
    "ParsedWorkbook",
    "SheetError",
    "TooLarge",
    "UnsupportedFormat",
    "parse_file",
]
