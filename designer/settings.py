"""Vivido's settings, read from the environment with safe local defaults.

Embedded default: SQLite in the project's `var/` folder, the in-memory channel layer, one
process. `DATABASE_URL` and `REDIS_URL` move it to PostgreSQL and channels_redis;
`VIVIDO_RUN_DISPATCH=celery` with `CELERY_BROKER_URL` moves the runs' steps to Celery workers.
"""

from pathlib import Path

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from designer.env import (
    caches_config,
    channel_layers_config,
    database_config,
    env_bool,
    env_int,
    env_list,
    env_rate,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VIVIDO_VAR_DIR") or BASE_DIR / "var")

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off "
            "(`make run` creates one in var/secret-key)."
        )
    SECRET_KEY = "vivido-debug-only-not-secret"
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "csp",
    "designer",
    "runs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "designer.urls"
ASGI_APPLICATION = "designer.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "designer.page_constants.context",
            ],
        },
    },
]

DATABASES = {"default": database_config(env_str("DATABASE_URL"), VAR_DIR / "vivido.sqlite3")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
CHANNEL_LAYERS = channel_layers_config(REDIS_URL)
# Throttle counts: Redis when REDIS_URL is set (every process counts together), else memory.
CACHES = caches_config(REDIS_URL)
# Proxies in front of Vivido that set X-Forwarded-For and X-Forwarded-Proto: 0 trusts
# neither header (the client's address is the connection's).
VIVIDO_PROXIES = env_int("VIVIDO_PROXIES", 0, minimum=0)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "designer.staticfinders.NodeModulesFinder",
]
# Browser libraries installed by npm (package-lock.json), served as /static/vendor/<path>.
VIVIDO_VENDOR_FILES = [
    "chart.js/dist/chart.umd.min.js",
    "chart.js/dist/chart.umd.min.js.map",
    "chartjs-plugin-annotation/dist/chartjs-plugin-annotation.min.js",
    "cytoscape/dist/cytoscape.min.js",
    "cytoscape-edgehandles/cytoscape-edgehandles.js",
    "cytoscape-navigator/cytoscape-navigator.js",
    "cytoscape-navigator/cytoscape.js-navigator.css",
    "cytoscape-undo-redo/cytoscape-undo-redo.js",
    "lodash/lodash.min.js",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Served over HTTPS (directly or behind VIVIDO_PROXIES proxies that set X-Forwarded-Proto):
# plain HTTP is redirected, cookies are secure and browsers are told to keep to HTTPS.
HTTPS = env_bool("DJANGO_HTTPS", False)
SECURE_COOKIES = env_bool("DJANGO_SECURE_COOKIES", HTTPS)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_COOKIES
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Asking browsers' preload lists for the domain is the owner's decision, not ours.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
if VIVIDO_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): scripts and styles from this origin only, no inline
# script or style, no framing. Data blocks from json_script are not executed, so they need
# no exception; Cytoscape and Chart.js set element styles through the DOM, which CSP allows.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# The OpenAPI schema, its docs and the flow document's JSON Schema: for signed-in users
# only, unless this makes them public.
VIVIDO_PUBLIC_API_DOCS = env_bool("VIVIDO_PUBLIC_API_DOCS", False)

# Limits: exceeding them is a 400 or 413 with a message, never a 500.
VIVIDO_MAX_TASKS_PER_FLOW = env_int("VIVIDO_MAX_TASKS_PER_FLOW", 5000, minimum=1)
VIVIDO_MAX_DEPENDENCIES_PER_FLOW = env_int("VIVIDO_MAX_DEPENDENCIES_PER_FLOW", 25000, minimum=0)
VIVIDO_MAX_BODY_BYTES = env_int("VIVIDO_MAX_BODY_BYTES", 10 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = VIVIDO_MAX_BODY_BYTES
# "embedded": runs execute on the server's own event loop; "celery": on Celery workers
# (`celery -A designer worker`), the web processes only decide, record and broadcast;
# "off": nothing executes them.
VIVIDO_RUN_DISPATCH = env_str("VIVIDO_RUN_DISPATCH", "embedded")
if VIVIDO_RUN_DISPATCH not in ("embedded", "celery", "off"):
    raise ImproperlyConfigured("VIVIDO_RUN_DISPATCH must be embedded, celery or off")
# Executors a deployer registers for runs: a name a task may give as its executor, and the
# dotted path of a callable(run_id, task, attempt, document) that does the work.
VIVIDO_ACTIONS: dict[str, str] = {}
# On Celery workers an action's attempt fails once it has run this many seconds (a
# registered name in VIVIDO_ACTION_TIME_LIMITS has its own limit).
VIVIDO_ACTION_TIME_LIMIT = env_int("VIVIDO_ACTION_TIME_LIMIT", 300, minimum=1)
VIVIDO_ACTION_TIME_LIMITS: dict[str, int] = {}
# The sweep (Celery beat) looks this often for due work whose step was lost, and counts a
# step as lost once its moment is this many seconds past.
VIVIDO_SWEEP_SECONDS = env_int("VIVIDO_SWEEP_SECONDS", 5, minimum=1)
VIVIDO_SWEEP_GRACE_SECONDS = env_int("VIVIDO_SWEEP_GRACE_SECONDS", 2, minimum=0)

# Celery (designer/celery.py reads every CELERY_* setting). The broker is Redis or RabbitMQ.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
if VIVIDO_RUN_DISPATCH == "celery" and not CELERY_BROKER_URL:
    raise ImproperlyConfigured(
        "VIVIDO_RUN_DISPATCH=celery needs CELERY_BROKER_URL (redis://… or amqp://…)"
    )
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A step is acknowledged only once it has run, and given back to the broker if the worker
# process running it dies: the engine's steps are idempotent, so running one again is
# harmless, and losing one is not.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Redis gives a message a worker holds unacknowledged to another worker after this long
# (RabbitMQ closes a channel that holds one past 30 minutes): a step due later than the
# horizon below is not sent ahead as a delayed message but by the sweep once it is due.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
VIVIDO_TIMER_HORIZON_SECONDS = env_int("VIVIDO_TIMER_HORIZON_SECONDS", 900, minimum=1)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "sweep": {
        "task": "runs.sweep",
        "schedule": float(VIVIDO_SWEEP_SECONDS),
        # A sweep nobody ran in its own period is dropped: the next one does its work.
        "options": {"expires": float(VIVIDO_SWEEP_SECONDS)},
    }
}
# Compensations a deployer registers: an executor's name and the dotted path of the
# callable(run_id, task, attempt, document) that undoes its work under
# continue_with_compensation. An executor without one is compensated by a simulated wait.
VIVIDO_COMPENSATIONS: dict[str, str] = {}
# Seconds between the heartbeats of run feeds: a dashboard that hears nothing for two of
# them knows its socket is dead, and each heartbeat carries the run's last sequence number.
VIVIDO_HEARTBEAT_SECONDS = env_int("VIVIDO_HEARTBEAT_SECONDS", 5, minimum=1)
VIVIDO_MAX_SIMULATION_ITERATIONS = env_int("VIVIDO_MAX_SIMULATION_ITERATIONS", 20000, minimum=1)
# A simulation whose cost estimate (tasks × iterations × blueprints, × a factor when pools
# bind) is above this runs as a background job; VIVIDO_SIMULATION_WORKERS jobs at a time.
VIVIDO_SIMULATION_BACKGROUND_COST = env_int(
    "VIVIDO_SIMULATION_BACKGROUND_COST", 30_000_000, minimum=0
)
VIVIDO_SIMULATION_WORKERS = env_int("VIVIDO_SIMULATION_WORKERS", 1, minimum=1)
# With Celery, a background job that has given no sign of life for this long (its worker
# died) is queued again by the sweep, and a job queued this long is sent again.
VIVIDO_SIMULATION_LOST_SECONDS = env_int("VIVIDO_SIMULATION_LOST_SECONDS", 30, minimum=1)

# Abuse limits (designer/throttling.py): requests per window, e.g. 10/min or 30/5m. Short
# windows, so that a locked-out owner waits a minute, not a day.
VIVIDO_THROTTLE_RATES = {
    "token": env_rate("VIVIDO_THROTTLE_TOKEN", "10/min"),
    "signin": env_rate("VIVIDO_THROTTLE_SIGNIN", "10/min"),
    "expensive": env_rate("VIVIDO_THROTTLE_EXPENSIVE", "120/min"),
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous request then gets 401 with a WWW-Authenticate header.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["designer.parsing.JSONParser"],
    "NUM_PROXIES": VIVIDO_PROXIES,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "designer.api.support.exception_handler",
    # `?format=` names an export format (json, svg, …), not a renderer.
    "URL_FORMAT_OVERRIDE": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Vivido API",
    "DESCRIPTION": "Flows, their analysis and the flow document format `vivido.flow/1`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["designer.api.support.DocsPermission"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The simulations' and the runs' blueprint choices are one set: one name in the schema.
    "ENUM_NAME_OVERRIDES": {"BlueprintEnum": "designer.analysis.plans.BLUEPRINTS"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("VIVIDO_LOG_LEVEL", "INFO")},
}
