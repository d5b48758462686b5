"""The portal benchmark's settings: production's (DEBUG off, secure cookies, the request log), served
over plain HTTP on loopback behind no proxy (the load generator says `X-Forwarded-Proto: https`), with
the static files' plain storage so that no `collectstatic` manifest is needed."""

from config.settings.production import *  # noqa: F403
from config.settings.production import STORAGES

STORAGES = STORAGES | {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
