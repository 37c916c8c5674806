"""Back-office pages for the rules that price and review orders, one module per kind: price
lists and their prices, promotions, shipping fee rules and approval rules. Each page calls one
service in orders/services/rules.py; rules are switched off (deactivated), never deleted here.

A kind's pages are `<Kind>ListView`, `<Kind>CreateView`, `<Kind>EditView` and
`<Kind>SetActiveView`, mounted by `oms.generic.object_urls` (orders/urls.py)."""

from typing import Any

from django.urls import reverse

from oms.generic import ObjectEditView


class RuleEditView(ObjectEditView):
    """Create or edit one rule; its page also offers to deactivate or reactivate it. The
    kind's URLs are named `<url_name>_list`, `_activate` and `_deactivate`."""

    template_name = "orders/rule_form.html"
    url_name = ""
    deactivate_warning: Any = ""

    def get_cancel_url(self):
        return reverse(f"{self.url_name}_list")

    def get_success_url(self, obj):
        return reverse(f"{self.url_name}_list")

    def get_extra_context(self):
        obj = self.object
        return {
            # Only the edit view has an object, and it already requires the change permission.
            "can_toggle": obj is not None,
            "activate_url": reverse(f"{self.url_name}_activate", args=[obj.pk]) if obj else "",
            "deactivate_url": reverse(f"{self.url_name}_deactivate", args=[obj.pk]) if obj else "",
            "deactivate_warning": self.deactivate_warning,
        }
