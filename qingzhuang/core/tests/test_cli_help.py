"""`qz <command> --help` shows the command's own options in plain words, not Django's plumbing."""

from __future__ import annotations

import pytest
from django.core.management import get_commands, load_command_class

from qingzhuang.core.management.base import QzCommand

DJANGO_OPTIONS = (
    "--settings",
    "--pythonpath",
    "--traceback",
    "--no-color",
    "--force-color",
    "--skip-checks",
    "--version",
    "--verbosity",
    "myproject",
)
PRODUCT_COMMANDS = sorted(
    name for name, app in get_commands().items() if app.startswith("qingzhuang.")
)


def _command(name: str) -> QzCommand:
    command = load_command_class(get_commands()[name], name)
    assert isinstance(command, QzCommand)
    return command


def test_every_product_command_is_listed() -> None:
    assert {"backup", "restore", "fill", "data", "org", "serve"} <= set(PRODUCT_COMMANDS)


@pytest.mark.parametrize("name", PRODUCT_COMMANDS)
def test_help_hides_djangos_generic_options(name: str) -> None:
    text = _command(name).create_parser("qz", name).format_help()
    assert not [option for option in DJANGO_OPTIONS if option in text], text
    assert "-v {0,1,2,3}" not in text
    assert text.startswith(f"usage: qz {name}")


def test_the_hidden_options_still_work() -> None:
    parser = _command("backup").create_parser("qz", "backup")
    options = parser.parse_args(
        ["--traceback", "-v", "2", "--no-color", "--skip-checks", "--settings", "config.x"]
    )
    assert options.traceback and options.no_color and options.skip_checks
    assert (options.verbosity, options.settings) == (2, "config.x")
