"""Autovacuum analyses the small tables that every whole-commune query joins as soon as
a few of their rows change: communes, their neighbourhoods and their staff groups.

By default autovacuum waits for 50 changed rows before analysing a table. A platform's
first communes have a handful of neighbourhoods each, so that table kept no statistics, and
the planner, taking a commune's 11 neighbourhoods for one, counted a mairie's message to
100,000 members by index look-ups one member at a time (4 s instead of 0.9 s on the 2-core
machine), as it would have planned the alert fan-out.
"""

from django.db import migrations

TABLES = ("communities_commune", "communities_community", "communities_communegroup")


def _alter(schema_editor, *, reset: bool) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.connection.ops.quote_name
    for table in TABLES:
        if reset:
            schema_editor.execute(
                f"ALTER TABLE {quote(table)} RESET (autovacuum_analyze_threshold)"
            )
        else:
            schema_editor.execute(
                f"ALTER TABLE {quote(table)} SET (autovacuum_analyze_threshold = 1)"
            )
            schema_editor.execute(f"ANALYZE {quote(table)}")


def forwards(apps, schema_editor):
    _alter(schema_editor, reset=False)


def backwards(apps, schema_editor):
    _alter(schema_editor, reset=True)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_no_jit_for_short_queries"),
        ("communities", "0010_commune_sms_budget"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
