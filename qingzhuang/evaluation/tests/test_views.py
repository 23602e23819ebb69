"""Pages, exports and API: scoped users see their own data; only managers change anything."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from typing import Any
from urllib.parse import quote, unquote

import pytest
from django.test import Client

from qingzhuang.evaluation import services
from qingzhuang.evaluation.aggregates import metrics_rebuild
from qingzhuang.evaluation.exports import csv_bytes, safe_cell
from qingzhuang.evaluation.models import EvaluationSettings, Score
from qingzhuang.evaluation.tests.helpers import at, make_order


@pytest.fixture
def site(org_tree: dict[str, Any]) -> dict[str, Any]:
    a, b = org_tree["village_a"], org_tree["village_b"]
    for i in range(3):
        make_order(
            unit=a,
            created=at(3 + i),
            resolved_at=at(3 + i) + timedelta(hours=4),
            category="东村专属分类",
            callback=("solved", "satisfied"),
        )
    make_order(
        unit=b,
        created=at(4),
        resolved_at=at(4) + timedelta(hours=4),
        category="西村专属分类",
        callback=("solved", "dissatisfied"),
    )
    metrics_rebuild()
    sat = services.indicator_upsert(
        code="SAT",
        name="群众满意率",
        formula="M:satisfaction_rate",
        floor=0.6,
        target=0.9,
        actor="test",
    )
    scheme = services.scheme_upsert(
        name="月度方案", period_type="month", frequency_per_year=4, actor="test"
    )
    services.scheme_item_set(scheme=scheme, indicator=sat, weight=1, actor="test")
    services.settings_update(actor="test", min_sample=1)
    return {**org_tree, "scheme": scheme}


def _login(client: Client, site: dict[str, Any], who: str) -> Client:
    assert client.login(username=site[who].username, password=site["password"])
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/evaluation/",
        "/evaluation/metrics/",
        "/evaluation/metrics/?by=category",
        "/evaluation/evidence/",
        "/evaluation/signals/",
    ],
)
def test_village_worker_sees_only_own_village(
    client: Client, site: dict[str, Any], url: str
) -> None:
    _login(client, site, "worker_a")
    sep = "&" if "?" in url else "?"
    html = client.get(f"{url}{sep}period=2026-03").content.decode()
    assert "西村专属分类" not in html
    if "signals" not in url and "by=" not in url and url != "/evaluation/":
        assert "东村" in html


def test_admin_overview_shows_both_villages_and_intervals(
    client: Client, site: dict[str, Any]
) -> None:
    _login(client, site, "admin")
    r = client.get("/evaluation/?period=2026-03")
    assert r.status_code == 200
    html = r.content.decode()
    assert "东村" in html and "西村" in html
    assert "满意率区间下限" in html
    assert 'id="chart-data"' in html and "<script>" not in html


def test_evidence_lists_the_orders_behind_a_metric(client: Client, site: dict[str, Any]) -> None:
    _login(client, site, "admin")
    r = client.get(f"/evaluation/evidence/?period=2026-03&unit={site['village_a'].pk}")
    assert r.content.decode().count("东村专属分类") == 3


def test_worker_cannot_drill_into_another_village(client: Client, site: dict[str, Any]) -> None:
    _login(client, site, "worker_a")
    r = client.get(f"/evaluation/evidence/?period=2026-03&unit={site['village_b'].pk}")
    assert r.status_code == 403


def test_admin_computes_scores_and_evaluator_cannot(client: Client, site: dict[str, Any]) -> None:
    _login(client, site, "evaluator")
    r = client.post(
        "/evaluation/scores/compute/", {"scheme": site["scheme"].pk, "period": "2026-03"}
    )
    assert r.status_code == 403
    assert not Score.objects.exists()
    client.logout()
    _login(client, site, "admin")
    r = client.post(
        "/evaluation/scores/compute/", {"scheme": site["scheme"].pk, "period": "2026-03"}
    )
    assert r.status_code == 302
    assert Score.objects.filter(period="2026-03").count() == 2
    page = client.get(
        f"/evaluation/scores/?scheme={site['scheme'].pk}&period=2026-03"
    ).content.decode()
    assert "东村" in page and "西村" in page


def test_score_detail_is_scoped(client: Client, site: dict[str, Any]) -> None:
    services.scores_compute(scheme=site["scheme"], period="2026-03", actor="test")
    sb = Score.objects.get(org_unit=site["village_b"])
    sa = Score.objects.get(org_unit=site["village_a"])
    _login(client, site, "worker_a")
    assert client.get(f"/evaluation/scores/{sb.pk}/").status_code == 403
    r = client.get(f"/evaluation/scores/{sa.pk}/")
    assert r.status_code == 200 and "群众满意率" in r.content.decode()
    listing = client.get(
        f"/evaluation/scores/?scheme={site['scheme'].pk}&period=2026-03"
    ).content.decode()
    assert "西村" not in listing


def test_settings_only_for_managers(client: Client, site: dict[str, Any]) -> None:
    _login(client, site, "evaluator")
    assert (
        client.post("/evaluation/metrics/settings/", {"satisfaction_mode": "weighted"}).status_code
        == 403
    )
    assert EvaluationSettings.objects.get().satisfaction_mode == "top2"
    client.logout()
    _login(client, site, "admin")
    client.post(
        "/evaluation/metrics/settings/",
        {"satisfaction_mode": "weighted", "partly_weight": "0.5", "min_sample": "5"},
    )
    cfg = EvaluationSettings.objects.get()
    assert (cfg.satisfaction_mode, cfg.partly_weight, cfg.min_sample) == ("weighted", 0.5, 5)
    for field, value, message in (
        ("min_sample", "-1", "最少样本"),
        ("min_sample", "0", "最少样本"),
        ("min_sample", "五", "最少样本"),
        ("partly_weight", "1.5", "部分解决"),
        ("partly_weight", "nan", "部分解决"),
        ("satisfaction_mode", "all", "满意率口径"),
    ):
        form = {"satisfaction_mode": "top2", "partly_weight": "0.2", "min_sample": "8"}
        r = client.post("/evaluation/metrics/settings/", {**form, field: value}, follow=True)
        assert r.status_code == 200 and message in r.content.decode(), (field, value)
        cfg = EvaluationSettings.objects.get()
        assert (cfg.satisfaction_mode, cfg.partly_weight, cfg.min_sample) == ("weighted", 0.5, 5)


def test_csv_export_is_scoped_and_neutralises_formulas(
    client: Client, site: dict[str, Any]
) -> None:
    _login(client, site, "worker_a")
    r = client.get("/evaluation/metrics/?period=2026-03&by=category&export=csv")
    assert r["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[1][0] == "东村专属分类" and len(rows) == 2
    assert "_key" not in rows[0] and rows[0][0] == "分类"
    assert safe_cell("=1+1") == "'=1+1" and safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("-3") == "'-3" and safe_cell(-3) == -3
    assert csv_bytes(["h"], [["+cmd"]]).decode("utf-8-sig").splitlines()[1] == "'+cmd"


def test_overview_table_exports_xlsx(client: Client, site: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    _login(client, site, "admin")
    r = client.get("/evaluation/?period=2026-03&table=units&export=xlsx")
    ws = load_workbook(io.BytesIO(r.content)).active
    names = {ws.cell(row=i, column=2).value for i in range(3, ws.max_row + 1)}
    assert names == {"东村", "西村"}


def test_monthly_report_xlsx_and_pdf(client: Client, site: dict[str, Any]) -> None:
    _login(client, site, "evaluator")
    x = client.get("/evaluation/report/?period=2026-03&format=xlsx")
    assert x.status_code == 200 and x.content[:2] == b"PK"
    p = client.get("/evaluation/report/?period=2026-03&format=pdf")
    assert p.status_code == 200 and p.content[:5] == b"%PDF-"


def test_indicators_page_shows_checker(client: Client, site: dict[str, Any]) -> None:
    from qingzhuang.datastore.models import DataElement

    DataElement.objects.create(code="PHOTOS", name="入户走访照片张数", unit="张")
    bad = services.indicator_upsert(
        code="PHOTO",
        name="入户走访照片张数",
        formula="E:PHOTOS",
        floor=0,
        target=100,
        kind="process",
        actor="test",
    )
    services.scheme_item_set(scheme=site["scheme"], indicator=bad, weight=1, actor="test")
    _login(client, site, "evaluator")
    html = client.get("/evaluation/indicators/").content.decode()
    assert "入户走访照片张数" in html and "照片" in html and "问题" in html
    assert "保存指标" not in html  # evaluators are read-only


def test_api_metrics_scoped(client: Client, site: dict[str, Any]) -> None:
    _login(client, site, "worker_b")
    r = client.get("/api/evaluation/metrics?period=2026-03&group_by=org_unit")
    assert r.status_code == 200
    keys = [row["key"] for row in r.json()["rows"]]
    assert keys == [site["village_b"].pk]
    t = client.get("/api/evaluation/tables/units?period=2026-03").json()
    assert [row[1] for row in t["rows"]] == ["西村"]


def test_api_check_and_scores(client: Client, site: dict[str, Any]) -> None:
    services.scores_compute(scheme=site["scheme"], period="2026-03", actor="test")
    _login(client, site, "evaluator")
    c = client.get(f"/api/evaluation/schemes/{site['scheme'].pk}/check").json()
    assert c["outcome_share"] == 1.0 and c["ok"] is True
    s = client.get(f"/api/evaluation/schemes/{site['scheme'].pk}/scores?period=2026-03").json()
    assert {row["unit_name"] for row in s} == {"东村", "西村"}


def test_anonymous_is_sent_to_login(client: Client, site: dict[str, Any]) -> None:
    assert client.get("/evaluation/").status_code == 302
    assert client.get("/api/evaluation/metrics?period=2026-03").status_code == 401


def test_overview_query_count_does_not_grow_with_requests(
    client: Client, site: dict[str, Any]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _login(client, site, "admin")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/evaluation/?period=2026-03").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(20):
        make_order(
            unit=site["village_a"],
            area=site["village_b"],
            created=at(10 + i % 5),
            category=f"分类{i}",
            resolved_at=at(16),
            callback=("solved", "fairly"),
        )
    metrics_rebuild()
    assert count() == before
    assert before <= 26  # incl. one EXISTS check for pending counter keys


def test_admin_creates_indicator_into_scheme_and_evaluator_cannot(
    client: Client, site: dict[str, Any]
) -> None:
    from qingzhuang.evaluation.models import Indicator, SchemeItem

    form = {
        "code": "ONTIME",
        "name": "按期办结率",
        "formula": "M:on_time_rate",
        "floor": "0.7",
        "target": "0.95",
        "direction": "higher",
        "kind": "process",
        "scheme": site["scheme"].pk,
        "weight": "20",
    }
    _login(client, site, "evaluator")
    assert client.post("/evaluation/indicators/save/", form).status_code == 403
    assert not Indicator.objects.filter(code="ONTIME").exists()
    client.logout()
    _login(client, site, "admin")
    assert client.post("/evaluation/indicators/save/", form).status_code == 302
    item = SchemeItem.objects.get(indicator__code="ONTIME")
    assert (item.scheme_id, item.weight, item.indicator.kind) == (site["scheme"].pk, 20, "process")
    bad = client.post(
        "/evaluation/indicators/save/", {**form, "code": "BAD", "formula": "E:A ** 2"}, follow=True
    )
    assert not Indicator.objects.filter(code="BAD").exists()
    assert "公式" in bad.content.decode()


def test_admin_creates_scheme(client: Client, site: dict[str, Any]) -> None:
    from qingzhuang.evaluation.models import EvaluationScheme

    _login(client, site, "admin")
    client.post(
        "/evaluation/schemes/save/",
        {"name": "半年方案", "period_type": "quarter", "frequency_per_year": "2"},
    )
    s = EvaluationScheme.objects.get(name="半年方案")
    assert (s.period_type, s.frequency_per_year) == ("quarter", 2)
    for field, value, message in (
        ("frequency_per_year", "99999", "每年考核次数"),
        ("frequency_per_year", "0", "每年考核次数"),
        ("frequency_per_year", "两", "每年考核次数"),
        ("period_type", "week", "考核周期"),
    ):
        form = {"name": "半年方案", "period_type": "year", "frequency_per_year": "1", field: value}
        r = client.post("/evaluation/schemes/save/", form, follow=True)
        assert r.status_code == 200 and message in r.content.decode(), (field, value)
        s.refresh_from_db()
        assert (s.period_type, s.frequency_per_year) == ("quarter", 2)
    page = client.get("/evaluation/indicators/").content.decode()
    assert "半年方案" in page and page.count("保存指标") == 1


HAN = re.compile(r"[\u4e00-\u9fff]")


def _switch_language(client: Client, code: str) -> None:
    client.post("/i18n/setlang/", {"language": code, "next": "/"})


def _chinese(texts: list[str]) -> list[str]:
    return [t for t in texts if HAN.search(t)]


def test_table_api_follows_each_requests_language(client: Client, site: dict[str, Any]) -> None:
    services.scores_compute(scheme=site["scheme"], period="2026-03", actor="test")
    _login(client, site, "admin")
    zh = client.get("/api/evaluation/tables/trend?period=2026-03").json()
    assert zh["title"] == "三率趋势（近12个月）" and "满意率(%)" in zh["headers"]
    _switch_language(client, "en")
    en = client.get("/api/evaluation/tables/trend?period=2026-03").json()
    assert en["title"].startswith("Response, resolution and satisfaction rates")
    assert "Satisfaction rate (%)" in en["headers"]
    for key in ("trend", "units", "hotspots", "scores", "burden"):
        t = client.get(f"/api/evaluation/tables/{key}?period=2026-03").json()
        # the scheme name is user data and stays as entered
        shown = [t["title"].replace(site["scheme"].name, ""), *t["headers"]]
        assert _chinese(shown) == [], key
    _switch_language(client, "zh-hans")
    again = client.get("/api/evaluation/tables/trend?period=2026-03").json()
    assert (again["title"], again["headers"]) == (zh["title"], zh["headers"])


def test_overview_charts_and_titles_follow_the_language(
    client: Client, site: dict[str, Any]
) -> None:
    _login(client, site, "admin")

    def page() -> tuple[dict[str, Any], str]:
        html = client.get("/evaluation/?period=2026-03").content.decode()
        data = html.split('id="chart-data" type="application/json">')[1].split("</script>")[0]
        return json.loads(data), html

    zh, zh_html = page()
    assert [s["name"] for s in zh["trend"]["series"]] == ["响应率", "解决率", "满意率"]
    assert "各单位三率（2026年3月，95%置信区间）" in zh_html
    _switch_language(client, "en")
    en, en_html = page()
    names = [s["name"] for s in en["trend"]["series"]]
    assert names == ["Response rate", "Resolution rate", "Satisfaction rate"]
    assert en["units"]["series"][2]["name"] == "Satisfaction rate"
    assert "95% confidence interval" in en_html and "各单位三率" not in en_html
    assert "Satisfaction rate, lower bound (%)" in en_html and "满意率区间下限" not in en_html


def test_exports_and_report_use_the_language_of_the_request(
    client: Client, site: dict[str, Any]
) -> None:
    from openpyxl import load_workbook

    _login(client, site, "evaluator")
    zh = client.get("/evaluation/report/?period=2026-03&format=xlsx")
    assert quote("2026年3月评价月报.xlsx") in zh["Content-Disposition"]
    _switch_language(client, "en")
    r = client.get("/evaluation/metrics/?period=2026-03&by=category&export=csv")
    header = next(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert header[0] == "Category" and _chinese(header) == []
    x = client.get("/evaluation/report/?period=2026-03&format=xlsx")
    assert "/" not in unquote(x["Content-Disposition"].split("''")[1])
    wb = load_workbook(io.BytesIO(x.content))
    shown = [
        str(c).replace(site["scheme"].name, "")
        for ws in wb
        for row in ws.iter_rows(max_row=2, values_only=True)
        for c in row
        if c is not None
    ]
    assert len(shown) > 20 and _chinese(shown) == []
    p = client.get("/evaluation/report/?period=2026-03&format=pdf")
    assert p.status_code == 200 and p.content[:5] == b"%PDF-"


def test_signal_thresholds_saved_by_managers_with_bounds(
    client: Client, site: dict[str, Any]
) -> None:
    from qingzhuang.audit.models import AuditEntry

    _login(client, site, "evaluator")
    assert "阈值设置" not in client.get("/evaluation/signals/?period=2026-03").content.decode()
    url = "/evaluation/signals/settings/"
    assert (
        client.post(url, {"fast_callback_minutes": "30", "phone_many_orders": "3"}).status_code
        == 403
    )
    client.logout()
    _login(client, site, "admin")
    assert "阈值设置" in client.get("/evaluation/signals/?period=2026-03").content.decode()
    r = client.post(
        url, {"fast_callback_minutes": "30", "phone_many_orders": "3", "period": "2026-03"}
    )
    assert r.status_code == 302 and r["Location"].endswith("/evaluation/signals/?period=2026-03")
    cfg = EvaluationSettings.objects.get()
    assert (cfg.fast_callback_minutes, cfg.phone_many_orders) == (30, 3)
    assert AuditEntry.objects.filter(action="evaluation.settings.update").exists()
    for minutes, phones, message in (
        ("61", "3", "“秒回访”分钟数"),
        ("10", "1", "同一号码评价工单数"),
        ("十", "3", "“秒回访”分钟数"),
    ):
        form = {"fast_callback_minutes": minutes, "phone_many_orders": phones}
        assert message in client.post(url, form, follow=True).content.decode()
        cfg = EvaluationSettings.objects.get()
        assert (cfg.fast_callback_minutes, cfg.phone_many_orders) == (30, 3)


INDICATOR_FORM = {
    "code": "ONTIME",
    "name": "按期办结率",
    "formula": "M:on_time_rate",
    "floor": "0.7",
    "target": "0.95",
    "direction": "higher",
    "kind": "process",
    "weight": "20",
}


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("floor", "nan", "底线"),
        ("target", "inf", "目标"),
        ("baseline", "nan", "基线"),
        ("target", "-Infinity", "目标"),
        ("weight", "nan", "权重"),
        ("floor", "", "底线"),
        ("target", "九十", "目标"),
        ("weight", "", "权重"),  # a scheme was chosen
    ],
)
def test_indicator_save_refuses_non_numbers_with_a_message_not_a_crash(
    client: Client, site: dict[str, Any], field: str, value: str, label: str
) -> None:
    from qingzhuang.audit.models import AuditEntry
    from qingzhuang.evaluation.models import Indicator

    _login(client, site, "admin")
    audited = AuditEntry.objects.count()
    form = {**INDICATOR_FORM, "scheme": site["scheme"].pk, field: value}
    r = client.post("/evaluation/indicators/save/", form, follow=True)
    assert r.status_code == 200
    shown = [str(m) for m in r.context["messages"]]
    assert len(shown) == 1 and label in shown[0], shown
    assert not Indicator.objects.filter(code="ONTIME").exists()
    assert AuditEntry.objects.count() == audited


def test_indicator_save_names_a_missing_data_element(client: Client, site: dict[str, Any]) -> None:
    from qingzhuang.evaluation.models import Indicator

    _login(client, site, "admin")
    form = {**INDICATOR_FORM, "formula": "E:NOPE_CODE"}
    r = client.post("/evaluation/indicators/save/", form, follow=True)
    assert "找不到数据元：NOPE_CODE" in r.content.decode()
    assert not Indicator.objects.filter(code="ONTIME").exists()
    tags = {**INDICATOR_FORM, "tags": "接诉即办，时效, "}
    client.post("/evaluation/indicators/save/", tags)
    assert Indicator.objects.get(code="ONTIME").tags == ["接诉即办", "时效"]


def test_report_is_named_after_the_period_type(client: Client, site: dict[str, Any]) -> None:
    _login(client, site, "evaluator")
    for period, name in (
        ("2026-03", "2026年3月评价月报"),
        ("2026Q1", "2026年第1季度评价季报"),
        ("2026", "2026年评价年报"),
    ):
        r = client.get(f"/evaluation/report/?period={period}&format=xlsx")
        assert quote(f"{name}.xlsx") in r["Content-Disposition"], period
    page = client.get("/evaluation/?period=2026Q1").content.decode()
    assert "季报 Excel" in page and "季报 PDF" in page and "月报 Excel" not in page


def test_scheme_check_shares_add_up_to_100(client: Client, site: dict[str, Any]) -> None:
    from qingzhuang.evaluation.models import Indicator

    services.indicator_upsert(
        code="RESP", name="诉求响应率", formula="M:response_rate", floor=0.5, target=1,
        kind="process", actor="test",
    )  # fmt: skip
    services.indicator_upsert(
        code="TRACE", name="走访记录", formula="M:received", floor=0, target=10,
        kind="paperwork", actor="test",
    )  # fmt: skip
    scheme = site["scheme"]
    services.scheme_item_set(
        scheme=scheme, indicator=Indicator.objects.get(code="SAT"), weight=191, actor="test"
    )
    for code in ("RESP", "TRACE"):
        services.scheme_item_set(
            scheme=scheme, indicator=Indicator.objects.get(code=code), weight=10, actor="test"
        )
    _login(client, site, "admin")
    html = client.get("/evaluation/indicators/").content.decode()
    share_line = html.split("结果类指标权重占比")[1].split("</p>")[0]
    shares = [int(x) for x in re.findall(r"(\d+)%", share_line)]
    assert len(shares) == 3 and sum(shares) == 100, shares


def test_metrics_group_error_names_the_groups_in_words(
    client: Client, site: dict[str, Any]
) -> None:
    _login(client, site, "admin")
    r = client.get("/evaluation/metrics/?period=2026-03&by=village")
    body = r.content.decode()
    assert r.status_code == 400
    assert "责任单位" in body and "村(社区)" in body and "org_unit" not in body


def test_ignored_parameters_are_said_not_silent(client: Client, site: dict[str, Any]) -> None:
    services.scores_compute(scheme=site["scheme"], period="2026-03", actor="test")
    _login(client, site, "admin")
    r = client.get("/evaluation/evidence/?period=2026-03&unit=abc")
    assert r.status_code == 200
    assert "没有找到这个单位，已显示全部" in r.content.decode()
    assert r.content.decode().count("东村专属分类") == 3
    ok = client.get(f"/evaluation/evidence/?period=2026-03&unit={site['village_a'].pk}")
    assert "已显示全部" not in ok.content.decode()
    r = client.get(f"/evaluation/scores/?scheme={site['scheme'].pk}&period=x")
    body = r.content.decode()
    assert "没有找到时期“x”的评分，已显示 2026-03" in body
    assert "东村" in body and "西村" in body
    ok = client.get(f"/evaluation/scores/?scheme={site['scheme'].pk}&period=2026-03")
    assert "没有找到时期" not in ok.content.decode() and "没有找到这个考核方案" not in (
        ok.content.decode()
    )
    r = client.get("/evaluation/scores/?scheme=abc")
    assert "没有找到这个考核方案，已显示“月度方案”" in r.content.decode()


def test_compute_for_a_future_period_is_refused_on_the_page(
    client: Client, site: dict[str, Any]
) -> None:
    _login(client, site, "admin")
    r = client.post(
        "/evaluation/scores/compute/",
        {"scheme": site["scheme"].pk, "period": "2030-01"},
        follow=True,
    )
    assert "还没有开始" in r.content.decode()
    assert not Score.objects.exists()


def test_unit_chart_shows_three_rates_with_intervals_for_every_unit(
    client: Client, site: dict[str, Any]
) -> None:
    services.settings_update(actor="test", min_sample=2)  # 西村 (1 callback) is unranked
    _login(client, site, "admin")
    html = client.get("/evaluation/?period=2026-03").content.decode()
    charts = json.loads(
        html.split('id="chart-data" type="application/json">')[1].split("</script>")[0]
    )
    units = charts["units"]
    assert units["type"] == "error_bars"
    assert [s["name"] for s in units["series"]] == ["响应率", "解决率", "满意率"]
    assert len(units["x"]) == 2 and any("西村" in x for x in units["x"])
    for s in units["series"]:
        assert len(s["data"]) == len(s["low"]) == len(s["high"]) == 2
        for v, lo, hi in zip(s["data"], s["low"], s["high"], strict=True):
            assert v is None or lo <= v <= hi
    assert "满意率" in units["subtitle"] and "95%" in units["subtitle"]


def test_every_chart_grid_keeps_its_axis_labels_inside() -> None:
    from pathlib import Path

    js = (Path(__file__).parents[1] / "static" / "evaluation" / "charts.js").read_text()
    grids = re.findall(r"grid:\s*\{[^}]*\}", js)
    assert grids and all("containLabel: true" in g for g in grids), grids


def test_signal_tracking_codes_link_to_orders_the_user_can_open(
    client: Client, site: dict[str, Any]
) -> None:
    from qingzhuang.evaluation.signal_store import signals_rebuild
    from qingzhuang.service_requests.models import WorkOrder

    orders = [
        make_order(
            unit=site["village_a"],
            created=at(10 + i),
            resolved_at=at(10 + i, 12),
            callback=("solved", "satisfied"),
            callback_after=timedelta(minutes=2),
        )
        for i in range(3)
    ]
    signals_rebuild()
    _login(client, site, "admin")
    html = client.get("/evaluation/signals/?period=2026-03").content.decode()
    for o in orders:
        link = f'<a href="/requests/{o.pk}/">{o.request.tracking_code}</a>'
        assert link in html
    assert client.get(f"/requests/{orders[0].pk}/").status_code == 200
    client.logout()
    # The order moved to another village after the signal was found: the village worker still
    # sees the signal of their village, but the order itself is no longer theirs to open.
    WorkOrder.objects.filter(pk=orders[0].pk).update(org_unit=site["village_b"])
    _login(client, site, "worker_a")
    html = client.get("/evaluation/signals/?period=2026-03").content.decode()
    assert orders[0].request.tracking_code in html
    assert f'href="/requests/{orders[0].pk}/"' not in html
    assert f'href="/requests/{orders[1].pk}/"' in html


def test_weighted_satisfaction_weights_are_set_on_the_metrics_page(
    client: Client, site: dict[str, Any]
) -> None:
    from qingzhuang.evaluation.periods import parse
    from qingzhuang.evaluation.selectors import request_metrics
    from qingzhuang.org.scope import Scope

    _login(client, site, "admin")
    page = client.get("/evaluation/metrics/?period=2026-03").content.decode()
    for name in ("weight_satisfied", "weight_fairly", "weight_dissatisfied"):
        assert f'name="{name}"' in page
    form = {"satisfaction_mode": "weighted", "partly_weight": "0", "min_sample": "1"}
    weights = {"weight_satisfied": "1", "weight_fairly": "0.5", "weight_dissatisfied": "0.25"}
    r = client.post("/evaluation/metrics/settings/", {**form, **weights}, follow=True)
    assert "已保存指标口径" in r.content.decode()
    cfg = EvaluationSettings.objects.get()
    assert (cfg.weight_satisfied, cfg.weight_fairly, cfg.weight_dissatisfied) == (1, 0.5, 0.25)
    got = request_metrics(scope=Scope.all(), period=parse("2026-03"), group_by="org_unit")
    assert got[site["village_b"].pk]["satisfaction_rate"]["value"] == pytest.approx(0.25)
    for field, value, message in (
        ("weight_fairly", "1.5", "基本满意权重"),
        ("weight_dissatisfied", "nan", "不满意权重"),
        ("weight_satisfied", "0.4", "满意"),
        ("weight_dissatisfied", "0.6", "不满意"),
    ):
        r = client.post(
            "/evaluation/metrics/settings/", {**form, **weights, field: value}, follow=True
        )
        shown = [str(m) for m in r.context["messages"]]
        assert len(shown) == 1 and message in shown[0], (field, value, shown)
        cfg = EvaluationSettings.objects.get()
        assert (cfg.weight_satisfied, cfg.weight_fairly, cfg.weight_dissatisfied) == (1, 0.5, 0.25)


def _order_with_personal_data(site: dict[str, Any]) -> None:
    order = make_order(unit=site["village_a"], created=at(6), category="下水道")
    order.request.text = "家门口下水道堵了，我电话13812345678，身份证420101199001011234"
    order.request.save(update_fields=["text"])


def test_evidence_masks_phone_and_id_numbers_for_the_evaluator(
    client: Client, site: dict[str, Any]
) -> None:
    _order_with_personal_data(site)
    _login(client, site, "evaluator")
    html = client.get("/evaluation/evidence/?period=2026-03").content.decode()
    assert "家门口下水道堵了" in html and "138****5678" in html
    assert "13812345678" not in html and "4201011990" not in html


def test_evidence_shows_the_text_as_typed_to_a_role_that_may_see_personal_data(
    client: Client, site: dict[str, Any]
) -> None:
    _order_with_personal_data(site)
    _login(client, site, "admin")
    html = client.get("/evaluation/evidence/?period=2026-03").content.decode()
    assert "13812345678" in html


def test_signals_mask_phone_numbers_in_callback_comments_for_the_evaluator(
    client: Client, site: dict[str, Any]
) -> None:
    from qingzhuang.evaluation.signal_store import signals_rebuild

    make_order(
        unit=site["village_a"],
        created=at(12),
        resolved_at=at(12, 12),
        callback=("solved", "dissatisfied"),
        comment="非常满意，处理得很好，谢谢你们，有事打我电话13812345678",
    )
    signals_rebuild()
    _login(client, site, "evaluator")
    html = client.get("/evaluation/signals/?period=2026-03").content.decode()
    assert "非常满意，处理得很好" in html and "138****5678" in html
    assert "13812345678" not in html
