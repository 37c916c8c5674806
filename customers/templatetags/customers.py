from django import template

from customers.choices import CustomerTier

register = template.Library()


@register.filter
def tier_label(value: str) -> str:
    """A stored tier code in the reader's language (an audit row keeps the code)."""
    try:
        return str(CustomerTier(value).label)
    except ValueError:
        return value
