"""Factories that build scenarios through the real services (so paths and audit are real)."""

from __future__ import annotations

from typing import Any

import factory

from qingzhuang.org import services
from qingzhuang.org.models import OrgLevel, OrgUnit, Role, User

PASSWORD = "test-pass-12345"


class OrgUnitFactory(factory.Factory):  # type: ignore[misc]
    class Meta:
        model = OrgUnit

    code = factory.Sequence(lambda n: f"4299{n:08d}")
    name = factory.Sequence(lambda n: f"测试村{n}")
    level = OrgLevel.VILLAGE
    parent = None

    @classmethod
    def _create(cls, model_class: type[OrgUnit], *args: Any, **kwargs: Any) -> OrgUnit:
        return services.org_unit_create(actor="test", **kwargs)


class UserFactory(factory.Factory):  # type: ignore[misc]
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.VILLAGE_WORKER
    org_unit = None
    display_name = factory.LazyAttribute(lambda o: o.username)

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        return services.user_create(password=PASSWORD, actor="test", **kwargs)


def build_org_tree() -> dict[str, Any]:
    county = OrgUnitFactory(code="420000000001", name="测试县", level=OrgLevel.COUNTY)
    town = OrgUnitFactory(
        code="420000100001", name="测试镇", level=OrgLevel.TOWNSHIP, parent=county
    )
    village_a = OrgUnitFactory(code="420000100201", name="东村", parent=town)
    village_b = OrgUnitFactory(code="420000100202", name="西村", parent=town)
    grid_a = OrgUnitFactory(
        code="42000010020101", name="东村一网格", level=OrgLevel.GRID, parent=village_a
    )
    return {
        "county": county,
        "town": town,
        "village_a": village_a,
        "village_b": village_b,
        "grid_a": grid_a,
        "admin": UserFactory(username="town_admin", role=Role.TOWNSHIP_ADMIN, org_unit=town),
        "worker_a": UserFactory(username="worker_a", org_unit=village_a),
        "worker_b": UserFactory(username="worker_b", org_unit=village_b),
        "evaluator": UserFactory(username="evaluator", role=Role.EVALUATOR, org_unit=town),
        "password": PASSWORD,
    }
