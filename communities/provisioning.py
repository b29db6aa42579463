"""What a new commune needs from the apps above this layer: a registry each app fills.

``commune_create`` builds what the commune layer owns (the site, the media collection, the
staff groups) but a commune's pages belong to higher apps (``home``, ``mairie_pages``, the
gazette) that this layer never imports. Each of them registers in its ``ready()``:

- ``home_pages_register``: the page types at the root of the platform's default site and
  of each commune's site (one app provides them);
- ``commune_step_register``: a step run for each commune, in ``order``, when it is created
  and on every later run of ``create_commune`` (which repairs what is missing): the
  mairie's sections, the gazette and its moderation workflow…
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class HomePages:
    """The root pages of the platform's site and of each commune's site."""

    platform_model: type  # the page type of the platform's home page (one per locale)
    platform_page: Callable[..., object]  # (*, locale) -> the unsaved platform home page
    commune_page: Callable[..., object]  # (*, name, slug, locale) -> an unsaved commune home


@dataclass(frozen=True)
class CommuneStep:
    """Something every commune needs. ``run(*, commune, created)`` must be idempotent:
    ``created`` is true on the commune's first run only, so that a step may add on creation
    what a mairie is free to remove later (its sections), and on every run what no commune
    may lack (the gazette's workflow)."""

    name: str
    order: int
    run: Callable[..., None]


_home_pages: list[HomePages] = []
_steps: dict[str, CommuneStep] = {}


def home_pages_register(home_pages: HomePages) -> None:
    _home_pages[:] = [home_pages]


def home_pages() -> HomePages:
    if not _home_pages:
        raise ImproperlyConfigured(
            "No app registered the home page types (communities.provisioning."
            "home_pages_register): is the 'home' app installed?"
        )
    return _home_pages[0]


def commune_step_register(step: CommuneStep) -> None:
    _steps[step.name] = step


def commune_steps() -> list[CommuneStep]:
    return sorted(_steps.values(), key=lambda step: (step.order, step.name))
