"""Test settings: the suite runs on SQLite by default and on PostgreSQL when DATABASE_URL is set."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")

from .base import *  # noqa: F403
from .base import BASE_DIR, STORAGES, database_from_env

DEBUG = False
# The suite needs no Redis, whatever the environment says: each process's memory, sessions in the database.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# the results portal's page cache exercised in memory
RESULTS_PAGE_CACHE = True
DATABASES = {"default": database_from_env(BASE_DIR / "test-db.sqlite3")}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# Jobs run in the test's process and transaction unless a test starts a worker itself.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# Uploaded files of the tests' jobs land in a throwaway folder, never in the project's media/.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="certifier-test-media-"))
# The demo's development signing certificate is made in a throwaway folder, never in the project's var/.
SIGNING_DIR = Path(tempfile.mkdtemp(prefix="certifier-test-signing-"))
SIGNING_KEY_PATH = SIGNING_DIR / "signing-key.pem"
SIGNING_CERT_PATH = SIGNING_DIR / "signing-certificate.pem"
SIGNING_CHAIN_PATH = SIGNING_DIR / "authority-certificate.pem"
CREDENTIAL_KEY_PATH = SIGNING_DIR / "credential-key.pem"
