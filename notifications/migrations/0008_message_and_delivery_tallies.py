"""The outbox's tallies: what each message's deliveries came to, so that the dashboard and
the SMS budget sum a few rows per message instead of counting deliveries. Empty at first:
the first refresh (``notifications.tallies_refresh``, every minute) counts every message."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0010_commune_sms_budget"),
        ("notifications", "0007_delivery_user_first_unique"),
    ]

    operations = [
        migrations.CreateModel(
            name="MessageTally",
            fields=[
                (
                    "message",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="tally",
                        serialize=False,
                        to="notifications.outboxmessage",
                    ),
                ),
                ("unreached", models.PositiveIntegerField(default=0)),
                ("settled", models.BooleanField(default=False)),
                ("refreshed_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "verbose_name": "bilan d'un message",
                "verbose_name_plural": "bilans des messages",
                "indexes": [
                    models.Index(
                        condition=models.Q(("settled", False)),
                        fields=["message"],
                        name="outbox_tally_open_idx",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="DeliveryTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[("sms", "SMS"), ("email", "E-mail"), ("push", "Notification")],
                        max_length=5,
                    ),
                ),
                ("month", models.DateField(blank=True, null=True)),
                ("delivered", models.PositiveIntegerField(default=0)),
                ("failed", models.PositiveIntegerField(default=0)),
                ("pending", models.PositiveIntegerField(default=0)),
                ("sms", models.PositiveIntegerField(default=0)),
                ("segments", models.PositiveIntegerField(default=0)),
                ("cost", models.DecimalField(decimal_places=4, default=0, max_digits=14)),
                (
                    "message",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tallies",
                        to="notifications.outboxmessage",
                    ),
                ),
                (
                    "payer",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="communities.commune",
                    ),
                ),
            ],
            options={
                "verbose_name": "bilan d'envoi",
                "verbose_name_plural": "bilans d'envoi",
                "indexes": [
                    models.Index(
                        condition=models.Q(("channel", "sms")),
                        fields=["payer", "month"],
                        name="outbox_tally_sms_idx",
                    )
                ],
            },
        ),
    ]
