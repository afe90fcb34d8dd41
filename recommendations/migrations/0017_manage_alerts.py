"""Managing one's e-mail alerts (#23 point 2): a weekly digest, "follow everything" (a subscription with no
target, at most one per address) and the random key each address's "manage your alerts" link names."""
import uuid

from django.db import migrations, models


def give_each_address_a_key(apps, schema_editor):
    Subscription = apps.get_model("recommendations", "Subscription")
    for email in Subscription.objects.order_by().values_list("email", flat=True).distinct():
        Subscription.objects.filter(email=email).update(address_key=uuid.uuid4().hex)


class Migration(migrations.Migration):

    dependencies = [
        ("recommendations", "0016_evidence_link_checks"),
    ]

    operations = [
        migrations.AddField(
            model_name="subscription",
            name="address_key",
            field=models.CharField(db_index=True, default="", editable=False, max_length=32),
            preserve_default=False,
        ),
        migrations.RunPython(give_each_address_a_key, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="subscription",
            name="frequency",
            field=models.CharField(
                choices=[
                    ("immediate", "An e-mail for each update, as soon as it is published"),
                    ("daily", "A daily digest: one e-mail with the day’s updates"),
                    ("weekly", "A weekly digest: one e-mail each Monday with the past week’s updates"),
                ],
                default="immediate",
                max_length=10,
            ),
        ),
        migrations.RemoveConstraint(model_name="subscription", name="subscription_has_one_target"),
        migrations.AddConstraint(
            model_name="subscription",
            constraint=models.CheckConstraint(
                condition=(
                    models.Q(item__isnull=False, source__isnull=True, theme__isnull=True)
                    | models.Q(item__isnull=True, source__isnull=False, theme__isnull=True)
                    | models.Q(item__isnull=True, source__isnull=True, theme__isnull=False)
                    | models.Q(item__isnull=True, source__isnull=True, theme__isnull=True)
                ),
                name="subscription_has_at_most_one_target",
            ),
        ),
        migrations.AddConstraint(
            model_name="subscription",
            constraint=models.UniqueConstraint(
                condition=models.Q(item__isnull=True, source__isnull=True, theme__isnull=True),
                fields=("email",),
                name="one_everything_subscription_per_address",
            ),
        ),
    ]
