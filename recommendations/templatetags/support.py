"""The support services for the signpost and the contact page (services/support_services.py).

    {% load support %}
    {% support_services as services %}
    {{ service.phone|phone_number }}   -> 0808&nbsp;801&nbsp;0331 (never broken across lines)
"""
from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from recommendations.services import support_services as services

register = template.Library()


@register.simple_tag
def support_services():
    return services.current()


@register.filter
def phone_number(phone):
    return mark_safe("&nbsp;".join(escape(part) for part in str(phone).split()))
