"""PostgreSQL does not compile queries to machine code (``jit = off`` on this database).

The platform's queries are short: a page's, a count, a fan-out of a few seconds at most.
JIT compilation is planned by estimated cost, and a statement over a whole town (a
mairie's message to 100,000 members, counted by channel) crossed that cost and spent 80 to
140 ms compiling for a run of under a second; the fan-out's statement spent 0.66 s of
1.9 s. Set on the database like the page cost (migration 0001); ``RESET`` undoes it.
"""

from django.db import migrations

from portal.database_settings import database_setting_alter


def forwards(apps, schema_editor):
    database_setting_alter(schema_editor, "jit", "off")


def backwards(apps, schema_editor):
    database_setting_alter(schema_editor, "jit", None)


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_planner_costs_for_ssd")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
