"""Settings shared by every environment, read from environment variables (twelve-factor)."""

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "certifier.people.apps.CertifierAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "simple_history",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "certifier.core",
    "certifier.people",
    "certifier.referential",
    "certifier.decisions",
    "certifier.pathways",
    "certifier.assessments",
    "certifier.exams",
    "certifier.juries",
    "certifier.certificates",
    "certifier.vae",
    "certifier.demo",
]

MIDDLEWARE = [
    "certifier.core.middleware.request_log",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # the verification page's kept answers, served without the session, the user or a query (D61)
    "certifier.certificates.middleware.verification_answers",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # last, as django-axes asks: it answers the locked-out sign-ins
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "certifier" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "certifier.people.context_processors.roles",
            ],
        },
    },
]

SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    # a writer waits up to 20 s for another one (an import, a worker) instead of failing at once
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}


def database_from_env(sqlite_path: Path) -> dict[str, object]:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": sqlite_path, "OPTIONS": SQLITE_OPTIONS}
    config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=600, conn_health_checks=True))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = SQLITE_OPTIONS
    else:
        # PostgreSQL binds the parameters and prepares a statement run five times on a connection (kept
        # ten minutes): a page's few joins are then planned once a worker, not at every request. Behind
        # a connection pooler, one that keeps prepared statements (PgBouncer 1.21+) is needed.
        config["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}
    return config


DATABASES = {"default": database_from_env(BASE_DIR / "db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "people:login"
LOGIN_REDIRECT_URL = "people:home"
LOGOUT_REDIRECT_URL = "people:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr-fr"
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "certifier" / "static"]
# Uploaded files kept for the jobs that read them (imports), in default storage.
# uploads (job files carry personal data) readable by the application's account only
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# D54: the certifier's key and certificate signing the national jury's minutes (PAdES), with the
# authority above it; in production, paths and passphrase come from the environment. In development
# `manage.py make_signing_certificate` (run by `make demo`) writes throwaway ones under var/signing/.
SIGNING_DIR = Path(os.environ.get("SIGNING_DIR", BASE_DIR / "var" / "signing"))
SIGNING_KEY_PATH = Path(os.environ.get("SIGNING_KEY_PATH", SIGNING_DIR / "signing-key.pem"))
SIGNING_CERT_PATH = Path(os.environ.get("SIGNING_CERT_PATH", SIGNING_DIR / "signing-certificate.pem"))
# empty: the signing certificate is its own authority (no chain)
_SIGNING_CHAIN = os.environ.get("SIGNING_CHAIN_PATH", str(SIGNING_DIR / "authority-certificate.pem"))
SIGNING_CHAIN_PATH = Path(_SIGNING_CHAIN) if _SIGNING_CHAIN else None
SIGNING_KEY_PASSPHRASE = os.environ.get("SIGNING_KEY_PASSPHRASE", "")

# D60: the certifier's Ed25519 key signing the certificates' Open Badges 3.0 credentials (Data Integrity
# eddsa-rdfc-2022); `make_signing_certificate` writes a development one beside the PDF signing key.
CREDENTIAL_KEY_PATH = Path(os.environ.get("CREDENTIAL_KEY_PATH", SIGNING_DIR / "credential-key.pem"))
# D62: the certifier's identifiers at the Caisse des Dépôts, and its limit of passages per flux file.
CPF_ID_CLIENT = os.environ.get("CPF_ID_CLIENT", "UCANSS00")
CPF_ID_CONTRAT = os.environ.get("CPF_ID_CONTRAT", "MCFCER000000")
CPF_PASSAGES_PER_FILE = int(os.environ.get("CPF_PASSAGES_PER_FILE", "200000"))
# The CDC's schema every flux is validated against before it is kept (published in its certifiers' kit,
# kept outside the repository beside the other reference files); no flux is written without it.
CPF_SCHEMA_PATH = Path(
    os.environ.get(
        "CPF_SCHEMA_PATH", BASE_DIR.parent / "shared" / "reference" / "cdc-accrochage-cpf-1.1.2.xsd"
    )
)

# The cache: with REDIS_URL, Redis, shared by every web process, and the sessions read from it (written
# through to the database, so a sign-out ends the session in every process); without it, each process's
# memory and the sessions in the database. The results portal keeps its rendered pages there (D57).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "certifier.core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "certifier",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# D57: the results portal keeps the candidate's rendered results in a shared cache only (in each
# process's memory a page is seldom found again: a miss costs a query more than no cache)
RESULTS_PAGE_CACHE = bool(REDIS_URL)

SESSION_COOKIE_HTTPONLY = True
# a session ends after a working day, whatever the activity
SESSION_COOKIE_AGE = 10 * 60 * 60

# Sign-in lock-out (django-axes): 5 failures for the same account from the same address lock it for
# 30 minutes; a successful sign-in resets the count.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "people/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
# The reverse proxies in front of the application (each appends the address it saw to X-Forwarded-For):
# 0 serves directly. Lock-outs count failures per client address, never per proxy.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "certifier.core.middleware.client_address"

# D57: the results portal's lookup (candidate number + date of birth) locks a candidate number after
# 5 failures in a row and an IP address after 20, for 15 minutes; a success resets the number's count.
# Read from the environment so the portal benchmark can raise them.
RESULTS_LOOKUP_NUMBER_FAILURES = int(os.environ.get("RESULTS_LOOKUP_NUMBER_FAILURES", "5"))
RESULTS_LOOKUP_ADDRESS_FAILURES = int(os.environ.get("RESULTS_LOOKUP_ADDRESS_FAILURES", "20"))
RESULTS_LOOKUP_LOCK_MINUTES = int(os.environ.get("RESULTS_LOOKUP_LOCK_MINUTES", "15"))

# D61: the public verification page of the certificates locks an IP address for 15 minutes after 20
# well-formed codes that match no certificate (against enumeration; the codes carry 80 bits). Read from
# the environment so the verification benchmark can raise them.
VERIFICATION_ADDRESS_FAILURES = int(os.environ.get("VERIFICATION_ADDRESS_FAILURES", "20"))
VERIFICATION_LOCK_MINUTES = int(os.environ.get("VERIFICATION_LOCK_MINUTES", "15"))
# Its answers about found certificates are kept: a day in the shared cache (a revocation forgets them
# at once, in every process), half a minute in each process's memory without one (a revocation in
# another process shows within the minute).
VERIFICATION_CACHE_SECONDS = int(
    os.environ.get("VERIFICATION_CACHE_SECONDS", str(24 * 3600 if REDIS_URL else 30))
)

# Content-Security-Policy (django-csp): own resources only, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# Background jobs (django-tasks): the database backend, run by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "certifier@ucanss.fr")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
# The platform's public address, for the links of e-mails (invitations, results), of certificates (QR
# code, verification link, D60) and of the CPF flux (`urlPreuve`, D62): links outlive any request and
# are made in jobs, so they never come from a request's host.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Errors with their traceback and one line per request, to standard error (read by the process manager).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name} {message}", "style": "{"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "certifier": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# D64: the VAE dossier's attachments (PDF, PNG or JPEG, checked by their content), each at most this size,
# and at most this many per application.
VAE_ATTACHMENT_MAX_BYTES = int(os.environ.get("VAE_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
VAE_ATTACHMENTS_PER_APPLICATION = int(os.environ.get("VAE_ATTACHMENTS_PER_APPLICATION", "40"))
