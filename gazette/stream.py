"""What the gazette shows besides its members' posts, registered by the apps that own it.

The gazette's stream (and its weekly digest) lists the mairie's live announcements among
the posts, under the "mairie" category. Those pages belong to an app of a higher layer
(``mairie_pages``), which registers them here in its ``ready()``: the gazette asks this
registry and never imports that app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from wagtail.models import Page


@dataclass(frozen=True)
class StreamSource:
    """One kind of page shown in the stream.

    ``public_of(commune)`` gives the pages of that commune anyone may read (the one rule its
    own lists follow), ``model`` loads them as their specific class in one query.
    """

    model: type[Page]
    public_of: Callable[..., QuerySet]


_sources: dict[str, StreamSource] = {}


def stream_source_register(source: StreamSource) -> StreamSource:
    """Register ``source`` (from an ``AppConfig.ready``); idempotent."""
    _sources[source.model._meta.label] = source
    return source


def stream_sources() -> list[StreamSource]:
    return list(_sources.values())
