"""A certificate keeps what its release and its declaration to the CPF need (enrolment, release time,
access route, exam dates, jury date, option), frozen at issue, so that a VAE jury's certificates, which
have no national jury decision, are read and declared like the others. Existing certificates take them
from their national jury decision."""

import django.db.models.deletion
from django.db import migrations, models

NEW = ("enrolment", "public_from", "access_route", "assessed_from", "assessed_to", "valid_from")


def from_decisions(apps, schema_editor):
    Certificate = apps.get_model("certificates", "Certificate")
    for certificate in Certificate.objects.select_related(
        "decision__deliberation",
        "decision__registration__session",
        "decision__registration__enrolment__option",
    ).iterator(chunk_size=1000):
        registration = certificate.decision.registration
        session = registration.session
        certificate.enrolment_id = registration.enrolment_id
        certificate.public_from = session.released_at or certificate.issued_at
        certificate.access_route = registration.enrolment.access_route
        certificate.assessed_from = min(session.written_exam_date, session.oral_start)
        certificate.assessed_to = max(session.written_exam_date, session.oral_end)
        certificate.valid_from = certificate.decision.deliberation.held_on
        option = registration.enrolment.option
        certificate.option = option.title if option else ""
        certificate.save(update_fields=[*NEW, "option"])


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0001_initial"),
        ("pathways", "0003_unique_identity_and_assessor_scope"),
        ("exams", "0004_registration_certified_by_national_jury"),
    ]

    operations = [
        migrations.AddField(
            model_name="certificate",
            name="enrolment",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="certificates",
                to="pathways.enrolment",
                verbose_name="inscription",
            ),
        ),
        migrations.AddField(
            model_name="certificate",
            name="public_from",
            field=models.DateTimeField(null=True, verbose_name="public à partir du"),
        ),
        migrations.AddField(
            model_name="certificate",
            name="access_route",
            field=models.CharField(
                choices=[
                    ("initial_training", "Après un parcours de formation sous statut d'élève ou d'étudiant"),
                    ("apprenticeship", "En contrat d'apprentissage"),
                    ("continuing_education", "Après un parcours de formation continue"),
                    ("professional_contract", "En contrat de professionnalisation"),
                    ("individual_application", "Par candidature individuelle"),
                    ("vae", "Par expérience (VAE)"),
                ],
                default="",
                max_length=30,
                verbose_name="voie d'accès",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="certificate",
            name="vae_route",
            field=models.CharField(
                blank=True,
                choices=[("CONGES_VAE", "Congé VAE"), ("VAE_CLASSIQUE", "VAE classique")],
                max_length=20,
                verbose_name="modalité de la VAE",
            ),
        ),
        migrations.AddField(
            model_name="certificate",
            name="assessed_from",
            field=models.DateField(null=True, verbose_name="début des épreuves"),
        ),
        migrations.AddField(
            model_name="certificate",
            name="assessed_to",
            field=models.DateField(null=True, verbose_name="fin des épreuves"),
        ),
        migrations.AddField(
            model_name="certificate",
            name="valid_from",
            field=models.DateField(null=True, verbose_name="date de la décision du jury"),
        ),
        migrations.AddField(
            model_name="certificate",
            name="option",
            field=models.CharField(blank=True, max_length=200, verbose_name="option"),
        ),
        migrations.RunPython(from_decisions, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="certificate",
            name="enrolment",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="certificates",
                to="pathways.enrolment",
                verbose_name="inscription",
            ),
        ),
        migrations.AlterField(
            model_name="certificate",
            name="public_from",
            field=models.DateTimeField(verbose_name="public à partir du"),
        ),
        migrations.AlterField(
            model_name="certificate",
            name="assessed_from",
            field=models.DateField(verbose_name="début des épreuves"),
        ),
        migrations.AlterField(
            model_name="certificate",
            name="assessed_to",
            field=models.DateField(verbose_name="fin des épreuves"),
        ),
        migrations.AlterField(
            model_name="certificate",
            name="valid_from",
            field=models.DateField(verbose_name="date de la décision du jury"),
        ),
        migrations.AddConstraint(
            model_name="certificate",
            constraint=models.CheckConstraint(
                condition=models.Q(("vae_route", ""), ("access_route", "vae"), _connector="OR"),
                name="certificate_vae_route_of_a_vae",
            ),
        ),
    ]
