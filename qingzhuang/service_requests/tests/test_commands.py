"""`qz requests ...` subcommands: the CLI contracts and the product helpers."""

from __future__ import annotations

import csv
import datetime as dt
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from qingzhuang.service_requests.models import ServiceRequest, WorkOrder
from qingzhuang.service_requests.tests.helpers import order_for

LABELLED = [
    ("村口路灯坏了晚上很黑", "城乡建设"),
    ("小区路灯不亮请维修", "城乡建设"),
    ("道路有坑需要修补", "城乡建设"),
    ("桥面护栏松动请修理", "城乡建设"),
    ("养老金什么时候发放", "劳动和社会保障"),
    ("医保缴费标准是多少", "劳动和社会保障"),
    ("工资被拖欠三个月", "劳动和社会保障"),
    ("失业保险怎么领取", "劳动和社会保障"),
]


def _csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def _json(*args: str) -> Any:
    out = StringIO()
    call_command("requests", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_train_then_classify_adds_prediction_columns(tmp_path: Path) -> None:
    train = _csv(
        tmp_path / "train.csv",
        [{"text": t, "label": lab, "id": str(i)} for i, (t, lab) in enumerate(LABELLED * 3)],
    )
    model = tmp_path / "m.model"
    summary = _json(
        "train",
        "--input",
        str(train),
        "--text-column",
        "text",
        "--label-column",
        "label",
        "--model",
        str(model),
    )
    assert model.is_file() and summary["rows"] == len(LABELLED) * 3
    src = _csv(
        tmp_path / "in.csv",
        [{"id": "1", "text": "路灯坏了请来修"}, {"id": "2", "text": "养老金发放时间"}],
    )
    out = tmp_path / "out.csv"
    result = _json(
        "classify",
        "--model",
        str(model),
        "--input",
        str(src),
        "--text-column",
        "text",
        "--output",
        str(out),
    )
    assert result["rows"] == 2
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert list(rows[0]) == ["id", "text", "predicted_label", "confidence"]
    assert rows[0]["predicted_label"] == "城乡建设"
    assert rows[1]["predicted_label"] == "劳动和社会保障"
    assert 0 <= float(rows[0]["confidence"]) <= 1


def test_classify_missing_file_is_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="找不到文件"):
        call_command(
            "requests",
            "classify",
            "--model",
            str(tmp_path / "x"),
            "--input",
            str(tmp_path / "none.csv"),
            "--output",
            str(tmp_path / "o.csv"),
        )


def test_import_command_is_idempotent(tmp_path: Path, org_tree: dict[str, Any]) -> None:
    src = _csv(
        tmp_path / "h.csv",
        [
            {
                "工单编号": "A1",
                "诉求内容": "东村的河道有人倒垃圾",
                "所属村社区": "东村",
                "诉求类型": "举报",
            },
            {
                "工单编号": "A2",
                "诉求内容": "西村路口红绿灯坏了",
                "所属村社区": "西村",
                "诉求类型": "求助",
            },
        ],
    )
    first = _json("import", "--input", str(src), "--org", org_tree["town"].code)
    again = _json("import", "--input", str(src), "--org", org_tree["town"].code)
    assert first["created"] == 2 and again == {"rows": 2, "created": 0, "unchanged": 2}
    assert ServiceRequest.objects.filter(channel="hotline_12345").count() == 2


def test_sla_scan_command_flags_overdue(org_tree: dict[str, Any]) -> None:
    old = order_for(org_tree["village_a"], created_at=dt.datetime(2025, 1, 6, 9, 0, tzinfo=dt.UTC))
    result = _json("sla-scan")
    old.refresh_from_db()
    assert result["overdue_resolution"] >= 1 and old.overdue_resolution


def test_retrain_uses_history_including_overrides(
    org_tree: dict[str, Any], tmp_path: Path, settings: Any, monkeypatch: Any
) -> None:
    from config import env
    from qingzhuang.service_requests import classify

    monkeypatch.setattr(env, "DATA_DIR", tmp_path)
    for i, (text, label) in enumerate(LABELLED * 2):
        order_for(org_tree["village_a"], text=f"{text}，请尽快处理（第{i}次）", category=label)
    result = _json("retrain", "--min-per-category", "2")
    assert Path(result["model"]).is_file() and set(result["categories"]) == {
        "城乡建设",
        "劳动和社会保障",
    }
    classify.reset_cache()
    new = order_for(org_tree["village_b"], text="路灯坏了好几天没人修")
    assert new.request.suggested_category == "城乡建设"
    assert new.request.category_confidence is not None
    assert WorkOrder.objects.count() == len(LABELLED) * 2 + 1


def test_retrain_refuses_without_history(org_tree: dict[str, Any]) -> None:
    with pytest.raises(CommandError, match="太少"):
        call_command("requests", "retrain")


def test_hotspots_csv_on_real_messages(shared_data: Path) -> None:
    result = _json(
        "hotspots-csv", "--input", str(shared_data / "requests" / "messages_hot.csv"), "--top", "5"
    )
    assert result["rows"] > 1000
    assert result["clusters"] > 0
    top = result["top"][0]
    assert top["count"] >= 3 and top["weeks"]


def test_hotspots_command(org_tree: dict[str, Any]) -> None:
    for i in range(3):
        order_for(org_tree["village_a"], category="环境卫生", text=f"垃圾堆放第{i}次反映，没人清理")
    result = _json("hotspots")
    assert result[0]["category"] == "环境卫生" and result[0]["count"] == 3


def test_classify_refuses_to_overwrite_its_input(tmp_path: Path, monkeypatch: Any) -> None:
    from qingzhuang.textclass import cli_support

    src = _csv(tmp_path / "in.csv", [{"id": "1", "text": "路灯坏了请来修"}])
    before = src.read_bytes()
    model = tmp_path / "m.model"
    model.write_bytes(b"never read: the check comes first")
    called: list[int] = []
    monkeypatch.setattr(cli_support, "classify_csv", lambda *a, **k: called.append(1) or 0)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CommandError, match="输出文件不能和输入文件相同"):
        call_command(
            "requests",
            "classify",
            "--model",
            str(model),
            "--input",
            str(src),
            "--output",
            "./in.csv",  # the same file, spelled differently
        )
    assert src.read_bytes() == before
    assert called == []


def test_train_checks_model_directory_before_training(tmp_path: Path, monkeypatch: Any) -> None:
    from qingzhuang.textclass import cli_support

    train = _csv(tmp_path / "train.csv", [{"text": t, "label": lab} for t, lab in LABELLED * 3])
    trained: list[int] = []
    real = cli_support.train_category_model
    monkeypatch.setattr(
        cli_support,
        "train_category_model",
        lambda *a, **k: trained.append(1) or real(*a, **k),
    )
    with pytest.raises(CommandError, match="^输出文件所在的文件夹不存在") as exc:
        call_command(
            "requests",
            "train",
            "--input",
            str(train),
            "--model",
            str(tmp_path / "missing" / "dir" / "x.model"),
        )
    assert "Errno" not in str(exc.value) and "\n" not in str(exc.value)
    assert trained == []


def test_train_checks_taxonomy_file_before_training(tmp_path: Path, monkeypatch: Any) -> None:
    from qingzhuang.textclass import cli_support

    train = _csv(tmp_path / "train.csv", [{"text": t, "label": lab} for t, lab in LABELLED * 3])
    trained: list[int] = []
    monkeypatch.setattr(cli_support, "train_category_model", lambda *a, **k: trained.append(1))
    with pytest.raises(CommandError, match="找不到.*taxonomy.csv"):
        call_command(
            "requests",
            "train",
            "--input",
            str(train),
            "--model",
            str(tmp_path / "x.model"),
            "--taxonomy",
            str(tmp_path / "taxonomy.csv"),
        )
    assert trained == []


# ---- plain errors and inputs as township PCs save them -------------------------------------


@pytest.mark.parametrize("weeks", ["0", "-1", "zwei"])
def test_hotspots_weeks_below_one_is_a_plain_error(org_tree: dict[str, Any], weeks: str) -> None:
    with pytest.raises(CommandError, match="--weeks 应为 1 以上的整数"):
        call_command("requests", "hotspots", "--weeks", weeks, stdout=StringIO())


def test_hotspots_selector_refuses_less_than_one_week(org_tree: dict[str, Any]) -> None:
    from qingzhuang.core.errors import InvalidInput
    from qingzhuang.org.scope import Scope
    from qingzhuang.service_requests.selectors import hotspots

    with pytest.raises(InvalidInput):
        hotspots(scope=Scope.all(), weeks=0)


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_hotspots_csv_reads_gbk_and_bom_files(tmp_path: Path, encoding: str) -> None:
    src = tmp_path / "messages.csv"
    lines = ["subject,text,time"]
    lines += [f"路灯不亮,三组村口路灯坏了好几天晚上看不见路,2026-03-0{i}" for i in range(1, 5)]
    src.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    result = _json("hotspots-csv", "--input", str(src))
    assert result["rows"] == 4 and result["clusters"] == 1
    assert result["top"][0]["subject"] == "路灯不亮"


def test_hotspots_csv_names_a_missing_column(tmp_path: Path) -> None:
    src = tmp_path / "messages.csv"
    src.write_bytes("标题,内容\n路灯,坏了\n".encode("gbk"))
    with pytest.raises(CommandError, match="text"):
        _json("hotspots-csv", "--input", str(src))


def test_train_refuses_a_folder_as_model_before_any_work(tmp_path: Path, monkeypatch: Any) -> None:
    from qingzhuang.textclass import cli_support

    train = _csv(tmp_path / "train.csv", [{"text": t, "label": lab} for t, lab in LABELLED * 3])
    started: list[int] = []
    monkeypatch.setattr(cli_support, "train_from_csv", lambda *a, **k: started.append(1) or {})
    with pytest.raises(CommandError, match="^输出路径是一个文件夹，请给出文件名") as exc:
        call_command("requests", "train", "--input", str(train), "--model", str(tmp_path))
    assert "Errno" not in str(exc.value)
    assert started == []


def test_classify_refuses_a_folder_as_output_before_reading_the_model(
    tmp_path: Path, monkeypatch: Any
) -> None:
    from qingzhuang.textclass import cli_support

    src = _csv(tmp_path / "in.csv", [{"id": "1", "text": "路灯坏了请来修"}])
    model = tmp_path / "m.model"
    model.write_bytes(b"never read: the check comes first")
    called: list[int] = []
    monkeypatch.setattr(cli_support, "classify_csv", lambda *a, **k: called.append(1) or 0)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(CommandError, match="^输出路径是一个文件夹，请给出文件名"):
        call_command(
            "requests", "classify", "--model", str(model), "--input", str(src), "--output", str(out)
        )
    assert called == [] and list(out.iterdir()) == []


@pytest.mark.usefixtures("calendar_ends_2026")
def test_sla_scan_warns_when_the_holiday_calendar_is_missing(org_tree: dict[str, Any]) -> None:
    from qingzhuang.service_requests.models import SlaPolicy

    SlaPolicy.objects.update(resolution_days=120)  # deadlines reach into a year without one
    out, err = StringIO(), StringIO()
    call_command("requests", "sla-scan", "--json", stdout=out, stderr=err)
    assert json.loads(out.getvalue())["holiday_calendar_missing"]
    assert "节假日" in err.getvalue() and "周一至周五" in err.getvalue()
