"""The dossier of a VAE application (livret 2, D34, D64): entries per competence, the accompanier and their
comments, the submission after which nothing changes, and who reads it."""

from datetime import datetime, time, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from certifier.core.enums import AuditAction
from certifier.core.models import AuditEvent, DomainError, NotAllowed
from certifier.people.enums import Role
from certifier.people.models import User
from certifier.referential.models import Block, CertificationVersion, Competence
from certifier.vae.dossier import (
    ENTRY_MAX,
    do_comment,
    do_name_accompanier,
    do_submit_dossier,
    do_write_entry,
    may_read_dossier,
)
from certifier.vae.enums import ApplicationStatus
from certifier.vae.jury import do_add_member, do_appoint_session, do_schedule
from certifier.vae.models import DossierComment, DossierEntry, VaeApplication
from tests.factories import MembershipFactory, UserFactory
from tests.personas import PERSONAS

# helpers shared with the other dossier test modules


@pytest.fixture
def application(admissible_application):
    """An admissible application of the candidate persona, followed by the persona's CRFP."""
    return admissible_application


@pytest.fixture
def accompanier(db):
    return UserFactory(email="accompagnatrice@test.example", first_name="Inès", last_name="Roux")


@pytest.fixture
def accompanied(application, users, accompanier):
    do_name_accompanier(users["candidate"], application, accompanier.email)
    return application


def competences(application: VaeApplication) -> list[Competence]:
    return list(
        Competence.objects.filter(block__version_id=application.version_id).order_by(
            "block__position", "block__code", "number"
        )
    )


def write_every_block(application: VaeApplication, candidate) -> None:
    for block in Block.objects.filter(version_id=application.version_id):
        do_write_entry(candidate, application, block.competences.first(), f"Mon expérience en {block.code}.")


@pytest.fixture
def submitted(accompanied, users):
    write_every_block(accompanied, users["candidate"])
    do_submit_dossier(users["candidate"], accompanied)
    return accompanied


def vae_jury_user(organisations, email: str):
    return MembershipFactory(user__email=email, organisation=organisations["cpnefp"], role=Role.VAE_JURY).user


def seat(users, version, member, held_in_days: int = 30):
    """A VAE jury session of the version, appointed by the CPNEFP, with `member` seated as president."""
    session = do_appoint_session(
        users["cpnefp"],
        version=version,
        held_on=timezone.localdate() + timedelta(days=held_in_days),
        place="Ucanss, Paris",
    )
    do_add_member(
        users["cpnefp"],
        session,
        email=member.email,
        capacity="Professionnel",
        qualified=True,
        sex="F",
        president=True,
    )
    return session


@pytest.fixture
def heard(submitted, users, organisations, version):
    """The submitted dossier scheduled before a session where the `vae_jury` persona sits; `other` is a VAE
    jury member seated in another session only."""
    session = seat(users, version, users["vae_jury"])
    interview = timezone.make_aware(datetime.combine(session.held_on, time(10)))
    do_schedule(users["cpnefp"], session, submitted, interview_at=interview)
    seat(users, version, vae_jury_user(organisations, "autre.jure@test.example"), held_in_days=40)
    return submitted


# entries


def test_the_candidate_describes_a_competence_and_it_is_audited(application, users):
    competence = competences(application)[0]
    entry = do_write_entry(users["candidate"], application, competence, "  J'accueille les allocataires.  ")
    assert entry.text == "J'accueille les allocataires." and entry.updated_by == users["candidate"]
    event = AuditEvent.objects.get(action=AuditAction.VAE_DOSSIER_WRITTEN)
    assert event.before is None and event.after == {"competence": competence.pk, "text": entry.text}


def test_writing_a_competence_again_replaces_its_entry_with_before_and_after(application, users):
    competence = competences(application)[0]
    do_write_entry(users["candidate"], application, competence, "Première version.")
    entry = do_write_entry(users["candidate"], application, competence, "Seconde version.")
    assert DossierEntry.objects.filter(application=application).count() == 1
    assert entry.text == "Seconde version."
    event = AuditEvent.objects.filter(action=AuditAction.VAE_DOSSIER_WRITTEN).latest("pk")
    assert event.before["text"] == "Première version." and event.after["text"] == "Seconde version."


def test_writing_the_same_text_again_records_nothing(application, users):
    competence = competences(application)[0]
    do_write_entry(users["candidate"], application, competence, "Même texte.")
    do_write_entry(users["candidate"], application, competence, "Même texte.")
    assert AuditEvent.objects.filter(action=AuditAction.VAE_DOSSIER_WRITTEN).count() == 1


@pytest.mark.parametrize(
    "text, message",
    [("   ", "Décrivez votre expérience"), ("x" * (ENTRY_MAX + 1), "au plus 20 000 caractères")],
)
def test_an_empty_or_too_long_entry_is_refused(application, users, text, message):
    with pytest.raises(DomainError, match=message):
        do_write_entry(users["candidate"], application, competences(application)[0], text)
    assert not DossierEntry.objects.exists()


def test_a_competence_of_another_certification_is_refused(application, users, referential):
    other = CertificationVersion.objects.create(
        certification=referential, code="autre", label="Autre référentiel", scheme="blocks"
    )
    block = Block.objects.create(version=other, code="AUTREBC01", title="Autre bloc", position=1)
    foreign = Competence.objects.create(block=block, number=1, title="Autre", text="Autre compétence")
    with pytest.raises(DomainError, match="n'appartient pas à la certification visée"):
        do_write_entry(users["candidate"], application, foreign, "Texte.")


@pytest.mark.parametrize("persona", ["crfp_staff", "national_admin", "cpnefp", "vae_jury", "outsider"])
def test_only_the_candidate_writes_the_dossier(application, users, persona):
    with pytest.raises(NotAllowed):
        do_write_entry(users[persona], application, competences(application)[0], "Texte.")


def test_the_accompanier_does_not_write_the_dossier(accompanied, users, accompanier):
    with pytest.raises(NotAllowed):
        do_write_entry(accompanier, accompanied, competences(accompanied)[0], "Texte.")


@pytest.mark.parametrize("state", ["draft_application", "filed_application"])
def test_no_dossier_is_written_before_the_application_is_admissible(request, users, state):
    early = request.getfixturevalue(state)
    with pytest.raises(DomainError, match="une fois la demande déclarée recevable"):
        do_write_entry(users["candidate"], early, competences(early)[0], "Texte.")


def test_the_accompanier_is_named_before_admissibility(filed_application, users, accompanier):
    assert do_name_accompanier(users["candidate"], filed_application, accompanier.email) == accompanier


# the accompanier (D34)


def test_the_candidate_names_an_existing_account_as_accompanier(application, users, accompanier):
    named = do_name_accompanier(users["candidate"], application, "  ACCOMPAGNATRICE@test.example ")
    application.refresh_from_db()
    assert named == accompanier and application.accompanier == accompanier
    event = AuditEvent.objects.get(action=AuditAction.VAE_ACCOMPANIER_NAMED)
    assert event.before == {"accompanier": None} and event.after == {"accompanier": accompanier.pk}


def test_the_accompanier_is_replaced_then_removed(accompanied, users):
    other = UserFactory(email="autre.accompagnateur@test.example")
    do_name_accompanier(users["candidate"], accompanied, other.email)
    assert VaeApplication.objects.get(pk=accompanied.pk).accompanier == other
    assert do_name_accompanier(users["candidate"], accompanied, "") is None
    assert VaeApplication.objects.get(pk=accompanied.pk).accompanier is None
    assert AuditEvent.objects.filter(action=AuditAction.VAE_ACCOMPANIER_NAMED).count() == 3


@pytest.mark.parametrize(
    "persona", ["crfp_staff", "national_admin", "cpnefp", "employer_hr", "vae_jury", "outsider"]
)
def test_only_the_candidate_names_the_accompanier_who_reads_the_dossier(
    application, users, accompanier, persona
):
    with pytest.raises(NotAllowed):
        do_name_accompanier(users[persona], application, accompanier.email)


def test_the_staff_of_another_crfp_does_not_name_the_accompanier(application, organisations, accompanier):
    staff = MembershipFactory(organisation=organisations["other_crfp"], role=Role.CRFP_STAFF).user
    with pytest.raises(NotAllowed):
        do_name_accompanier(staff, application, accompanier.email)


def test_an_address_without_an_account_is_refused_in_french(application, users):
    with pytest.raises(DomainError, match=r"Aucun compte actif n'a l'adresse « personne@ailleurs\.example »"):
        do_name_accompanier(users["candidate"], application, "personne@ailleurs.example")


def test_the_candidate_is_not_their_own_accompanier(application, users):
    with pytest.raises(DomainError, match="son propre accompagnateur"):
        do_name_accompanier(users["candidate"], application, users["candidate"].email)


# comments


def test_the_accompanier_and_the_candidate_comment_while_the_dossier_is_written(
    accompanied, users, accompanier
):
    competence = competences(accompanied)[0]
    do_comment(accompanier, accompanied, "Précisez le nombre de dossiers traités.", competence)
    do_comment(users["candidate"], accompanied, "C'est fait.")
    comments = list(DossierComment.objects.order_by("pk"))
    assert [(c.author, c.competence) for c in comments] == [
        (accompanier, competence),
        (users["candidate"], None),
    ]
    assert AuditEvent.objects.filter(action=AuditAction.VAE_COMMENT_WRITTEN).count() == 2


@pytest.mark.parametrize("persona", ["crfp_staff", "national_admin", "vae_jury", "outsider"])
def test_only_the_accompanier_and_the_candidate_comment(accompanied, users, persona):
    with pytest.raises(NotAllowed):
        do_comment(users[persona], accompanied, "Un avis.")


def test_nobody_signed_in_comments_a_dossier_without_accompanier(application):
    with pytest.raises(NotAllowed):
        do_comment(AnonymousUser(), application, "Un avis.")


def test_an_empty_comment_is_refused(accompanied, accompanier):
    with pytest.raises(DomainError, match="Écrivez le commentaire"):
        do_comment(accompanier, accompanied, "  ")


# submission


def test_a_dossier_with_a_block_not_described_is_not_submitted_and_the_missing_blocks_are_named(
    application, users
):
    blocks = list(Block.objects.filter(version_id=application.version_id).order_by("position", "code"))
    do_write_entry(users["candidate"], application, blocks[0].competences.first(), "Texte.")
    with pytest.raises(DomainError) as refusal:
        do_submit_dossier(users["candidate"], application)
    message = str(refusal.value)
    assert blocks[0].code not in message
    assert all(f"{block.code} — {block.title}" in message for block in blocks[1:])
    assert VaeApplication.objects.get(pk=application.pk).status == ApplicationStatus.ADMISSIBLE


def test_the_candidate_submits_a_dossier_describing_every_block(application, users):
    write_every_block(application, users["candidate"])
    do_submit_dossier(users["candidate"], application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DOSSIER_SUBMITTED
    assert application.dossier_submitted_at is not None
    event = AuditEvent.objects.get(action=AuditAction.VAE_DOSSIER_SUBMITTED)
    assert event.before["status"] == ApplicationStatus.ADMISSIBLE
    assert event.after["status"] == ApplicationStatus.DOSSIER_SUBMITTED


@pytest.mark.parametrize("persona", ["crfp_staff", "national_admin", "outsider"])
def test_only_the_candidate_submits(application, users, persona):
    write_every_block(application, users["candidate"])
    with pytest.raises(NotAllowed):
        do_submit_dossier(users[persona], application)


@pytest.mark.parametrize(
    "write",
    [
        lambda app, users, acc: do_write_entry(users["candidate"], app, competences(app)[0], "Ajout."),
        lambda app, users, acc: do_comment(acc, app, "Encore un avis."),
        lambda app, users, acc: do_comment(users["candidate"], app, "Une réponse."),
        lambda app, users, acc: do_name_accompanier(users["candidate"], app, ""),
        lambda app, users, acc: do_name_accompanier(users["candidate"], app, "outsider@test.example"),
        lambda app, users, acc: do_submit_dossier(users["candidate"], app),
    ],
    ids=[
        "entry",
        "accompanier_comment",
        "candidate_comment",
        "remove_accompanier",
        "replace_accompanier",
        "submit",
    ],
)
def test_a_dossier_submitted_is_read_only(submitted, users, accompanier, write):
    before = AuditEvent.objects.count()
    with pytest.raises(DomainError, match=r"Le dossier est déposé : il ne se modifie plus\."):
        write(submitted, users, accompanier)
    assert AuditEvent.objects.count() == before
    assert VaeApplication.objects.get(pk=submitted.pk).accompanier == accompanier


# who reads the dossier (D64)


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_reads_the_dossier(heard, users, persona):
    """The candidate, the jury member seated in the session hearing it, the national administrator; not the
    CRFP that follows it, the CPNEFP, the employer or anyone else."""
    user = users.get(persona) or AnonymousUser()
    assert may_read_dossier(user, heard) == (persona in {"candidate", "vae_jury", "national_admin"})


def test_the_accompanier_reads_the_dossier(heard, accompanier):
    assert may_read_dossier(accompanier, heard)


def test_a_vae_jury_member_of_another_session_does_not_read_the_dossier(heard):
    assert not may_read_dossier(User.objects.get(email="autre.jure@test.example"), heard)


def test_a_vae_jury_member_does_not_read_a_dossier_not_scheduled_before_them(submitted, users):
    assert not may_read_dossier(users["vae_jury"], submitted)
