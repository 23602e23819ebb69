"""The reporting commands (`qz concepts`, `qz forms`, `qz fields`) as a clerk runs them."""

from __future__ import annotations

import csv
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from qingzhuang.audit.models import AuditEntry
from qingzhuang.datastore.tests import builders
from qingzhuang.reporting import services
from qingzhuang.reporting.models import Concept

PAIRS_HEADER = "left_label,left_unit,left_path,right_label,right_unit,right_path"


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def _refused(*args: str) -> str:
    with pytest.raises(CommandError) as err:
        call_command(*args, stdout=StringIO(), stderr=StringIO())
    return str(err.value)


@pytest.mark.django_db(transaction=True)
def test_concepts_analyse_on_the_command_line_commits_with_its_audit_entry(
    tmp_path: Path,
) -> None:
    """No outer transaction here, as on the real command line: the analysis must run in its
    own, so its changes and their audit entry are saved together."""
    for i, build in enumerate([builders.minzheng_xlsx, builders.tongji_xlsx]):
        services.template_import(path=build(tmp_path / f"{i}.xlsx"), actor="t")
    audits = AuditEntry.objects.filter(action="reporting.redundancy.analyse").count()
    result = json.loads(_run("concepts", "analyse", "--json"))
    assert result["concepts"] == Concept.objects.filter(status="suggested").count() > 0
    assert AuditEntry.objects.filter(action="reporting.redundancy.analyse").count() == audits + 1


@pytest.mark.django_db(transaction=True)
def test_concepts_analyse_that_fails_leaves_the_old_suggestions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i, build in enumerate([builders.minzheng_xlsx, builders.tongji_xlsx]):
        services.template_import(path=build(tmp_path / f"{i}.xlsx"), actor="t")
    with transaction.atomic():
        services.redundancy_analyse(actor="t")
    before = sorted(Concept.objects.values_list("pk", flat=True))
    assert before

    def broken(**_kwargs: Any) -> None:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(services, "audit_record", broken)
    with pytest.raises(RuntimeError):
        services.redundancy_analyse(actor="t")
    assert sorted(Concept.objects.values_list("pk", flat=True)) == before


# --- qz fields compare ---------------------------------------------------------------------


def _pairs(path: Path, header: str, *rows: str, encoding: str = "utf-8") -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding=encoding)
    return path


def test_fields_compare_keeps_a_same_column_of_the_input_under_another_name(
    tmp_path: Path,
) -> None:
    """DESIGN: the output adds score and same (the decision), and other columns are copied
    through. A human-labelled `same` column (the real pairs files have one) keeps its values,
    renamed to same_input, and the command says so."""
    src = _pairs(
        tmp_path / "pairs.csv",
        PAIRS_HEADER + ",same,note",
        "户籍人口,人,,耕地面积,亩,,1,a",
        "户籍人口,人,,户籍人口,人,,0,b",
    )
    dst = tmp_path / "out.csv"
    result = json.loads(
        _run("fields", "compare", "--input", str(src), "--output", str(dst), "--json")
    )
    with dst.open(encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
    assert reader.fieldnames == [*PAIRS_HEADER.split(","), "same_input", "note", "score", "same"]
    assert [r["same_input"] for r in rows] == ["1", "0"]  # the input's labels, unchanged
    assert [r["same"] for r in rows] == ["0", "1"]  # the decision
    assert [r["note"] for r in rows] == ["a", "b"]
    assert result["renamed_columns"] == {"same": "same_input"}
    human = _run("fields", "compare", "--input", str(src), "--output", str(dst))
    assert "same_input" in human


def test_fields_compare_refuses_when_the_new_name_is_taken_too(tmp_path: Path) -> None:
    src = _pairs(
        tmp_path / "pairs.csv",
        PAIRS_HEADER + ",score,score_input",
        "户籍人口,人,,户籍人口,人,,x,y",
    )
    dst = tmp_path / "out.csv"
    message = _refused("fields", "compare", "--input", str(src), "--output", str(dst))
    assert "score" in message and "score_input" in message
    assert not dst.exists()


def test_fields_compare_reads_a_gbk_file(tmp_path: Path) -> None:
    src = _pairs(tmp_path / "gbk.csv", PAIRS_HEADER, "户籍人口,人,,户籍人口,人,", encoding="gbk")
    dst = tmp_path / "out.csv"
    result = json.loads(
        _run("fields", "compare", "--input", str(src), "--output", str(dst), "--json")
    )
    assert result["rows"] == 1
    with dst.open(encoding="utf-8-sig") as fh:
        row = next(csv.DictReader(fh))
    assert row["left_label"] == "户籍人口" and row["same"] == "1"


def test_fields_compare_refuses_a_folder_as_output_in_plain_words(tmp_path: Path) -> None:
    src = _pairs(tmp_path / "pairs.csv", PAIRS_HEADER, "户籍人口,人,,户籍人口,人,")
    message = _refused("fields", "compare", "--input", str(src), "--output", str(tmp_path))
    assert message.startswith("输出路径是一个文件夹，请给出文件名，例如 ")
    assert "Errno" not in message


def test_fields_compare_refuses_a_missing_folder_and_creates_nothing(tmp_path: Path) -> None:
    src = _pairs(tmp_path / "pairs.csv", PAIRS_HEADER, "户籍人口,人,,户籍人口,人,")
    missing = tmp_path / "nope"
    message = _refused(
        "fields", "compare", "--input", str(src), "--output", str(missing / "out.csv")
    )
    assert "文件夹不存在" in message and "Errno" not in message
    assert not missing.exists()


def test_fields_compare_refuses_to_overwrite_its_input(tmp_path: Path) -> None:
    src = _pairs(tmp_path / "pairs.csv", PAIRS_HEADER, "户籍人口,人,,户籍人口,人,")
    before = src.read_bytes()
    message = _refused("fields", "compare", "--input", str(src), "--output", str(src))
    assert "输入文件相同" in message
    assert src.read_bytes() == before


# --- qz forms parse -------------------------------------------------------------------------


def test_forms_parse_of_a_folder_says_it_is_a_folder(tmp_path: Path) -> None:
    message = _refused("forms", "parse", str(tmp_path))
    assert "文件夹" in message and "找不到" not in message


def test_forms_parse_of_a_text_file_named_xlsx_says_it_is_not_a_workbook(tmp_path: Path) -> None:
    fake = tmp_path / "fake.xlsx"
    fake.write_text("这不是表格，只是一段文字。\n第二行\n", encoding="utf-8")
    message = _refused("forms", "parse", str(fake))
    assert "扩展名是 .xlsx" in message and "没有找到可识别的表格" not in message
