from django.db import models


class Role(models.TextChoices):
    NATIONAL_ADMIN = "national_admin", "Administrateur national"
    CPNEFP = "cpnefp", "CPNEFP"
    CRFP_STAFF = "crfp_staff", "CRFP"
    EMPLOYER_HR = "employer_hr", "Organisme employeur"
    TUTOR = "tutor", "Tuteur"
    MANAGER = "manager", "Manager"
    ASSESSOR = "assessor", "Évaluateur"
    LOCAL_JURY = "local_jury", "Jury local"
    MARKER = "marker", "Correcteur de l'épreuve écrite"
    NATIONAL_JURY = "national_jury", "Jury national paritaire"
    VAE_JURY = "vae_jury", "Jury VAE"
    CANDIDATE = "candidate", "Candidat"


# The roles that deal with exam sessions (the exams app's pages, the menu's entry).
EXAM_ROLES = (Role.NATIONAL_ADMIN, Role.CRFP_STAFF, Role.LOCAL_JURY, Role.NATIONAL_JURY, Role.MARKER)
# The roles that deal with VAE applications (the vae app's lists, the menu's entry).
VAE_ROLES = (Role.NATIONAL_ADMIN, Role.CPNEFP, Role.CRFP_STAFF, Role.VAE_JURY, Role.CANDIDATE)


class OrganisationKind(models.TextChoices):
    CERTIFIER = "certifier", "Certificateur (Ucanss)"
    CPNEFP = "cpnefp", "CPNEFP"
    TRAINING_CENTRE = "training_centre", "CRFP"
    EMPLOYER = "employer", "Organisme employeur"


class Branch(models.TextChoices):
    CAF = "CAF", "CAF"
    CPAM = "CPAM", "CPAM"
    CARSAT = "CARSAT", "CARSAT"
    URSSAF = "URSSAF", "URSSAF"
    DRSM = "DRSM", "DRSM"
    OTHER = "OTHER", "Autre"


# The organisation kind each role is scoped to.
ROLE_ORGANISATION_KINDS: dict[str, set[str]] = {
    Role.NATIONAL_ADMIN: {OrganisationKind.CERTIFIER},
    Role.CPNEFP: {OrganisationKind.CPNEFP},
    Role.CRFP_STAFF: {OrganisationKind.TRAINING_CENTRE},
    Role.EMPLOYER_HR: {OrganisationKind.EMPLOYER},
    Role.TUTOR: {OrganisationKind.EMPLOYER},
    Role.MANAGER: {OrganisationKind.EMPLOYER},
    Role.ASSESSOR: {OrganisationKind.TRAINING_CENTRE, OrganisationKind.EMPLOYER},
    Role.LOCAL_JURY: {OrganisationKind.TRAINING_CENTRE},
    # appointed by Ucanss for the sessions listed in exams.ExamMarker (D48)
    Role.MARKER: {OrganisationKind.CERTIFIER},
    Role.NATIONAL_JURY: {OrganisationKind.CPNEFP},
    Role.VAE_JURY: {OrganisationKind.CPNEFP},
    Role.CANDIDATE: {OrganisationKind.EMPLOYER},
}
