from django import template

from communities.memberships import communities_moderated_by
from communities.viewer import viewer_facts

register = template.Library()


@register.simple_tag(takes_context=True)
def moderates_registrations(context, user) -> bool:
    """Whether ``user`` decides registrations somewhere (mairie moderator or referent); for
    the signed-in user of the page, from ``communities.viewer``."""
    if not user.is_authenticated:
        return False
    request = context.get("request")
    request_user = getattr(request, "user", None)
    if request_user is not None and request_user.is_authenticated and request_user.pk == user.pk:
        return viewer_facts(request=request).moderates_registrations
    return communities_moderated_by(user=user).exists()
