"""Local development: `make run`. Never used in production."""

import os

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
os.environ.setdefault("SECRET_KEY", "dev-only-secret-key-not-for-production-use-0123456789")

from .base import *  # noqa: F403
