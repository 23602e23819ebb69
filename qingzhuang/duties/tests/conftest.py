from __future__ import annotations

import io
from typing import Any

import pytest

from qingzhuang.duties import services
from qingzhuang.duties.models import ListKind


@pytest.fixture
def lists(org_tree: dict[str, Any]) -> dict[str, Any]:
    """Our own small lists (independent of the seeded catalogue)."""
    admin = org_tree["admin"]
    out = {}
    for kind, name, keywords in [
        (ListKind.DUTY, "测试·村庄环境卫生", "村庄清洁,垃圾清运"),
        (ListKind.ASSIST, "测试·协助征兵", "征兵,兵役登记"),
        (ListKind.NEGATIVE, "测试·行政执法", "执法,行政处罚,罚款"),
    ]:
        out[kind] = services.work_item_save(
            actor=admin, list_kind=kind, name=name, keywords=keywords, legal_basis="测试依据"
        )
    return out


@pytest.fixture
def demo_town(db: Any) -> Any:
    """The real demo org tree and users (示范镇), as `qz demo` builds them."""
    from qingzhuang.core.demo import DemoContext
    from qingzhuang.org import demo

    ctx = DemoContext(out=io.StringIO())
    demo.seed(ctx)
    return ctx


def login(client: Any, user: Any, password: str) -> None:
    assert client.login(username=user.username, password=password)


@pytest.fixture
def gettext_marked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every string that goes through gettext comes out as «…»: text outside the marks was
    never offered to the translation catalogue, so it shows in Chinese on English pages."""
    from django.utils import translation

    monkeypatch.setattr(translation._trans, "gettext", lambda m: f"«{m}»", raising=False)
    monkeypatch.setattr(
        translation._trans,
        "ngettext",
        lambda s, p, n: f"«{s if n == 1 else p}»",
        raising=False,
    )
