from django import template

from communities.memberships import communities_moderated_by

register = template.Library()


@register.simple_tag
def moderates_registrations(user) -> bool:
    """Whether ``user`` decides registrations somewhere (mairie moderator or referent)."""
    return user.is_authenticated and communities_moderated_by(user=user).exists()
