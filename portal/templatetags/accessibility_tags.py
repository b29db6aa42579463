"""The accessibility state every footer shows next to its link to the statement (RGAA)."""

from django import template

from portal.accessibility import CONFORMITY

register = template.Library()


@register.simple_tag
def accessibility_conformity():
    return CONFORMITY
