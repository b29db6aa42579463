"""Workflows and tasks that staff see by name are named in French.

Wagtail's initial data calls its default workflow and task "Moderators approval" (0005 turned
them off, but the workflow reports and old histories still list them). A commune provisioned
while an English-speaking admin was browsing got its gazette task named in English
("Gazette moderation — …"); provisioning now always names them in the site's language.
"""

from django.db import migrations

RENAMED = {"Moderators approval": "Validation par les modérateurs"}
ENGLISH_GAZETTE_TASK = "Gazette moderation — "
FRENCH_GAZETTE_TASK = "Modération de la gazette — "


def name_in_french(apps, schema_editor):
    Workflow = apps.get_model("wagtailcore", "Workflow")
    Task = apps.get_model("wagtailcore", "Task")
    for english, french in RENAMED.items():
        Workflow.objects.filter(name=english).update(name=french)
        Task.objects.filter(name=english).update(name=french)
    for task in Task.objects.filter(name__startswith=ENGLISH_GAZETTE_TASK):
        task.name = FRENCH_GAZETTE_TASK + task.name.removeprefix(ENGLISH_GAZETTE_TASK)
        task.save(update_fields=["name"])


def name_in_english(apps, schema_editor):
    Workflow = apps.get_model("wagtailcore", "Workflow")
    Task = apps.get_model("wagtailcore", "Task")
    for english, french in RENAMED.items():
        Workflow.objects.filter(name=french).update(name=english)
        Task.objects.filter(name=french).update(name=english)


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0005_remove_wagtail_default_groups"),
    ]

    operations = [migrations.RunPython(name_in_french, name_in_english)]
