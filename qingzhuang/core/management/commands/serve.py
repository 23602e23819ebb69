from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from qingzhuang.core.management.base import QzCommand


class Command(QzCommand):
    help = "启动网站：在本机 127.0.0.1:8000 提供服务 (serve with waitress)"
    json_option = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=16)

    def run(self, *args: Any, **options: Any) -> Any:
        from waitress import serve

        from config.wsgi import application

        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(f"轻装已启动：{url}  （按 Ctrl+C 停止）")
        self.stdout.flush()
        serve(
            application,
            host=options["host"],
            port=options["port"],
            threads=options["threads"],
            connection_limit=500,
            backlog=1024,
            ident="qingzhuang",
        )
        return None
