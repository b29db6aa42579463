from django import template

from notifications.push_keys import push_available as _push_available

register = template.Library()


@register.simple_tag
def push_available() -> bool:
    """Whether web push is configured here (VAPID keys), for pages offering to enable it."""
    return _push_available()
