"""Local use and the demo (`make run`, `qz serve`): the embedded SQLite database under var/.

Debug pages stay off unless DEBUG=1 is set: `qz serve` may be reached from other machines
(`--host 0.0.0.0`), and Django's debug pages show settings and local variables to anyone.
Static files are served straight from the apps' static folders, so no collectstatic is needed.
"""

from config import env
from config.settings.base import *  # noqa: F403

DEBUG = env.DEBUG
WHITENOISE_USE_FINDERS = True
try:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
except OSError as exc:
    raise env.ConfigurationError(
        f"无法在 QZ_DATA_DIR（{env.DATA_DIR}）下建文件夹：{exc.strerror}，"
        "请换一个可以写入的文件夹 (QZ_DATA_DIR is not writable)"
    ) from exc
# With DEBUG=1 (someone editing the code), an edited CSS/JS file is served at its new size;
# otherwise WhiteNoise indexes the files once at start-up, which is faster.
WHITENOISE_AUTOREFRESH = DEBUG
