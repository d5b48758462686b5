"""E-mails of the VAE applications: the candidate's account opened by their CRFP, the admissibility decision
(D63), the accompanier named (D34). Sent after commit by the services; the mail names no one but its
addressee and, to the accompanier, the candidate they accompany."""

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from certifier.people.models import User
from certifier.people.services import set_password_url

from .models import VaeApplication


def send_candidate_invitation(user: User) -> None:
    send_mail(
        "Votre compte sur la plateforme du CQP Gestionnaire conseil",
        "Bonjour,\n\n"
        "Votre CRFP a enregistré pour vous une demande de validation des acquis de l'expérience (VAE). "
        f"Un compte a été créé pour vous, à l'adresse {user.email}, pour compléter votre demande et suivre "
        "son instruction.\n\n"
        "Pour choisir votre mot de passe (12 caractères au moins), ouvrez ce lien :\n"
        f"{set_password_url(user)}\n\n"
        "Ce lien ne sert qu'une fois. Si vous n'attendiez pas ce message, ignorez-le.\n",
        None,
        [user.email],
    )


def send_admissibility_notice(application_id: int) -> None:
    """Tell the candidate whether their application is admissible, and why."""
    application = VaeApplication.objects.select_related("candidate__user", "version__certification").get(
        pk=application_id
    )
    candidate = application.candidate
    address = candidate.user.email if candidate.user is not None else candidate.email
    if not address:
        return
    decision = "recevable" if application.admissible else "non recevable"
    link = settings.SITE_URL.rstrip("/") + reverse("vae:application_detail", args=[application.pk])
    following = (
        "Vous pouvez maintenant rédiger votre dossier de présentation des acquis de l'expérience (livret 2)."
        if application.admissible
        else "Vous pourrez déposer une nouvelle demande l'an prochain."
    )
    send_mail(
        f"Votre demande de VAE est {decision}",
        f"Bonjour {candidate.first_name} {candidate.usage_name or candidate.birth_name},\n\n"
        f"L'administrateur national a déclaré {decision} votre demande de validation des acquis de "
        f"l'expérience pour la certification « {application.version.certification.title} ».\n\n"
        f"Motif : {application.admissibility_reason}\n\n"
        f"{following}\n\n"
        f"Votre demande : {link}\n",
        None,
        [address],
    )


def send_accompanier_notice(application_id: int) -> None:
    """Tell the accompanier just named where the dossier they accompany is."""
    application = VaeApplication.objects.select_related("accompanier", "candidate").get(pk=application_id)
    if application.accompanier is None:
        return
    candidate = application.candidate
    link = settings.SITE_URL.rstrip("/") + reverse("vae:application_detail", args=[application.pk])
    send_mail(
        "Vous accompagnez une demande de VAE",
        "Bonjour,\n\n"
        "Vous avez été désigné(e) pour accompagner la demande de validation des acquis de l'expérience de "
        f"{candidate.first_name} {candidate.usage_name or candidate.birth_name}. Vous pouvez lire son "
        "dossier de présentation des acquis (livret 2) et le commenter jusqu'à son dépôt.\n\n"
        f"La demande : {link}\n",
        None,
        [application.accompanier.email],
    )
