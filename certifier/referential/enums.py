from django.db import models


class AccessRouteKind(models.TextChoices):
    """The six access routes of a registry sheet, in the registry's order (SI_JURY_FI … SI_JURY_VAE)."""

    INITIAL_TRAINING = "initial_training", "Après un parcours de formation sous statut d'élève ou d'étudiant"
    APPRENTICESHIP = "apprenticeship", "En contrat d'apprentissage"
    CONTINUING_EDUCATION = "continuing_education", "Après un parcours de formation continue"
    PROFESSIONAL_CONTRACT = "professional_contract", "En contrat de professionnalisation"
    INDIVIDUAL_APPLICATION = "individual_application", "Par candidature individuelle"
    VAE = "vae", "Par expérience (VAE)"


class Scheme(models.TextChoices):
    BLOCKS = "blocks", "Blocs de compétences"
    MARKS = "marks", "Notes et coefficients"


class AssessmentMethodKind(models.TextChoices):
    LOGBOOK = "logbook", "Carnet de suivi des compétences"
    OBSERVATION = "observation", "Observation en situation réelle de travail"
    PRESENTATION = "presentation", "Présentation d'une situation professionnelle"


class SituationKind(models.TextChoices):
    DOUBLE_LISTENING = "double_listening", "Double écoute (téléphone)"
    PHYSICAL_RECEPTION = "physical_reception", "Accueil physique"
    INTERVIEW = "interview", "Entretien"
    LETTERS_EMAILS = "letters_emails", "Courriers/courriels"
    CASE_PROCESSING = "case_processing", "Traitement de dossiers"


class Attester(models.TextChoices):
    TUTOR = "tutor", "Tuteur"
    MANAGER = "manager", "Manager"
