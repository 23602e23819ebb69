from __future__ import annotations

import csv
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from qingzhuang.evaluation.models import MetricDaily, Score
from qingzhuang.evaluation.tests.helpers import at, make_order


def test_comments_sentiment_adds_probability_and_label(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(
        "id,review\n1,味道很好，送餐很快，下次还点\n2,太难吃了，等了两个小时还是凉的\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    buf = StringIO()
    call_command(
        "comments",
        "sentiment",
        "--input",
        str(src),
        "--text-column",
        "review",
        "--output",
        str(out),
        "--json",
        stdout=buf,
    )
    assert json.loads(buf.getvalue())["rows"] == 2
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert [r["id"] for r in rows] == ["1", "2"]
    assert rows[0]["sentiment"] == "1" and rows[1]["sentiment"] == "0"
    assert float(rows[0]["positive"]) > float(rows[1]["positive"])


def test_comments_sentiment_errors_leave_no_output(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("id,text\n1,好\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    with pytest.raises(CommandError):
        call_command(
            "comments",
            "sentiment",
            "--input",
            str(src),
            "--text-column",
            "review",
            "--output",
            str(out),
        )
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [src]
    with pytest.raises(CommandError, match="找不到"):
        call_command(
            "comments",
            "sentiment",
            "--input",
            str(tmp_path / "nope.csv"),
            "--text-column",
            "review",
            "--output",
            str(out),
        )


def test_comments_sentiment_refuses_a_missing_folder_and_the_input_as_output(
    tmp_path: Path,
) -> None:
    src = tmp_path / "in.csv"
    src.write_text("id,review\n1,很好\n", encoding="utf-8")
    before = src.read_bytes()
    missing = tmp_path / "nonexistdir"
    args = ["comments", "sentiment", "--input", str(src), "--text-column", "review"]
    with pytest.raises(CommandError, match="输出文件所在的文件夹不存在"):
        call_command(*args, "--output", str(missing / "x.csv"))
    assert not missing.exists()
    with pytest.raises(CommandError, match="输出文件不能和输入文件相同"):
        call_command(*args, "--output", str(tmp_path / "." / "in.csv"))
    assert src.read_bytes() == before and list(tmp_path.iterdir()) == [src]


def test_evaluation_metrics_rebuild_and_verify(org_tree: dict[str, Any]) -> None:
    make_order(unit=org_tree["village_a"], created=at(3))
    MetricDaily.objects.all().delete()
    buf = StringIO()
    call_command("evaluation", "metrics", "--json", stdout=buf)
    assert json.loads(buf.getvalue())["differences"] == 0
    assert MetricDaily.objects.get().received == 1


def test_evaluation_score_command(org_tree: dict[str, Any]) -> None:
    _yearly_scheme()
    buf = StringIO()
    call_command(
        "evaluation", "score", "--scheme", "年度", "--period", "2026", "--json", stdout=buf
    )
    assert json.loads(buf.getvalue())["units"] == 2
    assert Score.objects.filter(period="2026", total=100).count() == 2
    with pytest.raises(CommandError, match="方案"):
        call_command("evaluation", "score", "--scheme", "不存在", "--period", "2026")


def _yearly_scheme() -> Any:
    from qingzhuang.evaluation import services

    ind = services.indicator_upsert(
        code="REQ",
        name="诉求量",
        formula="M:received",
        floor=10,
        target=0,
        direction="lower",
        actor="test",
    )
    scheme = services.scheme_upsert(
        name="年度", period_type="year", frequency_per_year=1, actor="test"
    )
    services.scheme_item_set(scheme=scheme, indicator=ind, weight=1, actor="test")
    return scheme


def _second_township(org_tree: dict[str, Any]) -> dict[str, Any]:
    """Another township of the same county with a village of the same name (names need only
    be unique among siblings)."""
    from qingzhuang.org.models import OrgLevel
    from qingzhuang.org.tests.factories import OrgUnitFactory

    north = OrgUnitFactory(
        code="420000200001", name="北镇", level=OrgLevel.TOWNSHIP, parent=org_tree["county"]
    )
    twin = OrgUnitFactory(code="420000200201", name="东村", parent=north)
    return {"north": north, "twin": twin}


def _score(*extra: str) -> dict[str, Any]:
    buf = StringIO()
    call_command(
        "evaluation", "score", "--scheme", "年度", "--period", "2026", *extra, "--json", stdout=buf
    )
    return json.loads(buf.getvalue())  # type: ignore[no-any-return]


def test_score_lists_units_by_code_so_same_names_are_kept(org_tree: dict[str, Any]) -> None:
    _yearly_scheme()
    other = _second_township(org_tree)
    result = _score("--org", org_tree["county"].code)
    assert result["units"] == 3 == len(result["scores"])
    codes = {(s["code"], s["name"]) for s in result["scores"]}
    assert codes == {
        (org_tree["village_a"].code, "东村"),
        (org_tree["village_b"].code, "西村"),
        (other["twin"].code, "东村"),
    }
    assert all(s["total"] == 100 for s in result["scores"])


def test_score_covers_only_the_villages_of_the_township(org_tree: dict[str, Any]) -> None:
    scheme = _yearly_scheme()
    other = _second_township(org_tree)
    result = _score("--org", org_tree["town"].code)
    assert result["org"] == org_tree["town"].code
    assert [s["code"] for s in result["scores"]] == [
        org_tree["village_a"].code,
        org_tree["village_b"].code,
    ]
    assert not Score.objects.filter(scheme=scheme, org_unit=other["twin"]).exists()


def test_score_needs_org_when_there_are_several_townships(org_tree: dict[str, Any]) -> None:
    _yearly_scheme()
    _second_township(org_tree)
    with pytest.raises(CommandError, match="--org"):
        _score()
    with pytest.raises(CommandError, match="找不到单位代码 999"):
        _score("--org", "999")
    assert not Score.objects.exists()


def test_score_defaults_to_the_only_township(org_tree: dict[str, Any]) -> None:
    _yearly_scheme()
    result = _score()
    assert result["org"] == org_tree["town"].code
    assert {s["name"] for s in result["scores"]} == {"东村", "西村"}


def test_score_button_scores_only_the_admins_township(
    org_tree: dict[str, Any], client: Any
) -> None:
    """The page's 计算评分 runs for the signed-in admin's township, like `--org` on the CLI."""
    scheme = _yearly_scheme()
    other = _second_township(org_tree)
    assert client.login(username="town_admin", password=org_tree["password"])
    resp = client.post("/evaluation/scores/compute/", {"scheme": scheme.pk, "period": "2025"})
    assert resp.status_code == 302
    scored = set(Score.objects.filter(scheme=scheme).values_list("org_unit_id", flat=True))
    assert scored == {org_tree["village_a"].pk, org_tree["village_b"].pk}
    assert other["twin"].pk not in scored
