"""The shared cache's Redis backend keeps one client a connection pool (no Redis needed: building a
client connects nothing)."""

import os
import subprocess
import sys
from pathlib import Path

from certifier.core.cache import RedisCache

ROOT = Path(__file__).resolve().parents[2]


def test_the_redis_cache_builds_one_client_a_pool():
    cache = RedisCache("redis://127.0.0.1:6379/0", {})
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    assert client.connection_pool is cache._cache._get_connection_pool(False)


def test_redis_url_puts_the_cache_and_the_sessions_in_redis():
    """Read by a fresh process (the settings are read once), and the results pages kept there; without
    REDIS_URL, none of it."""
    code = (
        "from django.conf import settings; "
        "print(settings.CACHES['default']['BACKEND'], settings.SESSION_ENGINE, settings.RESULTS_PAGE_CACHE)"
    )
    read = {}
    for url in ("redis://127.0.0.1:6379/0", ""):
        env = {
            **{name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"},
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "REDIS_URL": url,
        }
        result = subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        read[url] = result.stdout.splitlines()[-1].split()  # after the shell's own notice
    assert read["redis://127.0.0.1:6379/0"] == [
        "certifier.core.cache.RedisCache",
        "django.contrib.sessions.backends.cached_db",
        "True",
    ]
    assert read[""] == [
        "django.core.cache.backends.locmem.LocMemCache",
        "django.contrib.sessions.backends.db",
        "False",
    ]
