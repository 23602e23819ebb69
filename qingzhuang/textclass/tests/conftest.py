from __future__ import annotations

import pytest

CORPUS = {
    "交通": [
        "公交车晚点严重，站台没有站牌",
        "道路拥堵，红绿灯时间太短",
        "公交线路取消了出行不便",
        "路口红绿灯坏了车辆乱行",
        "客运站班车票价上涨",
        "公交车司机开车太猛",
    ],
    "教育": [
        "学校乱收补课费，老师强制学生补课",
        "小学入学划片不合理",
        "幼儿园收费太高",
        "中学食堂饭菜质量差学生反映",
        "教师工资拖欠问题",
        "学校校车安全隐患",
    ],
    "环境": [
        "工厂排放废气污染严重，晚上气味刺鼻",
        "河道污水直排，水体发黑发臭",
        "噪音扰民，施工到深夜",
        "垃圾焚烧厂污染空气",
        "养殖场粪便污染河流",
        "企业偷排污水",
    ],
}


@pytest.fixture(scope="session")
def corpus() -> tuple[list[str], list[str]]:
    texts = [t for ts in CORPUS.values() for t in ts]
    labels = [lab for lab, ts in CORPUS.items() for _ in ts]
    return texts, labels
