"""Local development: the embedded SQLite database under var/ and debug pages."""

from config import env
from config.settings.base import *  # noqa: F403

DEBUG = env.DEBUG if env.SECRET_KEY else True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
