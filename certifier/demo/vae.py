"""Demo VAE (issue 11), written through the same services as users, with the CRFP de Bordeaux filing for
five employees (their accounts opened with the demo password):
- a draft short of the three years in full-time equivalent (D63), and a filed application awaiting the
  national administrator's decision on its admissibility;
- an admissible application whose dossier (livret 2) is being written, its accompanier named (D34) and
  commenting;
- today's session of the VAE jury (D65), appointed by the CPNEFP: a holder of Tam Tam decided on the
  dossier alone (D66), two blocks validated; a candidate heard this morning, every block validated; its
  minutes signed by the president (D67), which proclaims and issues the CCP and the CQP (in this process
  rather than by the worker, as the juries' demo does)."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from certifier.certificates.credentials import make_development_key
from certifier.juries.signing import configured_files, make_development_certificate
from certifier.people.models import Organisation, User
from certifier.referential.models import Block, CertificationVersion
from certifier.vae.applications import (
    ApplicationData,
    CandidateIdentity,
    do_add_period,
    do_create_application_for,
    do_decide_admissibility,
    do_file_application,
)
from certifier.vae.dossier import do_comment, do_name_accompanier, do_submit_dossier, do_write_entry
from certifier.vae.jury import (
    do_add_member,
    do_appoint_session,
    do_schedule,
    dossier_only_route,
    vae_versions,
)
from certifier.vae.minutes import do_sign_minutes, sign_minutes
from certifier.vae.models import VaeApplication, VaeCandidacy, VaeJurySession
from certifier.vae.outcome import do_decide

STAGES = ("draft", "filed", "writing", "partial", "full")
ADMISSIBLE = "Expérience de plus de trois ans en équivalent temps plein sur des emplois visés par le CQP."
ENTRY = (
    "Dans mon poste de {job}, j'ai mis en œuvre cette compétence au quotidien : accueil et information "
    "des assurés, analyse de leur situation, traitement de leurs demandes dans le respect de la "
    "réglementation, suivi des dossiers jusqu'à leur règlement."
)
COMMENT = "Précisez un exemple de situation complexe que vous avez traitée, et ce que vous en avez retiré."
ARGUMENT = {
    "partial": (
        "Le dossier démontre la maîtrise de la relation de service et du travail en équipe (blocs 1 et 2) ; "
        "la gestion des situations complexes de droits (bloc 3) n'est pas suffisamment illustrée."
    ),
    "full": (
        "Le dossier et l'entretien démontrent la maîtrise de l'ensemble des compétences du CQP, "
        "illustrée par des situations professionnelles variées et bien analysées."
    ),
}


def load_demo_vae(data: dict[str, Any], password: str, admin: User) -> int:
    """The applications of `data` at their stage and today's VAE jury session (see the module's
    docstring); once. Returns the number of applications created."""
    if VaeApplication.objects.exists():
        return 0
    version = vae_versions().last()
    if version is None:  # the referential is not loaded: nothing to apply for
        return 0
    crfp = User.objects.get(email=data["crfp_staff"])
    centre = Organisation.objects.get(name=data["training_centre"])
    accompanier = User.objects.get(email=data["accompanier"])
    decided: list[tuple[dict[str, Any], VaeApplication]] = []
    for row in data["applications"]:
        application = _apply(crfp, centre, version, row, password)
        if row["stage"] == "draft":
            continue
        do_file_application(application.candidate.user, application)
        if row["stage"] == "filed":
            continue
        do_decide_admissibility(admin, application, admissible=True, reason=ADMISSIBLE)
        if row["stage"] == "writing":
            _write(application, row, accompanier)
        else:
            _write(application, row)
            decided.append((row, do_submit_dossier(application.candidate.user, application)))
    session = _sit(data, version)
    president = session.members.get(president=True).user
    codes = list(
        Block.objects.filter(version=version).order_by("position", "code").values_list("code", flat=True)
    )
    for row, application in decided:
        candidacy = _schedule(data, session, application)
        validated = codes[:2] if row["stage"] == "partial" else codes
        do_decide(
            president,
            candidacy,
            blocks={code: code in validated for code in codes},
            argument=ARGUMENT[row["stage"]],
            votes_for=session.members.count(),
            votes_against=0,
            abstentions=0,
        )
    make_development_certificate(configured_files())
    make_development_key(settings.CREDENTIAL_KEY_PATH)
    sign_minutes.call(do_sign_minutes(president, session).pk)
    return len(data["applications"])


def _apply(
    crfp: User, centre: Organisation, version: CertificationVersion, row: dict[str, Any], password: str
) -> VaeApplication:
    if row["stage"] not in STAGES:
        raise ValueError(f"VAE stage {row['stage']!r}: one of {', '.join(STAGES)}")
    employer = Organisation.objects.get(name=row["employer"])
    identity = CandidateIdentity(
        birth_name=row["birth_name"],
        first_name=row["first_name"],
        sex=row["sex"],
        birth_date=row["birth_date"],
        birth_insee_code="33063",
        email=row["email"],
        employer=employer,
        employee_number=row["number"],
    )
    funder = Organisation.objects.get(name=row["funder"]) if row.get("funder") else None
    application, _ = do_create_application_for(
        crfp,
        identity,
        ApplicationData(
            version,
            centre,
            funder,
            row.get("vae_leave", False),
            row.get("prior_certification", ""),
            row.get("prior_certification_date"),
        ),
    )
    account = User.objects.get(candidate=application.candidate)
    account.set_password(password)
    account.save(update_fields=["password"])
    today = timezone.localdate()
    for employer_name, job, since_start, since_end, rate in row["periods"]:
        do_add_period(
            account,
            application,
            employer_name=employer_name,
            job=job,
            start=_months_before(today, since_start),
            end=_months_before(today, since_end),
            rate=Decimal(rate),
        )
    return application


def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, 28))


def _write(application: VaeApplication, row: dict[str, Any], accompanier: User | None = None) -> None:
    """Every block described (one competence each), or, with an accompanier, the first two only and the
    accompanier's comment on the first."""
    actor = application.candidate.user
    blocks = list(Block.objects.filter(version=application.version).order_by("position", "code"))
    if accompanier is not None:
        do_name_accompanier(actor, application, accompanier.email)
        blocks = blocks[:2]
    job = row["periods"][0][1].lower()
    firsts = [block.competences.order_by("number")[0] for block in blocks]
    for competence in firsts:
        do_write_entry(actor, application, competence, ENTRY.format(job=job))
    if accompanier is not None:
        do_comment(accompanier, application, COMMENT, firsts[0])


def _sit(data: dict[str, Any], version: CertificationVersion) -> VaeJurySession:
    """Today's session, appointed and composed by the CPNEFP."""
    cpnefp = User.objects.get(email=data["cpnefp"])
    session = do_appoint_session(cpnefp, version=version, held_on=timezone.localdate(), place=data["place"])
    for email, sex, qualified, president, capacity in data["jurors"]:
        do_add_member(
            cpnefp, session, email=email, capacity=capacity, qualified=qualified, sex=sex, president=president
        )
    return session


def _schedule(data: dict[str, Any], session: VaeJurySession, application: VaeApplication) -> VaeCandidacy:
    """On the dossier alone where D66 says so, else an interview held this morning: an hour ago, on the
    quarter hour (at midnight if the day is younger than that)."""
    cpnefp = User.objects.get(email=data["cpnefp"])
    if dossier_only_route(application.prior_certification, application.prior_certification_date):
        return do_schedule(cpnefp, session, application)
    now = timezone.localtime()
    midnight = timezone.make_aware(datetime.combine(now.date(), time(0, 0)))
    hour_ago = now - timedelta(hours=1)
    slot = max(
        midnight, hour_ago.replace(minute=hour_ago.minute - hour_ago.minute % 15, second=0, microsecond=0)
    )
    return do_schedule(cpnefp, session, application, interview_at=slot)
