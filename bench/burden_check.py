"""Burden ledger bench: time `burden check` on a generated CSV and render the monthly PDF to PNG.

Run: DJANGO_SETTINGS_MODULE=config.settings.dev QZ_DATA_DIR=/tmp/qz-bench .venv/bin/python bench/burden_check.py [N]
(after `qz demo` in that data dir). Prints rows/s for the pure checker and writes /tmp/burden-report-p1.png
(via pypdfium2, or pdftoppm when installed) so a person can look at the printable report.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
django.setup()

from qingzhuang.burden import exports, selectors, services  # noqa: E402
from qingzhuang.burden.csv_io import COLUMNS, parse_demands_csv  # noqa: E402
from qingzhuang.org.scope import Scope  # noqa: E402


def _csv(n: int) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(COLUMNS)
    kinds = ["document", "meeting", "inspection", "app", "report"]
    for i in range(n):
        k = kinds[i % 5]
        w.writerow([k, f"事项{i}", f"县局{i % 7}", f"2026-{1 + i % 12:02d}-03", f"2026-{1 + i % 12:02d}-10",
                    4000 + i % 3000, i % 2, 60 + i % 90, i % 2, "" if i % 3 else "C1", "每日打卡" if i % 4 else ""])  # fmt: skip
    return buf.getvalue().encode()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    rows = parse_demands_csv(_csv(n))
    t = time.perf_counter()
    result = services.demands_check(rows=rows)
    dt = time.perf_counter() - t
    flagged = sum(1 for d in result["demands"] if d["findings"])
    print(f"burden check: {n} rows in {dt:.2f}s ({n / dt:.0f} rows/s), {flagged} flagged")

    town = services.default_org_unit()
    report = selectors.monthly_report(
        scope=Scope.of_unit(town), year=2026, month=3, unit_name=town.name
    )
    pdf = exports.report_pdf(report)
    tmp = Path(tempfile.gettempdir())
    pdf_path = tmp / "burden-report.pdf"
    pdf_path.write_bytes(pdf)
    out = tmp / "burden-report-p1.png"
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",  # noqa: S603,S607
                        str(pdf_path), str(out.with_suffix(""))], check=True)  # fmt: skip
    else:
        import pypdfium2 as pdfium

        page = pdfium.PdfDocument(pdf)[0]
        page.render(scale=1.2).to_pil().save(out)
    print(
        f"monthly PDF: {len(pdf)} bytes, {len(report['demands'])} demands; page 1 rendered to {out}"
    )


if __name__ == "__main__":
    main()
