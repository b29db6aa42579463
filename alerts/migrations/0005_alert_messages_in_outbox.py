"""Alert messages become outbox messages, and their deliveries the outbox's.

Each ``AlertMessage`` keeps its id, which becomes the id of its ``OutboxMessage`` (the
outbox's texts, fan-out date, quiet hours and expiry move there); every delivery is copied
with its id into ``notifications_delivery`` and the alerts table goes. Ids are kept so
that tasks already in the broker (fan-outs, batches, reconciliations) still find their
rows after the upgrade.
"""

import django.db.models.deletion
from django.core.management.color import no_style
from django.db import migrations, models
from django.utils import timezone


def copy_into_outbox(apps, schema_editor):
    connection = schema_editor.connection
    quote = connection.ops.quote_name

    def table(app_label, model_name):
        return quote(apps.get_model(app_label, model_name)._meta.db_table)

    outbox_message = apps.get_model("notifications", "OutboxMessage")
    outbox_delivery = apps.get_model("notifications", "Delivery")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table("notifications", "OutboxMessage")}
                (id, purpose, sender_name, text, restricted_text, created_at, fanned_out_at,
                 not_before, expires_at, ended_at, withdrawn_at, held)
            SELECT m.id, 'alert', c.sms_sender_name, m.text, m.restricted_text, m.created_at,
                   m.fanned_out_at, m.not_before,
                   CASE WHEN m.kind = 'correction' THEN NULL ELSE a.expires_at END,
                   CASE WHEN m.kind IN ('alert', 'update') THEN a.closed_at ELSE NULL END,
                   CASE WHEN m.kind <> 'correction'
                             AND a.moderation_status IN ('rejected', 'retracted')
                        THEN %s ELSE NULL END,
                   CASE WHEN a.moderation_status IN ('held', 'rejected')
                        THEN TRUE ELSE FALSE END
            FROM {table("alerts", "AlertMessage")} m
            JOIN {table("alerts", "Alert")} a ON a.id = m.alert_id
            JOIN {table("communities", "Commune")} c ON c.id = a.commune_id
            """,  # noqa: S608 (table names from model metadata)
            [timezone.now()],
        )
        cursor.execute(
            f"""
            INSERT INTO {table("notifications", "Delivery")}
                (id, message_id, user_id, channel, restricted, status, claim, attempts,
                 provider_message_id, error_code, permanent_failure, created_at, updated_at,
                 sent_at, encoding)
            SELECT id, message_id, user_id, channel, restricted, status, claim, attempts,
                   provider_message_id, error_code, permanent_failure, created_at, updated_at,
                   sent_at, ''
            FROM {table("alerts", "Delivery")}
            """  # noqa: S608 (table names from model metadata)
        )
        for sql in connection.ops.sequence_reset_sql(no_style(), [outbox_message, outbox_delivery]):
            cursor.execute(sql)


class AlertMessageIntoOutboxMessage(migrations.operations.base.Operation):
    """``AlertMessage`` inherits ``OutboxMessage``: its own id gives way to the link to its
    outbox message, in the same column. On PostgreSQL that column stops generating ids and
    references the outbox message; SQLite keeps the column as it is."""

    reversible = False

    def state_forwards(self, app_label, state):
        state.remove_field(app_label, "alertmessage", "id")
        state.add_field(
            app_label,
            "alertmessage",
            "outbox_message",
            models.OneToOneField(
                db_column="id",
                on_delete=django.db.models.deletion.CASCADE,
                parent_link=True,
                primary_key=True,
                related_name="alert_message",
                serialize=False,
                to="notifications.outboxmessage",
            ),
            True,
        )
        state.models[app_label, "alertmessage"].bases = ("notifications.outboxmessage",)
        state.reload_model(app_label, "alertmessage", delay=True)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        quote = schema_editor.connection.ops.quote_name
        table = quote(to_state.apps.get_model(app_label, "AlertMessage")._meta.db_table)
        outbox = quote(to_state.apps.get_model("notifications", "OutboxMessage")._meta.db_table)
        schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN id DROP IDENTITY IF EXISTS")
        schema_editor.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT alerts_alertmessage_outbox_message_fk "
            f"FOREIGN KEY (id) REFERENCES {outbox} (id) DEFERRABLE INITIALLY DEFERRED"
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        raise NotImplementedError("alert messages cannot leave the outbox")

    def describe(self):
        return "AlertMessage becomes an OutboxMessage (multi-table inheritance, same ids)"


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0004_alert_message_unfanned_index"),
        ("communities", "0001_initial"),
        ("notifications", "0004_outbox_messages_and_deliveries"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="alertmessage", name="message_unfanned_idx"),
        migrations.RunPython(copy_into_outbox, migrations.RunPython.noop, elidable=False),
        migrations.DeleteModel(name="Delivery"),
        migrations.RemoveField(model_name="alertmessage", name="created_at"),
        migrations.RemoveField(model_name="alertmessage", name="fanned_out_at"),
        migrations.RemoveField(model_name="alertmessage", name="not_before"),
        migrations.RemoveField(model_name="alertmessage", name="restricted_text"),
        migrations.RemoveField(model_name="alertmessage", name="text"),
        AlertMessageIntoOutboxMessage(),
    ]
