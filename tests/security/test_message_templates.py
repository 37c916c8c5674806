"""Message templates are written by staff and filled with what customers typed: the sandbox
keeps templates away from objects, settings and files, and customers' text out of the HTML."""

import pytest
from django.template import TemplateSyntaxError

from oms.messaging import check_template, notify, render
from oms.models import MessageTemplate
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

CONFIRMED = "order.confirmed"
CONTEXT = {"order_number": "SO-2026-000042", "customer_name": "杭州光明灯具", "total": "¥1.00"}


def customer(**kwargs):
    return CustomerFactory(**{"email": "buyer@example.com", "preferred_channel": "email", **kwargs})


def test_html_is_escaped_in_the_html_part_only():
    message = notify(customer(), CONFIRMED, {**CONTEXT, "customer_name": "<b>Bob</b> & Co"})
    assert "<b>Bob</b> & Co" in message.body  # plain text stays as typed
    assert "&lt;b&gt;Bob&lt;/b&gt; &amp; Co" in message.html_body
    assert "<b>Bob</b>" not in message.html_body


def test_templates_see_only_plain_values():
    buyer = customer(name="Secret Name")
    # A model instance in the context becomes its text: no attributes, no methods, no rows.
    assert render("{{ c.name }}|{{ c.delete }}|{{ c }}", {"c": buyer}) == f"||{buyer}"
    assert render("{{ settings.SECRET_KEY }}{{ request }}", {}) == ""


@pytest.mark.parametrize(
    "text",
    [
        "{% load static %}",
        "{% include 'base.html' %}",
        "{% debug %}",
        "{% url 'dashboard' %}",
        "{% extends 'base.html' %}",
        "{% if %}",
        "{{ x|nosuchfilter }}",
    ],
)
def test_the_sandbox_refuses_tags_outside_the_list(text):
    with pytest.raises(TemplateSyntaxError):
        check_template(text)


def test_the_sandbox_allows_the_usual_tags():
    text = "{% if a %}{% for x in items %}{{ x|upper }}{% empty %}-{% endfor %}{% endif %}"
    assert render(text, {"a": True, "items": ["a", "b"]}) == "AB"


def test_the_preview_page_renders_in_the_sandbox_too(client_for):
    template = MessageTemplate.objects.get(event_code=CONFIRMED, language="en")
    MessageTemplate.objects.filter(pk=template.pk).update(
        body="[[{{ request.user }}{{ perms }}{{ csrf_token }}]]"
    )
    page = client_for("manager").get(f"/message-templates/{template.pk}/edit/")
    assert "[[]]" in page.content.decode()
