from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    BUSINESS = "business", _("Business")


class CustomerGroup(models.TextChoices):
    RETAIL = "retail", _("Retail")
    WHOLESALE = "wholesale", _("Wholesale")
    DISTRIBUTOR = "distributor", _("Distributor")


class CustomerTier(models.TextChoices):
    STANDARD = "standard", _("Standard")
    SILVER = "silver", _("Silver")
    GOLD = "gold", _("Gold")
    PLATINUM = "platinum", _("Platinum")


class PaymentTerms(models.TextChoices):
    PREPAID = "prepaid", _("Prepaid")
    COD = "cod", _("Cash on delivery")
    NET_15 = "net_15", _("Net 15 days")
    NET_30 = "net_30", _("Net 30 days")
    NET_60 = "net_60", _("Net 60 days")


class FapiaoType(models.TextChoices):
    GENERAL = "general", _("General VAT invoice (普通发票)")
    SPECIAL = "special", _("Special VAT invoice (专用发票)")


class RfmSegment(models.TextChoices):
    """Named RFM segments (orders.rfm.segment_for maps the three quintile scores to one)."""

    CHAMPIONS = "champions", _("Champions")
    LOYAL = "loyal", _("Loyal")
    POTENTIAL = "potential", _("Potential loyalists")
    NEW = "new", _("New customers")
    AT_RISK = "at_risk", _("At risk")
    CANT_LOSE = "cant_lose", _("Can't lose")
    HIBERNATING = "hibernating", _("Hibernating")
    LOST = "lost", _("Lost")
