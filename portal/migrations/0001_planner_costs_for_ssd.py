"""PostgreSQL plans for solid-state storage: ``random_page_cost = 1.1`` on this database.

With the default (4, spinning disks), the planner prefers reading every user to a few
hundred index look-ups once the platform holds a million members: the directory's "who
may I write to" took 103 ms on the 600-commune data (``seed_scale --communes 600``), and
0.14 ms with this setting. Set on the database, so every connection (web, workers, a
connection pooler) plans the same way; ``RESET`` undoes it.
"""

from django.db import migrations

RANDOM_PAGE_COST = "1.1"


def _alter(schema_editor, value: str | None) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    name = connection.ops.quote_name(connection.settings_dict["NAME"])
    if value is None:
        schema_editor.execute(f"ALTER DATABASE {name} RESET random_page_cost")
        schema_editor.execute("RESET random_page_cost")
    else:
        schema_editor.execute(f"ALTER DATABASE {name} SET random_page_cost = {value}")
        schema_editor.execute(f"SET random_page_cost = {value}")


def forwards(apps, schema_editor):
    _alter(schema_editor, RANDOM_PAGE_COST)


def backwards(apps, schema_editor):
    _alter(schema_editor, None)


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
