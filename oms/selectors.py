from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from customers.models import Customer
from inventory.models import Product
from oms.models import AuditLog


def audit_log() -> QuerySet[AuditLog]:
    return AuditLog.objects.select_related("actor")


def search_everything(user, query: str) -> list[dict]:
    """Customers and products matching the header search, grouped, within what the user may see."""
    if not query:
        return []
    groups = []
    if user.has_perm("orders.view_order"):
        from orders.models import Order

        orders = (
            Order.objects.filter(number__istartswith=query).order_by("-id")[:20]
            if len(query) >= 4
            else []
        )
        groups.append(
            {
                "title": gettext("Orders"),
                "hits": [
                    {
                        "label": o.number,
                        "detail": o.get_status_display(),
                        "url": o.get_absolute_url(),
                        "exact": o.number.lower() == query.lower(),
                    }
                    for o in orders
                ],
            }
        )
    if user.has_perm("customers.view_customer"):
        customers = Customer.objects.filter(
            Q(code__iexact=query)
            | Q(name__icontains=query)
            | Q(phone__contains=query)
            | Q(contact_person__icontains=query)
        ).order_by("code")[:20]
        groups.append(
            {
                "title": gettext("Customers"),
                "hits": [
                    {
                        "label": str(c),
                        "detail": c.phone,
                        "url": c.get_absolute_url(),
                        "exact": c.code.lower() == query.lower() or c.phone == query,
                    }
                    for c in customers
                ],
            }
        )
    if user.has_perm("inventory.view_product"):
        products = Product.objects.filter(
            Q(sku__iexact=query) | Q(name__icontains=query) | Q(name_en__icontains=query)
        ).order_by("sku")[:20]
        groups.append(
            {
                "title": gettext("Products"),
                "hits": [
                    {
                        "label": str(p),
                        "detail": p.name_en,
                        "url": p.get_absolute_url(),
                        "exact": p.sku.lower() == query.lower(),
                    }
                    for p in products
                ],
            }
        )
    return groups
