from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("pathways", "0002_training_paths_and_funding"),
        ("referential", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="assessorassignment",
            name="assessor_assignment_unique",
        ),
        migrations.AddConstraint(
            model_name="assessorassignment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("block__isnull", False)),
                fields=("enrolment", "assessor", "block"),
                name="assessor_assignment_unique_block",
            ),
        ),
        migrations.AddConstraint(
            model_name="assessorassignment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("block__isnull", True)),
                fields=("enrolment", "assessor"),
                name="assessor_assignment_unique_every_block",
            ),
        ),
        migrations.AddConstraint(
            model_name="candidate",
            constraint=models.UniqueConstraint(
                condition=models.Q(("identity_key", ""), _negated=True),
                fields=("identity_key",),
                name="candidate_unique_identity",
            ),
        ),
    ]
