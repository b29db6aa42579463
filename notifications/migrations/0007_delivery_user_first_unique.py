"""The outbox's unique index leads with the user, and the index of its own on the user goes:
one index less to write per delivery of a fan-out. One transaction on PostgreSQL: a
fan-out waits for it rather than finding no unique index for its ON CONFLICT."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0006_outbox_message_payer"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="delivery",
            name="outbox_delivery_per_channel",
        ),
        migrations.AlterField(
            model_name="delivery",
            name="user",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="deliveries",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="delivery",
            constraint=models.UniqueConstraint(
                fields=("user", "message", "channel"), name="outbox_delivery_per_channel"
            ),
        ),
    ]
