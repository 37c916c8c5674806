import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from customers.models import Customer
from oms.tables import ActiveColumn, BaseTable, MoneyColumn


class CustomerTable(BaseTable):
    code = tables.Column(linkify=True)
    name = tables.Column(linkify=True)
    kind = tables.Column()
    group = tables.Column()
    tier = tables.Column()
    rfm_segment = tables.Column(verbose_name=_("Segment"))
    spend_12m = MoneyColumn(verbose_name=_("Spend in 12 months"))
    region = tables.Column()
    phone = tables.Column(orderable=False)
    salesperson = tables.Column(accessor="salesperson__username", verbose_name=_("Salesperson"))
    credit_limit = MoneyColumn()
    payment_terms = tables.Column()
    is_active = ActiveColumn()

    class Meta(BaseTable.Meta):
        model = Customer
        fields = (
            "code",
            "name",
            "kind",
            "group",
            "tier",
            "rfm_segment",
            "spend_12m",
            "region",
            "phone",
            "salesperson",
            "credit_limit",
            "payment_terms",
            "is_active",
        )
        empty_text = _("No customers match these filters.")
