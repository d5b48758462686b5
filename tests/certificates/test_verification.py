"""D61: anyone checks a certificate by its verification code on a public page, in French for people and
in JSON for machines: holder, certification, blocks, dates, number and status (valid, or revoked with
its date and reason category), never a mark nor a date of birth. A mistyped code, a code that names no
certificate and a revoked certificate are three different answers; a certificate whose results are
not released yet is unknown; unknown codes lock the client's address against enumeration."""

import html
import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import formats, timezone

from certifier.certificates.issuance import grouped
from certifier.certificates.models import Certificate, RevocationReason
from certifier.certificates.revocation import do_revoke
from certifier.exams.marks import Entry, do_record_marks
from certifier.juries.deliberation import do_adopt_proposals, do_decide
from certifier.juries.models import ResultsLookupCounter
from tests.certificates.conftest import REASON
from tests.exams.conftest import registration_of
from tests.juries.minutes_fixtures import sign
from tests.juries.results import proclaim
from tests.personas import PERSONAS

pytestmark = pytest.mark.django_db

HERE = "192.0.2.10"
ELSEWHERE = "198.51.100.7"
UNKNOWN_CODE = "0000-0000-0000-0000"


@pytest.fixture(autouse=True)
def fresh_answers():
    """Each test starts without the answers and locks a previous one left in the cache."""
    cache.clear()
    yield
    cache.clear()


def url(code: str) -> str:
    return reverse("certificates:verify", args=[code])


def page(client, code: str, status: int = 200, **headers) -> str:
    response = client.get(url(code), REMOTE_ADDR=HERE, **headers)
    assert response.status_code == status, response.content[:500]
    return html.unescape(response.content.decode())


def answer(client, code: str, status: int = 200, **headers) -> dict:
    response = client.get(url(code), {"format": "json"}, REMOTE_ADDR=HERE, **headers)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def of(issued, name: str, block: str = "") -> Certificate:
    return next(c for c in issued if c.candidate.birth_name == name and c.block_code == block)


def withdraw(users, certificate, reason=RevocationReason.AMENDMENT) -> Certificate:
    """The revocation service the amendment's path calls (test_revocation builds it through one)."""
    return do_revoke(users["national_admin"], certificate, reason)


# valid


def test_a_valid_cqp_shows_its_holder_certification_blocks_jury_and_issue_dates_and_number(client, issued):
    cqp = of(issued, "Martin")
    text = page(client, cqp.content["verification_code"])
    assert "Valide" in text and "Ce certificat est valide" in text
    assert "Léa MARTIN" in text
    assert "Gestionnaire conseil" in text and "RNCP35729" in text
    for code in ("RNCP35729BC01", "RNCP35729BC02", "RNCP35729BC03"):
        assert code in text
    assert cqp.content["jury_date_text"] in text and cqp.content["issued_on_text"] in text
    assert cqp.number in text and "Révoqué" not in text


def test_a_ccp_shows_its_block_only(client, issued):
    ccp = of(issued, "Durand", "RNCP35729BC02")
    text = page(client, ccp.content["verification_code"])
    assert "Paul DURAND" in text and "RNCP35729BC02" in text
    assert "RNCP35729BC01" not in text and "RNCP35729BC03" not in text


def test_the_code_is_read_as_typed_whatever_the_case_dashes_spaces_and_look_alike_letters(client, issued):
    cqp = of(issued, "Martin")
    typed = cqp.verification_code.lower().replace("0", "o").replace("1", "l")
    assert cqp.number in page(client, f" {typed[:8]} {typed[8:]} ")


def test_the_page_is_public_and_the_same_for_everyone(client_for, issued):
    code = of(issued, "Martin").verification_code
    texts = {persona: page(client_for(persona), code) for persona in PERSONAS}
    assert all("Ce certificat est valide" in text for text in texts.values())


def test_a_signed_in_visitors_page_is_never_shared_with_another(client, client_for, users, issued):
    code = of(issued, "Martin").verification_code
    page(client, code)
    signed_in = page(client_for("crfp_staff"), code)
    assert users["crfp_staff"].email in signed_in and "Se déconnecter" in signed_in
    cache.clear()
    page(client_for("crfp_staff"), code)
    anonymous = page(client, code)
    assert users["crfp_staff"].email not in anonymous and "csrfmiddlewaretoken" not in anonymous


def test_the_page_declares_the_signed_credential_and_offers_it_for_download(client, issued):
    cqp = of(issued, "Martin")
    credential_url = reverse("certificates:credential", args=[grouped(cqp.verification_code)])
    text = page(client, cqp.verification_code)
    assert f'<link rel="alternate" type="application/vc+ld+json" href="{credential_url}">' in text
    assert f'href="{credential_url}" download' in text
    response = client.get(credential_url, REMOTE_ADDR=HERE)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+ld+json"
    assert response["Content-Disposition"].startswith(f'attachment; filename="certificat-{cqp.number}.json"')
    assert json.loads(response.content) == cqp.credential


def test_the_page_is_never_indexed_and_always_revalidated(client, issued):
    response = client.get(url(of(issued, "Martin").verification_code), REMOTE_ADDR=HERE)
    assert response["X-Robots-Tag"] == "noindex" and "no-cache" in response["Cache-Control"]
    assert "Accept" in response["Vary"]
    assert '<meta name="robots" content="noindex">' in response.content.decode()


@pytest.fixture
def marked_cqp(users, deliberation, django_capture_on_commit_callbacks):
    """The 2013 scheme: Martin Léa's continuous assessments marked 13,75 and 16,25, the jury certifies
    her (departing from the proposal), the minutes signed: her CQP issued."""
    session = deliberation.jury.session
    own = registration_of(session, "Martin")
    do_record_marks(users["crfp_staff"], session, "cc_option", [Entry(own.pk, "13,75", 0)])
    do_record_marks(users["crfp_staff"], session, "cc_common", [Entry(own.pk, "16,25", 0)])
    do_decide(users["national_admin"], deliberation, own, "certified", {}, REASON, 8, 0, 0, "", False)
    do_adopt_proposals(users["national_admin"], deliberation, [registration_of(session, "Durand")])
    proclaim(users, deliberation, django_capture_on_commit_callbacks)
    return Certificate.objects.get(decision__registration=own, kind="cqp")


def test_the_page_shows_no_mark_nor_birth_date(client, marked_cqp):
    born = marked_cqp.candidate.birth_date
    code = marked_cqp.verification_code
    for text in (page(client, code), json.dumps(answer(client, code), ensure_ascii=False)):
        assert "Léa MARTIN" in text
        for shown in (
            born.isoformat(),
            f"{born:%d/%m/%Y}",
            "13,75",
            "13.75",
            "16,25",
            "16.25",
            "sur 20",
            "/20",
        ):
            assert shown not in text, shown


# JSON


def test_machines_read_the_same_facts_in_json_by_accept_or_by_format(client, issued):
    cqp = of(issued, "Martin")
    by_format = answer(client, cqp.verification_code)
    response = client.get(url(cqp.verification_code), REMOTE_ADDR=HERE, HTTP_ACCEPT="application/json")
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == by_format
    assert by_format["status"] == "valid"
    stated = by_format["certificate"]
    assert (stated["number"], stated["kind"], stated["holder"]) == (cqp.number, "cqp", "Léa MARTIN")
    assert stated["certification"]["rncp_code"] == "RNCP35729"
    assert [block["code"] for block in stated["blocks"]] == [
        "RNCP35729BC01",
        "RNCP35729BC02",
        "RNCP35729BC03",
    ]
    assert stated["jury_date"] == cqp.content["jury_date"]
    assert by_format["credential"] == reverse(
        "certificates:credential", args=[grouped(cqp.verification_code)]
    )
    assert "revocation" not in by_format


def test_a_browser_gets_the_page(client, issued):
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get(url(of(issued, "Martin").verification_code), REMOTE_ADDR=HERE, HTTP_ACCEPT=accept)
    assert response["Content-Type"].startswith("text/html")


# revoked, unknown, mistyped: three answers


def test_a_revoked_certificate_says_revoked_with_its_date_and_reason_category(client, users, issued):
    ccp = withdraw(users, of(issued, "Durand", "RNCP35729BC02"), RevocationReason.FRAUD)
    text = page(client, ccp.verification_code)
    revoked_on = timezone.localdate(ccp.revoked_at)
    assert "Révoqué" in text and "Ce certificat a été révoqué : il n'est plus valable." in text
    assert "Fraude établie" in text and "Paul DURAND" in text and ccp.number in text
    assert f"{revoked_on.year}" in text and "Ce certificat est valide" not in text
    stated = answer(client, ccp.verification_code)
    assert stated["status"] == "revoked"
    assert stated["revocation"] | {"replaced_by": ""} == {
        "revoked_on": revoked_on.isoformat(),
        "revoked_on_text": stated["revocation"]["revoked_on_text"],
        "reason": "fraud",
        "reason_label": "Fraude établie",
        "replaced_by": "",
    }


def test_a_revoked_certificate_links_the_certificate_replacing_it(client, users, issued):
    old = withdraw(users, of(issued, "Martin"))
    new = of(issued, "Martin", "RNCP35729BC01")
    Certificate.objects.filter(pk=new.pk).update(replaces=old)
    text = page(client, old.verification_code)
    assert f'href="{url(grouped(new.verification_code))}"' in text
    assert answer(client, old.verification_code)["revocation"]["replaced_by"] == url(
        grouped(new.verification_code)
    )


def test_an_unknown_code_is_told_apart_from_a_mistyped_one_and_from_a_revoked_one(client, issued):
    unknown = page(client, UNKNOWN_CODE, 404)
    mistyped = page(client, "7K3M-Q9XD-2B4T", 404)
    assert "Aucun certificat ne correspond à ce code" in unknown and "Vérifiez la saisie" in unknown
    assert "n'a pas la forme d'un code de vérification" in mistyped
    assert "Aucun certificat ne correspond" not in mistyped
    assert "Révoqué" not in unknown + mistyped and "Valide" not in unknown + mistyped
    assert answer(client, UNKNOWN_CODE, 404)["status"] == "unknown"
    assert answer(client, "7K3M-Q9XD-2B4T-HN6U", 404)["status"] == "mistyped"  # U is not in the alphabet
    assert set(answer(client, UNKNOWN_CODE, 404)) == {"status", "message"}


def test_the_credential_of_an_unknown_code_is_not_found(client, issued):
    response = client.get(reverse("certificates:credential", args=[UNKNOWN_CODE]), REMOTE_ADDR=HERE)
    assert response.status_code == 404


def test_a_certificate_of_results_not_released_yet_is_unknown_until_the_release(
    client, users, blocks_decided, django_capture_on_commit_callbacks, monkeypatch
):
    release = timezone.now() + timedelta(days=2)
    job = sign(users["national_admin"], blocks_decided, django_capture_on_commit_callbacks, release)
    assert job.status == "done", job.outcome
    cqp = Certificate.objects.get(kind="cqp")
    assert "Aucun certificat ne correspond à ce code" in page(client, cqp.verification_code, 404)
    credential = client.get(
        reverse("certificates:credential", args=[cqp.verification_code]), REMOTE_ADDR=HERE
    )
    assert credential.status_code == 404
    later = release + timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert "Ce certificat est valide" in page(client, cqp.verification_code)


# the answers kept: a revocation shows at once, in every process sharing the cache


def test_a_revocation_shows_on_the_page_as_soon_as_committed(
    client, users, issued, django_capture_on_commit_callbacks
):
    cqp = of(issued, "Martin")
    assert "Ce certificat est valide" in page(client, cqp.verification_code)
    assert "Ce certificat est valide" in page(client, cqp.verification_code, HTTP_ACCEPT="application/json")
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(users, cqp)
    assert "Ce certificat a été révoqué" in page(client, cqp.verification_code)
    assert '"status": "revoked"' in page(client, cqp.verification_code, HTTP_ACCEPT="application/json")


def test_a_revoked_certificates_answers_are_not_kept_again_for_a_while(
    client, users, issued, django_capture_on_commit_callbacks, django_assert_num_queries
):
    """An answer drawn by another process before the revocation's commit must never be kept after it."""
    cqp = of(issued, "Martin")
    page(client, cqp.verification_code)
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(users, cqp)
    for _ in range(2):
        with django_assert_num_queries(2):  # the certificate and lock, the replacement
            assert "Ce certificat a été révoqué" in page(client, cqp.verification_code)


def test_a_kept_answer_is_served_with_the_headers_and_content_it_was_drawn_with(client, issued):
    code = of(issued, "Martin").verification_code
    for accept in ("text/html", "application/json"):
        drawn = client.get(url(code), REMOTE_ADDR=HERE, HTTP_ACCEPT=accept)
        kept = client.get(url(code), REMOTE_ADDR=HERE, HTTP_ACCEPT=accept)
        assert (kept.status_code, kept.content) == (drawn.status_code, drawn.content)
        assert dict(kept.items()) == dict(drawn.items())
        assert int(kept["Content-Length"]) == len(kept.content)
        assert "default-src" in kept["Content-Security-Policy"] and kept["X-Frame-Options"] == "DENY"


def test_a_kept_answer_is_refused_to_a_host_the_platform_does_not_serve(client, issued):
    code = of(issued, "Martin").verification_code
    page(client, code)
    assert client.get(url(code), REMOTE_ADDR=HERE, HTTP_HOST="evil.example").status_code == 400


def test_without_a_shared_cache_an_answer_is_kept_less_than_a_minute(settings):
    assert settings.VERIFICATION_CACHE_SECONDS < 60


def test_a_kept_page_bears_the_day_it_is_consulted(client, issued, monkeypatch):
    code = of(issued, "Martin").verification_code
    assert f"consulté le {formats.date_format(timezone.localdate(), 'j F Y')}" in page(client, code)
    tomorrow = timezone.now() + timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)
    assert f"consulté le {formats.date_format(timezone.localdate(), 'j F Y')}" in page(client, code)


def test_a_locked_address_is_refused_even_a_kept_answer(
    client, issued, settings, django_capture_on_commit_callbacks
):
    code = of(issued, "Martin").verification_code
    page(client, code)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(settings.VERIFICATION_ADDRESS_FAILURES):
            page(client, UNKNOWN_CODE, 404)
    assert "Vérification suspendue" in page(client, code, 429)


def test_the_page_reads_the_certificate_and_the_lock_in_one_query_then_nothing_for_a_while(
    client, issued, django_assert_num_queries
):
    code = of(issued, "Martin").verification_code
    with django_assert_num_queries(1):
        page(client, code)
    with django_assert_num_queries(0):
        page(client, code)


def test_a_page_drawn_for_a_visitor_with_a_cookie_is_never_shared(client, issued, django_assert_num_queries):
    """A pending message (a signed cookie, shown at the top of any page) must not reach the next visitor."""
    code = of(issued, "Martin").verification_code
    client.cookies["messages"] = "a message for this visitor only"
    with django_assert_num_queries(1):
        page(client, code)
    client.cookies.clear()
    with django_assert_num_queries(1):
        page(client, code)


# the lock-out


@override_settings(VERIFICATION_ADDRESS_FAILURES=3, VERIFICATION_LOCK_MINUTES=15)
def test_unknown_codes_lock_the_address_even_for_a_valid_code_and_only_that_address(client, issued):
    code = of(issued, "Martin").verification_code
    for _ in range(3):
        page(client, UNKNOWN_CODE, 404)
    refused = client.get(url(code), REMOTE_ADDR=HERE)
    assert refused.status_code == 429
    assert "la vérification est suspendue pendant quelques minutes" in html.unescape(refused.content.decode())
    assert 0 < int(refused["Retry-After"]) <= 15 * 60
    assert answer(client, code, 429)["status"] == "locked"
    assert client.get(url(code), REMOTE_ADDR=ELSEWHERE).status_code == 200
    credential = reverse("certificates:credential", args=[code])
    assert client.get(credential, REMOTE_ADDR=HERE).status_code == 429


@override_settings(VERIFICATION_ADDRESS_FAILURES=3)
def test_a_locked_address_reads_again_only_what_was_just_answered(client, issued):
    answered, other = (
        of(issued, "Martin").verification_code,
        of(issued, "Durand", "RNCP35729BC01").verification_code,
    )
    page(client, answered)
    for _ in range(3):
        page(client, UNKNOWN_CODE, 404)
    assert "Ce certificat est valide" in page(client, answered)
    page(client, other, 429)


@override_settings(VERIFICATION_ADDRESS_FAILURES=3, VERIFICATION_LOCK_MINUTES=15)
def test_the_lock_ends_after_its_minutes(client, issued, monkeypatch):
    code = of(issued, "Martin").verification_code
    for _ in range(3):
        page(client, UNKNOWN_CODE, 404)
    page(client, code, 429)
    later = timezone.now() + timedelta(minutes=15, seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert "Ce certificat est valide" in page(client, code)


@override_settings(VERIFICATION_ADDRESS_FAILURES=3)
def test_mistyped_codes_are_not_counted(client, issued):
    for _ in range(5):
        page(client, "ABC", 404)
    assert not ResultsLookupCounter.objects.exists()
    page(client, of(issued, "Martin").verification_code)


@override_settings(VERIFICATION_ADDRESS_FAILURES=3, TRUSTED_PROXY_COUNT=0)
def test_a_forged_forwarded_for_does_not_escape_the_lock(client, issued):
    for n in range(3):
        page(client, UNKNOWN_CODE, 404, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    page(client, of(issued, "Martin").verification_code, 429, HTTP_X_FORWARDED_FOR="203.0.113.99")


@override_settings(VERIFICATION_ADDRESS_FAILURES=3, TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_the_address_it_saw_is_counted_not_what_the_client_prepends(client, issued):
    """The proxy appends the address it saw (here ELSEWHERE); what the client wrote before is its word."""
    for n in range(3):
        page(client, UNKNOWN_CODE, 404, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, {ELSEWHERE}")
    page(
        client, of(issued, "Martin").verification_code, 429, HTTP_X_FORWARDED_FOR=f"203.0.113.99, {ELSEWHERE}"
    )
