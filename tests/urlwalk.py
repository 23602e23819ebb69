"""Walk the URL configuration: every pattern, with placeholder values for its arguments."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    template: str  # e.g. "requests/<int:pk>/"
    name: str
    callback: Any

    @property
    def converters(self) -> list[tuple[str, str]]:
        return re.findall(r"<(?:(\w+):)?(\w+)>", self.template)

    def fill(self, values: dict[str, str]) -> str:
        def repl(m: re.Match[str]) -> str:
            conv, name = m.group(1) or "str", m.group(2)
            if name in values:
                return values[name]
            return {"int": "1", "uuid": "00000000-0000-0000-0000-000000000001"}.get(conv, "x")

        return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", repl, self.template)


def _walk(patterns: list[Any], prefix: str, ns: str) -> Iterator[Route]:
    for p in patterns:
        if isinstance(p, URLResolver):
            sub_ns = f"{ns}{p.namespace}:" if p.namespace else ns
            yield from _walk(p.url_patterns, prefix + str(p.pattern), sub_ns)
        elif isinstance(p, URLPattern):
            yield Route(prefix + str(p.pattern), f"{ns}{p.name or ''}", p.callback)


def all_routes() -> list[Route]:
    routes = []
    for route in _walk(get_resolver().url_patterns, "", ""):
        if route.template.startswith(("admin/", "static/", "media/")) or "(?P" in route.template:
            continue
        routes.append(route)
    return routes
