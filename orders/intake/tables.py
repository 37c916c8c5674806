import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from oms.tables import ActiveColumn, BaseTable
from orders.intake.models import Channel


class ChannelTable(BaseTable):
    name = tables.Column(linkify=True)
    code = tables.Column(attrs={"td": {"class": "font-monospace"}})
    kind = tables.Column()
    prices_include_tax = tables.BooleanColumn(verbose_name=_("Prices include tax"))
    customer_group = tables.Column(verbose_name=_("New buyers join"))
    is_active = ActiveColumn()

    class Meta(BaseTable.Meta):
        model = Channel
        fields = ("name", "code", "kind", "prices_include_tax", "customer_group", "is_active")
        empty_text = _("No channels match these filters.")
