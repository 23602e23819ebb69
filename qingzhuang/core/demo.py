"""The demo township, seeded idempotently by `qz demo`.

Each app adds its part in `<app>/demo.py` with `seed(ctx: DemoContext) -> None`; apps run in
INSTALLED_APPS order, so later capabilities can rely on the org tree and the users.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings


class Writer(Protocol):
    def write(self, text: str) -> Any: ...


@dataclass
class DemoContext:
    out: Writer
    requests: int = 0
    township: Any = None
    county: Any = None
    villages: list[Any] = field(default_factory=list)
    users: dict[str, Any] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (username, password, role)
    extra: dict[str, Any] = field(default_factory=dict)

    def say(self, text: str) -> None:
        self.out.write(text + "\n")


def run_demo(*, out: Writer, requests: int = 0) -> DemoContext:
    ctx = DemoContext(out=out, requests=requests)
    for app in settings.INSTALLED_APPS:
        if not app.startswith("qingzhuang.") or app == "qingzhuang.core":
            continue
        try:
            module = importlib.import_module(f"{app}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.demo":
                raise
            continue
        module.seed(ctx)
    return ctx
