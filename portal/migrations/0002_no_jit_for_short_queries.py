"""PostgreSQL does not compile queries to machine code (``jit = off`` on this database).

The platform's queries are short: a page's, a count, a fan-out of a few seconds at most.
JIT compilation is planned by estimated cost, and a statement over a whole town (a
mairie's message to 100,000 members, counted by channel) crossed that cost and spent 80 to
140 ms compiling for a run of under a second; the fan-out's statement spent 0.66 s of
1.9 s. Set on the database like the page cost (migration 0001); ``RESET`` undoes it.
"""

from django.db import migrations


def _alter(schema_editor, value: str | None) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    name = connection.ops.quote_name(connection.settings_dict["NAME"])
    if value is None:
        schema_editor.execute(f"ALTER DATABASE {name} RESET jit")
        schema_editor.execute("RESET jit")
    else:
        schema_editor.execute(f"ALTER DATABASE {name} SET jit = {value}")
        schema_editor.execute(f"SET jit = {value}")


def forwards(apps, schema_editor):
    _alter(schema_editor, "off")


def backwards(apps, schema_editor):
    _alter(schema_editor, None)


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_planner_costs_for_ssd")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
