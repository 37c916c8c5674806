"""A wave pick list's units per order, on the product's second line: each order with its
quantity kept together by no-break spaces, grouped thousands, and escaped like any text."""

from django.template import Context, Template
from django.utils import translation

from shipping.templatetags.shipping import order_split


def test_pairs_kept_together_and_thousands_grouped():
    with translation.override("en"):
        line = order_split({"SO-2026-000001": 5, "SO-2026-000002": 1234})
    assert line == "SO-2026-000001\u00a0×\u00a05; SO-2026-000002\u00a0×\u00a01,234"


def test_escaped_in_the_document():
    html = Template("{% load shipping %}{{ split|order_split }}").render(
        Context({"split": {"<b>SO-1</b>": 2}})
    )
    assert html == "&lt;b&gt;SO-1&lt;/b&gt;\u00a0×\u00a02"
