"""PostgreSQL plans for solid-state storage: ``random_page_cost = 1.1`` on this database.

With the default (4, spinning disks), the planner prefers reading every user to a few
hundred index look-ups once the platform holds a million members: the directory's "who
may I write to" took 103 ms on the 600-commune data (``seed_scale --communes 600``), and
0.14 ms with this setting. Set on the database, so every connection (web, workers, a
connection pooler) plans the same way; ``RESET`` undoes it.
"""

from django.db import migrations

from portal.database_settings import database_setting_alter

RANDOM_PAGE_COST = "1.1"


def forwards(apps, schema_editor):
    database_setting_alter(schema_editor, "random_page_cost", RANDOM_PAGE_COST)


def backwards(apps, schema_editor):
    database_setting_alter(schema_editor, "random_page_cost", None)


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
