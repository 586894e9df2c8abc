"""Settings shared by every mode.

Configuration comes from the environment through one ``env`` object with typed
getters. With nothing set the product runs embedded: a SQLite file, the in-memory
channel layer and a local-memory cache. ``DATABASE_URL`` switches the database to
PostgreSQL; ``REDIS_URL`` switches the channel layer, the cache and the sessions to
Redis.
"""

import hashlib
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

from common.connections import pool_max_per_process

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A local .env file is optional; the environment always wins over it.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env.str(
    "SECRET_KEY", default="insecure-development-key-change-me-in-production"
)
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    # Project apps first so their templates and translations win.
    "lms",
    "certificates",
    "content_cms",
    "quizzes",
    "common",
    "devdata",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.simple_translation",
    "wagtail.locales",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Third party
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "axes",
    # Two-factor sign-in (TOTP), required for province officers and platform
    # administrators (lms/accounts/security.py), with one-time recovery codes
    # (static tokens, lms/accounts/recovery.py), and the Content Security Policy header.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    # Background jobs: django-tasks and its database queue (the production backend;
    # its table is there in every mode, so any mode can switch to it).
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A NUL byte in the path, query string or form fields is a 400 before anything
    # reads it (PostgreSQL cannot store or compare it; common/middleware.py).
    "common.middleware.RefuseNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Without SITE_URL (development), printed addresses follow the request.
    "common.site.RequestOriginMiddleware",
    # The active and default content locales, looked up once per request
    # (content_cms/locales.py).
    "content_cms.locales.LocaleMemoMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Anything answered to a signed-in person is private: never kept by a school's
    # proxy (common/cache_headers.py).
    "common.cache_headers.PersonalPagesPrivateMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Idle sessions end (pupils sooner, on shared school computers), and people who
    # must use two-factor sign-in verify it before anything else
    # (lms/accounts/security.py).
    "lms.accounts.security.SessionIdleExpiryMiddleware",
    "lms.accounts.security.TwoFactorRequiredMiddleware",
    # A one-time password (bulk onboarding) is changed before anything else.
    "lms.accounts.security.PasswordChangeRequiredMiddleware",
    "csp.middleware.CSPMiddleware",
    # Vietnamese unless the person chose otherwise (cookie, then their profile);
    # the browser's Accept-Language is deliberately not consulted.
    "lms.accounts.middleware.LanguageMiddleware",
    # What a phone kept for one pupil is never recorded under another's session
    # (two pupils sharing a phone; common/pwa.py).
    "common.pwa.OfflineSenderMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Axes last, as its documentation asks, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lms.context_processors.platform",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# --- Database ----------
# The processes that open connections, as the Procfile starts them: the HTTP pool's
# and the websocket pool's uvicorn workers and the task workers. Together they stay
# within DB_CONNECTIONS_BUDGET, which leaves PostgreSQL's max_connections (100 by
# default) room for administration, backups and the restore drill.
WEB_WORKERS = env.int("WEB_WORKERS", default=2)
WS_WORKERS = env.int("WS_WORKERS", default=2)
TASK_WORKERS = env.int("TASK_WORKERS", default=1)
DB_PROCESSES = WEB_WORKERS + WS_WORKERS + TASK_WORKERS
DB_CONNECTIONS_BUDGET = env.int("DB_CONNECTIONS_BUDGET", default=80)
DB_POOL_MAX_DERIVED = pool_max_per_process(DB_CONNECTIONS_BUDGET, DB_PROCESSES)
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers carry on while one writer commits: the embedded mode serves
    # a whole class from one process.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    # Under ASGI every request may run on a different thread, so persistent
    # per-thread connections pile up; a process-wide psycopg pool reuses them.
    # Each process's pool is its share of the site's connection budget
    # (common/connections.py, docs/operations.md "Connection budget").
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The pool checks a connection (an empty query) before lending it: after a
    # PostgreSQL restart or failover every pooled connection is dead, and without
    # the check each would fail one request with a 500 before being discarded
    # (measured by ops/two_hosts_drill.py, docs/operations.md "Faults").
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DB_POOL_CHECK", default=True)
    _pool_max = env.int("DB_POOL_MAX", default=DB_POOL_MAX_DERIVED)
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": min(env.int("DB_POOL_MIN", default=2), _pool_max),
        "max_size": _pool_max,
        "timeout": env.float("DB_POOL_TIMEOUT", default=10.0),
        # psycopg_pool retries a lost server with a doubling wait (1, 2, 4, ...
        # s) for up to 5 minutes: after a 20 s restart it slept on for up to
        # 40 s more while every request timed out. Giving up after 10 s lets
        # the next request start a fresh attempt at once.
        "reconnect_timeout": env.float("DB_POOL_RECONNECT_TIMEOUT", default=10.0),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer, cache, sessions ----------
REDIS_URL = env.str("REDIS_URL", default="")
# Two sites may share one Redis server. Redis pub/sub ignores the database number,
# so the channel layer's prefix (and the cache's, for sessions and counters) is what
# keeps one site's live games and sessions from reaching another's. By default it is
# derived from the site's database, which every process of one site shares.
_site_database = "|".join(
    str(DATABASES["default"].get(key, "")) for key in ("ENGINE", "NAME", "HOST", "PORT")
)
SITE_KEY = env.str(
    "SITE_KEY",
    default="asp-" + hashlib.sha256(_site_database.encode()).hexdigest()[:10],
)
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": env.str(
                "CHANNEL_LAYER_BACKEND",
                default="channels_redis.pubsub.RedisPubSubChannelLayer",
            ),
            "CONFIG": {
                "hosts": [REDIS_URL],
                "prefix": env.str("CHANNEL_LAYER_PREFIX", default=SITE_KEY),
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default=SITE_KEY),
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                # Redis lost: the cache answers "nothing cached" (logged) instead
                # of failing the request, so pages keep serving (Wagtail caches
                # its site's root paths there; counters start again). Sessions
                # live in it too: people are signed out until Redis is back
                # (docs/operations.md, "Faults"). A Redis that does not answer
                # costs a request at most a second or two, not a TCP timeout.
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 2,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- People and authentication ----------
AUTH_USER_MODEL = "lms.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out username or address before any check.
    "axes.backends.AxesStandaloneBackend",
    "lms.accounts.backends.PasswordBackend",
    # A pupil's login-card QR code: authenticate(request, card_key=...).
    "lms.accounts.backends.LoginCardBackend",
]
LOGIN_URL = "lms:login"
LOGIN_REDIRECT_URL = "lms:home"
LOGOUT_REDIRECT_URL = "lms:login"

# Django's default hashers, then one for the random one-time passwords of bulk
# onboarding (common/hashers.py): a first sign-in re-hashes with the first one.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "common.hashers.OneTimePasswordHasher",
    # Pupils' card passwords (common/hashers.py, docs/performance.md "Sign-in
    # storm"): lms.models.User.check_password prefers it for pupil accounts.
    "common.hashers.PupilPasswordHasher",
]
ONBOARDING_USERNAME_SUFFIX = env.str("ONBOARDING_USERNAME_SUFFIX", default="tn")
ONBOARDING_MAX_BYTES = env.int("ONBOARDING_MAX_BYTES", default=20 * 1024 * 1024)
ONBOARDING_MAX_ROWS = env.int("ONBOARDING_MAX_ROWS", default=30_000)

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"  # noqa: E501
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Failed sign-ins are throttled per username and, separately and more loosely, per
# address: a whole school often shares one NAT address, so one child typing a wrong
# password must never lock out the school (see lms/accounts/lockout.py).
LOGIN_FAILURES_PER_USERNAME = env.int("LOGIN_FAILURES_PER_USERNAME", default=5)
LOGIN_FAILURES_PER_USERNAME_ANYWHERE = env.int(
    "LOGIN_FAILURES_PER_USERNAME_ANYWHERE", default=20
)
LOGIN_FAILURES_PER_ADDRESS = env.int("LOGIN_FAILURES_PER_ADDRESS", default=200)
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# Axes counts failures per username at an address, per username anywhere and per
# address; the handler gives each its own limit, and the address's applies only to
# unknown usernames and card keys that open no card (lms/accounts/lockout.py,
# docs/privacy.md "Sign-in throttling"), so a school behind one address is never
# locked out by one pupil.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username", "ip_address"]
AXES_HANDLER = "lms.accounts.lockout.LoginThrottleHandler"
AXES_FAILURE_LIMIT = "lms.accounts.lockout.failures_per_username"
AXES_COOLOFF_TIME = env.float("LOGIN_COOLOFF_HOURS", default=0.25)
AXES_RESET_ON_SUCCESS = True
# A try during a pause is refused without being counted, so children who keep
# trying do not stretch their school's pause: it ends one cool-off after the last
# counted failure, as the lockout page says.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "lms.accounts.lockout.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
# The username as axes reads it, or a login card's bucket (never its key).
AXES_USERNAME_CALLABLE = "lms.accounts.lockout.client_username"

# --- Language and time ----------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
# The admin's own language list offers the product's two, not Wagtail's forty.
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_I18N_ENABLED = True
# locale/ is the project's own (generated by makemessages); locale_wagtail/ is a
# hand-kept catalogue filling the gaps in Wagtail's Vietnamese admin. The first
# path wins where both hold a msgid, and both win over the apps' catalogues.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_wagtail"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Vietnamese dates as documents write them, lower case mid-sentence ("ngày 07
# tháng 12 năm 2026"); decimal commas (config/formats/vi/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]

# --- Static and media ----------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# Every static file belongs to an app (the site-wide stylesheet to common/), so
# there is no project-level static directory.
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Lesson pictures (Wagtail's images and their renditions, public content) are
# served by the app itself unless a proxy in front serves /media/ (then set it
# off). Only those two folders: exports and certificate bundles, also under
# MEDIA_ROOT, are answered by views that check who asks.
SERVE_IMAGES = env.bool("SERVE_IMAGES", default=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploads (rosters, images) are capped; a larger roster is refused with a message.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
ROSTER_MAX_BYTES = env.int("ROSTER_MAX_BYTES", default=2 * 1024 * 1024)
ROSTER_MAX_ROWS = env.int("ROSTER_MAX_ROWS", default=2000)

# --- The installable app and offline lessons (common/pwa.py) ----------
# Where the installed app opens (the pupil's home, lms:home), the static files the
# service worker keeps from the start, and how long a page may take on a weak
# network before the worker answers with the copy stored on the phone.
PWA_START_URL = "/app/"
PWA_SHELL_STATIC = [
    "common/site.css",
    "common/offline.js",
    "common/read_aloud.js",
    "common/favicon.svg",
    "common/icon-192.png",
    "content_cms/content.css",
    "content_cms/scenario.js",
    "quizzes/attempt.css",
    "quizzes/attempt.js",
]
PWA_NETWORK_TIMEOUT_MS = env.int("PWA_NETWORK_TIMEOUT_MS", default=6000)

# --- Wagtail ----------
WAGTAIL_SITE_NAME = "An toàn trên mạng"
# The site's address for QR codes, certificates and e-mails. Required in production;
# unset in development, the address follows the request (common/site.py).
SITE_URL = env.str("SITE_URL", default="")
WAGTAILADMIN_BASE_URL = SITE_URL or "http://127.0.0.1:8000"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "odt", "xlsx", "png", "jpg"]
# The groups content_cms gives page and collection permissions and the review task
# to: the groups of lms's content editor and reviewer roles (lms.people.roles).
CMS_EDITOR_GROUP = "role:content_editor"
CMS_REVIEWER_GROUP = "role:content_reviewer"

# --- API ----------
# Under /api/ a failed CSRF check answers JSON like every API error.
CSRF_FAILURE_VIEW = "common.errors.csrf_failure"
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "lms.accounts.security.SecondFactorSessionAuthentication",
        "lms.accounts.security.SecondFactorTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "config.schema.AutoSchema",
    # limit/offset checked before they reach a query (common/pagination.py).
    "DEFAULT_PAGINATION_CLASS": "common.pagination.BoundedLimitOffsetPagination",
    # JSON bounded in size and depth, NUL characters refused (common/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "common.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "common.errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "An toàn trên mạng API",
    "DESCRIPTION": "Online-safety learning platform for schools: catalogue, "
    "assignments, attempts, progress and reports.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "PREPROCESSING_HOOKS": ["config.schema.product_api_only"],
    # Every operation documents the errors it can answer (config/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.schema.standard_error_responses",
    ],
    # Served from our own static files: schools' networks may block CDNs.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several serializers have a "status" field; name each choice set once.
    "ENUM_NAME_OVERRIDES": {
        "ProgressStatusEnum": "lms.models.learning.ProgressStatus",
        "CertificateStatusEnum": "certificates.models.CertificateStatus",
        "ProgrammeStatusEnum": "lms.reports.apis.STATUS_CHOICES",
    },
}

# --- Product ----------
CHILD_HOTLINE = "111"
# Sections the apps above lms add to the pupil's home page, as templates it
# includes (lms/templates/lms/learning/pupil_home.html); each renders its own data.
LMS_PUPIL_HOME_SECTIONS = ["certificates/_pupil_home_section.html"]
# Links the apps above lms add to a class's page and progress grid (each
# template gets ``school_class`` and ``user``): the class's certificates.
LMS_CLASS_PAGE_LINKS = ["certificates/_class_links.html"]

# --- Help requests, privacy, security (docs/privacy.md) ----------
# How long a school has to acknowledge a help request is set per province
# (lms.models.HelpDeadlines, at /tro-giup/thoi-han/), not here.
# Sessions end after this much inactivity. Pupils share school computers, so the
# next child must not find the last one still signed in; a lesson page or quiz
# question is answered well within 20 minutes, so a working child never notices.
PUPIL_SESSION_IDLE_SECONDS = env.int("PUPIL_SESSION_IDLE_SECONDS", default=20 * 60)
STAFF_SESSION_IDLE_SECONDS = env.int("STAFF_SESSION_IDLE_SECONDS", default=30 * 60)
OTP_TOTP_ISSUER = "An toàn trên mạng"
# Product pages get a strict policy: our own scripts and styles only, no inline
# code. The Wagtail and Django admins rely on inline scripts and styles, and the
# API docs (Swagger UI) too, so they are left out of it.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/cms/", "/django-admin/", "/api/docs/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'"],
        # Lesson videos are embedded from YouTube's privacy-enhanced domain.
        "frame-src": ["https://www.youtube-nocookie.com", "https://www.youtube.com"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Routine chatter of libraries (every sign-in, every background task) stays out
    # of the console; their warnings still show.
    "loggers": {
        "axes": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "django_tasks_db": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}

BRAND_NAME = _("Safe online")

# SQLite cannot enforce "one role per node" across NULL nodes (models.W047);
# PostgreSQL does, and lms.people.services.role_assign never writes a duplicate anyway.
SILENCED_SYSTEM_CHECKS = ["models.W047"]

# --- Background tasks (django-tasks) ----------
# Report exports and large certificate bundles are background jobs (common/jobs.py).
# The embedded mode and the tests run them at once, in the process that asks
# (ImmediateBackend); production queues them in the database
# (django_tasks_db.DatabaseBackend, config/settings/production.py) for
# ``manage.py tasks_worker`` (docs/operations.md). TASKS_BACKEND overrides either.
TASKS = {
    "default": {
        "BACKEND": env.str(
            "TASKS_BACKEND", default="django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}
# A job that fails is run again up to this many runs in all, then shown as failed.
TASK_ATTEMPTS = env.int("TASK_ATTEMPTS", default=3)
# Seconds before a retry, times the attempt number (queues that can wait only).
TASK_RETRY_DELAY = env.int("TASK_RETRY_DELAY", default=30)
# Seconds one run may take in the worker; a run still marked running a minute
# after that was left by a killed worker, and the sweep runs it again.
TASK_TIME_LIMIT = env.int("TASK_TIME_LIMIT", default=900)
# Seconds past the time limit before the sweep takes a run for abandoned: a run
# stopped at its limit is still recording its own failure meanwhile.
TASK_SWEEP_GRACE = env.int("TASK_SWEEP_GRACE", default=60)
# The kinds of background job, for the sweep (common/jobs.py).
TASK_JOBS = [
    "lms.reports.services.REPORT_EXPORT_JOB",
    "certificates.bundles.BUNDLE_JOB",
]

# --- Live classroom games (quizzes/live/) ----------
# In team mode, a signed-in pupil joins the team named after their class ("5A")
# when the host made one; the school layer answers, the engine knows no classes.
LIVE_TEAM_LABEL_PROVIDER = "lms.learning.selectors.live_team_label"
# The host's list of quizzes, grouped by the age band of the host's classes with
# the modules given to them first, each quiz named with its module and band; the
# school layer answers, the engine knows no classes or modules.
LIVE_QUIZ_GROUPS_PROVIDER = "lms.live_quizzes.live_quiz_groups"

# --- Age-appropriate catalogue (content_cms/selectors.py) ----------
# Which pupils' modules a signed-in user may open: a dotted path to
# ``callable(*, user) -> Q | None`` over ModulePage (None: no limit). The school
# layer answers (a pupil: their class's age band and what was given to them);
# the content app knows no classes.
MODULE_ACCESS_RULE = "lms.learning.catalogue.module_access_rule"

# --- Teaching evidence (lms/learning/teaching/services.py) ----------
# A reporting period closes this many days after its last day: until then its
# teaching sessions may still be recorded, changed or deleted.
REPORTING_GRACE_DAYS = env.int("REPORTING_GRACE_DAYS", default=14)

# --- Certificates (certificates/) ----------
# Printed on every certificate and shown on the public verification page.
CERTIFICATE_ISSUER = env.str(
    "CERTIFICATE_ISSUER", default="Sở Giáo dục và Đào tạo tỉnh Tây Ninh"
)
# Lookups of the public verification page per address: (count, seconds).
CERTIFICATE_VERIFY_RATE = (env.int("CERTIFICATE_VERIFY_LIMIT", default=30), 10 * 60)
# A class download up to this many certificates is drawn in the request; larger
# ones are background jobs (common/jobs.py).
CERTIFICATE_BUNDLE_SYNC_LIMIT = env.int("CERTIFICATE_BUNDLE_SYNC_LIMIT", default=60)

# The public "report a concern" page: reports accepted per address and window.
COMMUNITY_REPORTS_PER_ADDRESS = env.int("COMMUNITY_REPORTS_PER_ADDRESS", default=5)
COMMUNITY_REPORTS_WINDOW_SECONDS = env.int(
    "COMMUNITY_REPORTS_WINDOW_SECONDS", default=3600
)
