"""
Record Jinja2 renders as Django's test runner records its own templates.

Django's test client learns which templates a response rendered, and with
which context, from the template_rendered signal, which only Django's own
template language sends (django.test.utils.setup_test_environment instruments
it). The tracker's pages are Jinja2 templates, so in tests their render sends
the same signal: response.templates, response.context and assertTemplateUsed
then work for them, and the leak checks can read every context a public page
was given. Only top-level renders are recorded (an {% include %} is part of
its page), as Django records a page and its includes together.
"""
from django.template import Context
from django.template.backends import jinja2 as jinja2_backend
from django.test.signals import template_rendered

_render = jinja2_backend.Template.render


def _render_and_signal(self, context=None, request=None):
    context = {} if context is None else context
    html = _render(self, context, request)
    # A Context, as Django's own templates send: tests read it with flatten() as well as [name].
    template_rendered.send(sender=self.template, template=self.template, context=Context(context))
    return html


def instrument():
    jinja2_backend.Template.render = _render_and_signal
