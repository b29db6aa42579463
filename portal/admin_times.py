"""Dates and times in the Wagtail admin's detail ("inspect") views, in French local time.

Wagtail's inspect view prints a field's value with ``|localize``, which formats a datetime
as stored, in UTC, while every listing beside it shows Europe/Paris: "15 janvier 2026 10:05"
on the SMS's page, "11:05" in the list. Every model's inspect view (the SMS outbox,
communes, registrations…) takes this display instead.
"""

from django.db import models
from django.utils import timezone
from django.utils.html import format_html
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.fields import register_display_class

from communities.dates import date_display

EMPTY = "—"


class LocalDateTimeDisplay(Component):
    def __init__(self, value):
        self.value = value

    def render_html(self, parent_context=None):
        if self.value is None:
            return EMPTY
        local = timezone.localtime(self.value) if timezone.is_aware(self.value) else self.value
        return format_html(
            '<time datetime="{}">{}</time>',
            local.isoformat(),
            date_display(local, "DATETIME_FORMAT"),
        )


def admin_local_times_register() -> None:
    register_display_class(models.DateTimeField, display_class=LocalDateTimeDisplay)
