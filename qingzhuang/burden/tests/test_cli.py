"""`qz burden check/import`: the contract outside checks call."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from qingzhuang.audit.models import AuditEntry
from qingzhuang.burden.models import Demand, Finding
from qingzhuang.burden.tests.helpers import CLEAN, HEADER, VIOLATING

pytestmark = pytest.mark.django_db


def run(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command("burden", *args, stdout=out)
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


def write(tmp_path: Path, text: str, name: str = "d.csv") -> str:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


def test_check_prints_the_contract_shape_and_stores_nothing(tmp_path: Path) -> None:
    result = run("check", "--input", write(tmp_path, VIOLATING), "--json")
    assert list(result) == ["demands"]
    rows = result["demands"]
    assert [r["row"] for r in rows] == list(range(1, 9))  # 1-based data rows (contract)
    assert rows[0]["title"] == "关于开展专项整治的实施方案"
    for r in rows:
        assert set(r) == {"row", "title", "findings"}
        for f in r["findings"]:
            assert set(f) == {"rule", "message", "source"}
            assert f["source"]
    by_row = {r["row"]: {f["rule"] for f in r["findings"]} for r in rows}
    assert by_row[1] == {"DEADLINE_SHORT", "DOC_LENGTH", "DOC_FOLLOWUP"}
    assert by_row[2] == {"DOC_LENGTH"}
    assert by_row[3] == {"MEETING_LONG", "MEETING_COVERED"}
    assert by_row[4] == {"INSPECTION_NO_CODE"}
    assert by_row[5] == set()
    assert by_row[6] == {"INSPECTION_OVER_PLAN"}
    assert by_row[7] == {"APP_BANNED"}
    assert by_row[8] == {"FORM_NOT_ADMITTED"}
    assert Demand.objects.count() == 0


def test_clean_set_has_no_findings(tmp_path: Path) -> None:
    result = run("check", "--input", write(tmp_path, CLEAN), "--json")
    assert len(result["demands"]) == 4
    assert all(r["findings"] == [] for r in result["demands"])


def test_check_with_bom_and_reordered_columns(tmp_path: Path) -> None:
    text = "\ufefftitle,kind,demand,issuer,received,deadline,chars,asks_followup,duration_minutes,covered_by_document,approval_code\n群,app,截图上报,县局,2026-03-02,,,,,,\n"
    result = run("check", "--input", write(tmp_path, text), "--json")
    assert result["demands"][0]["findings"][0]["rule"] == "APP_BANNED"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("kind,title\nreport,x\n", "缺少列"),
        (HEADER + "memo,x,y,2026-01-01,,,,,,,\n", "kind"),
        (HEADER + "report,x,y,2026-02-30,,,,,,,\n", "日期"),
        (HEADER + "meeting,x,y,2026-02-03,,,,abc,,,\n", "duration_minutes"),
        (HEADER + "document,x,y,2026-02-03,,,2,,,,\n", "asks_followup"),
    ],
)
def test_bad_csv_is_one_plain_line_and_nonzero(tmp_path: Path, text: str, needle: str) -> None:
    with pytest.raises(CommandError) as exc:
        run("check", "--input", write(tmp_path, text), "--json")
    message = str(exc.value)
    assert needle in message
    assert "\n" not in message


def test_import_stores_all_rows_with_findings_and_audit(
    tmp_path: Path, org_tree: dict[str, Any]
) -> None:
    result = run(
        "import", "--input", write(tmp_path, VIOLATING), "--org", org_tree["town"].code, "--json"
    )
    assert len(result["demands"]) == 8
    assert Demand.objects.filter(org_unit=org_tree["town"]).count() == 8
    stored = Demand.objects.get(title="全县推进会")
    assert set(stored.findings.values_list("rule_code", flat=True)) == {
        "MEETING_LONG",
        "MEETING_COVERED",
    }
    assert result["demands"][2]["findings"][0]["rule"] in {"MEETING_LONG", "MEETING_COVERED"}
    assert AuditEntry.objects.filter(action="burden.demand.create").count() == 8


def test_import_is_all_or_nothing(tmp_path: Path, org_tree: dict[str, Any]) -> None:
    bad = VIOLATING + "meeting,坏行,县局,2026-13-40,,,,,,,\n"
    with pytest.raises(CommandError, match="第9行"):
        run("import", "--input", write(tmp_path, bad), "--org", org_tree["town"].code, "--json")
    # A row that fails in the service (no received date) also rolls back the earlier rows.
    no_date = VIOLATING + "meeting,无日期,县局,,,,,,,,\n"
    with pytest.raises(CommandError, match="第9行"):
        run("import", "--input", write(tmp_path, no_date), "--org", org_tree["town"].code, "--json")
    assert Demand.objects.count() == 0
    assert Finding.objects.count() == 0


def test_import_then_check_sees_earlier_inspections(
    tmp_path: Path, org_tree: dict[str, Any]
) -> None:
    code = org_tree["town"].code
    run("import", "--input", write(tmp_path, VIOLATING), "--org", code, "--json")
    again = HEADER + "inspection,卫生考核四,县卫健局,2026-09-03,2026-09-30,,,,,A-4,\n"
    result = run("check", "--input", write(tmp_path, again, "b.csv"), "--org", code, "--json")
    assert [f["rule"] for f in result["demands"][0]["findings"]] == ["INSPECTION_OVER_PLAN"]
    assert "第4次" in result["demands"][0]["findings"][0]["message"]


def test_missing_file_is_a_plain_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="找不到文件"):
        run("check", "--input", str(tmp_path / "none.csv"), "--json")


@pytest.mark.parametrize(
    ("line", "needle"),
    [
        ("meeting,会,县局,2026-03-05,2026-03-01,,,,,,", "第1行：截止日期早于收到日期"),
        ("document,x,y,2026-03-02,,99999999999999999999999,,,,,", "第1行 chars 列"),
        ("document,x,y,2026-03-02,,inf,,,,,", "第1行 chars 列"),
        ("meeting,无日期,县局,,,,,,,,", "第1行"),
    ],
)
def test_check_refuses_what_import_refuses(
    tmp_path: Path, org_tree: dict[str, Any], line: str, needle: str
) -> None:
    path = write(tmp_path, HEADER + line + "\n")
    with pytest.raises(CommandError) as checked:
        run("check", "--input", path, "--json")
    with pytest.raises(CommandError) as imported:
        run("import", "--input", path, "--org", org_tree["town"].code, "--json")
    assert needle in str(checked.value) and str(checked.value) == str(imported.value)
    assert "每次耗时" not in str(checked.value) and "\n" not in str(checked.value)
    assert Demand.objects.count() == 0


def test_check_lists_every_bad_row(tmp_path: Path) -> None:
    text = HEADER + (
        "meeting,会一,县局,2026-03-05,2026-03-01,,,,,,\n"
        "meeting,好会,县局,2026-03-05,,,,,,,\n"
        "meeting,会二,县局,2026-03-05,2026-03-02,,,,,,\n"
    )
    with pytest.raises(CommandError) as exc:
        run("check", "--input", write(tmp_path, text), "--json")
    assert "第1行" in str(exc.value) and "第3行" in str(exc.value)


def test_import_skips_rows_already_in_the_ledger(tmp_path: Path, org_tree: dict[str, Any]) -> None:
    path = write(tmp_path, CLEAN)
    code = org_tree["town"].code
    run("import", "--input", path, "--org", code, "--json")
    again = run("import", "--input", path, "--org", code, "--json")
    assert again["demands"] == [] and len(again["skipped"]) == 4
    assert Demand.objects.count() == 4
    out = StringIO()
    call_command("burden", "import", "--input", path, "--org", code, stdout=out)
    assert "第1行：与已登记的“关于做好防汛工作的通知”重复，已跳过" in out.getvalue()


def test_a_file_with_several_bad_rows_names_them_all(tmp_path: Path) -> None:
    text = (
        HEADER
        + "foo,x,y,2026-11-02,,,0,,0,,\n"
        + "report,x,y,2026-13-02,,,0,,0,,\n"
        + "report,x,y,2026-11-02,,,2,,0,,\n"
    )
    for action in ("check", "import"):
        with pytest.raises(CommandError) as exc:
            run(action, "--input", write(tmp_path, text), "--json")
        message = str(exc.value)
        assert "第1行 kind 列" in message and "第2行 received 列" in message
        assert "第3行 asks_followup 列" in message
    assert not Demand.objects.exists()
