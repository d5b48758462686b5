"""Cross-cutting protections (issue 7 §1.10, §1.11): sign-in lock-out, Content-Security-Policy,
password length, session length, error and request logs."""

import copy
import io
import logging.config
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse

from certifier.people.services import set_password_url
from config.settings import base
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "certifier" / "templates"
PASSWORD = "un-mot-de-passe-solide"


@pytest.fixture
def account():
    user = UserFactory(email="agent@test.example")
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(client, password):
    return client.post(reverse("people:login"), {"username": "agent@test.example", "password": password})


def test_five_failed_sign_ins_lock_the_account_even_for_the_right_password(account):
    client = Client()
    for _ in range(5):
        assert sign_in(client, "mauvais-mot-de-passe").status_code in (200, 429)
    response = sign_in(client, PASSWORD)
    assert response.status_code == 429
    assert "Connexion temporairement bloquée" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_right_password_after_a_few_failures_signs_in(account):
    client = Client()
    for _ in range(3):
        sign_in(client, "mauvais-mot-de-passe")
    assert sign_in(client, PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(account.pk)


def test_every_page_carries_a_content_security_policy_without_inline_code(client):
    policy = client.get(reverse("people:home"))["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>"),
    "style attribute": re.compile(r"\sstyle=\""),
    "event handler": re.compile(r"\son[a-z]+=\""),
    "style element": re.compile(r"<style[\s>]"),
}


def test_no_template_carries_inline_code_the_policy_would_block():
    offences = [
        f"{path.relative_to(TEMPLATES)}: {kind}"
        for path in TEMPLATES.rglob("*.html")
        for kind, pattern in INLINE.items()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offences == []


def test_passwords_need_twelve_characters():
    with pytest.raises(ValidationError, match="12 caractères"):
        validate_password("Court-2026!")
    validate_password("assez-long-et-sûr-2026")


def test_a_session_ends_after_a_working_day(account):
    assert settings.SESSION_COOKIE_AGE == 10 * 60 * 60
    client = Client()
    sign_in(client, PASSWORD)
    assert int(client.cookies[settings.SESSION_COOKIE_NAME]["max-age"]) == 10 * 60 * 60


@pytest.fixture
def production_log():
    """The production logging configuration, its standard-error handler writing into a buffer."""
    assert base.LOGGING["handlers"]["stderr"] == {"class": "logging.StreamHandler", "formatter": "plain"}
    buffer = io.StringIO()
    config = copy.deepcopy(base.LOGGING)
    config["handlers"]["stderr"]["stream"] = buffer
    logging.config.dictConfig(config)
    yield buffer
    logging.config.dictConfig(settings.LOGGING)
    for name in ("django", "django.request", "certifier"):
        logging.getLogger(name).handlers.clear()


@override_settings(ROOT_URLCONF="tests.core.urls_failing", DEBUG=False)
def test_a_server_error_is_logged_with_its_traceback(production_log):
    response = Client(raise_request_exception=False).get("/panne/")
    assert response.status_code == 500
    errors = production_log.getvalue()
    assert "Internal Server Error: /panne/" in errors
    assert "Traceback (most recent call last)" in errors
    assert "RuntimeError: panne simulée" in errors


def test_each_request_is_logged_in_one_line(production_log, account):
    client = Client()
    client.force_login(account)
    client.get(reverse("people:accessibility"))
    lines = [line for line in production_log.getvalue().splitlines() if "certifier.requests" in line]
    assert len(lines) == 1
    assert re.search(rf"GET /accessibilite/ 200 \d+ms user={account.pk}$", lines[0])


def test_a_set_password_link_is_never_written_to_the_request_log(production_log, account):
    url = set_password_url(account)
    path = url[url.index("/mot-de-passe/") :]
    token = path.rstrip("/").rsplit("/", 1)[-1]
    Client().get(path)
    log = production_log.getvalue()
    assert "GET /mot-de-passe/…/…/" in log
    assert token not in log


def test_uploaded_files_are_readable_by_the_application_only():
    assert settings.FILE_UPLOAD_PERMISSIONS == 0o600
    assert settings.FILE_UPLOAD_DIRECTORY_PERMISSIONS == 0o700


def test_a_refusal_answers_403_with_its_french_reason(client_for, enrolments):
    """PermissionDenied and NotAllowed (raised by services) reach Django's one 403 handler, which
    shows their message."""
    response = client_for("tutor").post(reverse("pathways:funding_request", args=[enrolments["own"].pk]), {})
    assert response.status_code == 403
    assert (
        "<strong>Votre rôle ne permet pas d&#x27;accéder à cette page.</strong>" in response.content.decode()
    )
