"""Production: everything from base; only the environment may change it, and the secrets are required."""

from django.core.exceptions import ImproperlyConfigured

from config import env
from config.settings.base import *  # noqa: F403

if not env.SECRET_KEY:
    raise ImproperlyConfigured(
        "生产环境必须设置 SECRET_KEY 环境变量 (SECRET_KEY is required in prod)"
    )
if not env.ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "生产环境必须设置 ALLOWED_HOSTS 环境变量 (ALLOWED_HOSTS is required in prod)"
    )

SECRET_KEY = env.SECRET_KEY
ALLOWED_HOSTS = env.ALLOWED_HOSTS
DEBUG = False

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.SECURE_SSL_REDIRECT
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
