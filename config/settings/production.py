"""Production: refuses to start without a real secret key and host names.

Passes ``manage.py check --deploy`` with no warnings. Everything else comes from
the environment, as in the other modes (``DATABASE_URL``, ``REDIS_URL``, ...).
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F401,F403
from config.settings.base import env

DEBUG = False

SECRET_KEY = env.str("SECRET_KEY", default="")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("insecure"):
    raise ImproperlyConfigured(
        "Set SECRET_KEY to a random string of at least 50 characters."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "Set ALLOWED_HOSTS to the host names the site is served on."
    )

# Every QR code, certificate and printed address carries SITE_URL: a production
# site without it would send children to 127.0.0.1.
SITE_URL = env.str("SITE_URL", default="").rstrip("/")
_site = urlsplit(SITE_URL)
if _site.scheme not in {"http", "https"} or not _site.hostname:
    raise ImproperlyConfigured(
        "Set SITE_URL to the site's public address, e.g. https://antoan.tayninh.edu.vn"
    )
if _site.hostname not in ALLOWED_HOSTS and "*" not in ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        f"SITE_URL's host {_site.hostname} is not in ALLOWED_HOSTS."
    )
_origin = f"{_site.scheme}://{_site.netloc}"
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[_origin])
if _origin not in CSRF_TRUSTED_ORIGINS:
    raise ImproperlyConfigured(
        f"CSRF_TRUSTED_ORIGINS must include SITE_URL's origin {_origin}."
    )
WAGTAILADMIN_BASE_URL = SITE_URL

# Behind a TLS-terminating reverse proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

# Background jobs (report exports, class certificate bundles) wait in the
# database for ``manage.py tasks_worker``, which runs beside the ASGI workers
# (docs/operations.md); a restart loses none of them.
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")
    }
}
