"""The personas of the access-matrix tests (domain.md §1), shared by every app's tests."""

SIGNED_IN = {
    "national_admin",
    "cpnefp",
    "crfp_staff",
    "employer_hr",
    "tutor",
    "manager",
    "assessor",
    "local_jury",
    "marker",
    "national_jury",
    "vae_jury",
    "candidate",
    "outsider",
}
PERSONAS = [*sorted(SIGNED_IN), "anonymous"]
# Who sees the `own` enrolment (tests/conftest.py); only the national admin sees the `foreign` one.
SEES_OWN = {"national_admin", "crfp_staff", "employer_hr", "tutor", "manager", "assessor", "candidate"}
