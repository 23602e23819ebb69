"""Test runs: fast password hashing, in-memory files; the database comes from DATABASE_URL."""

import tempfile
from pathlib import Path

from config import env
from config.settings.base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="qz-test-media-"))
AXES_ENABLED = True
LOGGING = {"version": 1, "disable_existing_loggers": False}
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="qz-test-static-"))

# Each test run gets its own data folder, so a category model or lock file that `make run`
# left in var/ never changes what the tests see.
env.DATA_DIR = DATA_DIR = Path(tempfile.mkdtemp(prefix="qz-test-data-"))  # noqa: F405
