"""The sales channel: one row per place orders come from."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from customers.choices import CustomerGroup
from orders.choices import PLATFORM_KINDS, ChannelCode, ChannelKind, WebhookEvent


def standard_name(code: str) -> str:
    """The name of one of the first channels in the reader's language (else the code)."""
    return str(ChannelCode(code).label) if code in ChannelCode.values else code


class Channel(models.Model):
    # Orders point at the code (Order.channel is a foreign key to it): it is what imports,
    # the API and the summaries name a channel by, so it never changes once orders use it.
    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        validators=[
            RegexValidator(
                r"^[a-z0-9][a-z0-9_-]*$",
                _("Lower-case letters, digits, - and _ only, starting with a letter or digit."),
            )
        ],
    )
    # Empty for the first channels: their standard name, in each reader's language.
    name = models.CharField(_("name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ChannelKind.choices)
    is_active = models.BooleanField(_("active"), default=True)
    prices_include_tax = models.BooleanField(
        _("prices include tax"),
        default=False,
        help_text=_("The channel's prices are gross (tax included), as shops show buyers."),
    )
    customer_group = models.CharField(
        _("group of new buyers"),
        max_length=12,
        choices=CustomerGroup.choices,
        default=CustomerGroup.RETAIL,
        help_text=_("Customers this channel creates from its orders join this group."),
    )
    endpoint = models.URLField(
        _("endpoint"),
        blank=True,
        help_text=_("Where the platform's orders are fetched from (marketplaces)."),
    )
    # Signs (or verifies) the platform's webhooks; never shown again once stored.
    secret = models.CharField(_("signing secret"), max_length=128, blank=True)
    # Outbound webhooks (orders.intake.outbound): where we tell the channel what happened to
    # its orders, signed with HMAC-SHA256 with webhook_secret (never shown again once stored).
    webhook_url = models.URLField(
        _("webhook URL"),
        blank=True,
        help_text=_("Where we post order events (confirmed, shipped, delivered, …). Empty: none."),
    )
    webhook_secret = models.CharField(_("webhook signing secret"), max_length=128, blank=True)
    # The events the channel wants; empty: all of them.
    webhook_events = ArrayField(
        models.CharField(max_length=20, choices=WebhookEvent.choices),
        verbose_name=_("webhook events"),
        default=list,
        blank=True,
    )
    # How far the pull has read (the platform's modified time of the last order fetched).
    cursor = models.CharField(_("cursor"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["code"]
        constraints = [
            # Back-office references are unique per customer, every other channel's per
            # channel (Order's constraints): so there is one back office, with this code.
            models.CheckConstraint(
                condition=~Q(kind=ChannelKind.BACK_OFFICE) | Q(code=ChannelCode.BACK_OFFICE),
                name="channel_one_back_office",
            ),
        ]

    def __str__(self) -> str:
        return self.name or standard_name(self.code)

    def get_absolute_url(self) -> str:
        return reverse("orders:channel_detail", args=[self.pk])

    def clean(self) -> None:
        if not self.name.strip() and self.code not in ChannelCode.values:
            raise ValidationError({"name": _("Give the channel a name.")})

    @property
    def is_platform(self) -> bool:
        return self.kind in PLATFORM_KINDS

    def wants(self, event: str) -> bool:
        """Whether the channel's webhook asks for this event."""
        return bool(self.webhook_url) and (not self.webhook_events or event in self.webhook_events)


class ApiScope(models.TextChoices):
    CREATE_ORDERS = "orders:write", _("Create and cancel orders")
    READ_ORDERS = "orders:read", _("Read orders")
    READ_SHIPMENTS = "shipments:read", _("Read shipments and tracking")


class ApiToken(models.Model):
    """A channel's key to /api/v1/. Only a digest is stored: the token is shown once, when it
    is made; it is looked up by its public prefix and compared in constant time."""

    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    scopes = ArrayField(models.CharField(max_length=20, choices=ApiScope.choices), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def get_scopes_display(self) -> list[str]:
        labels = dict(ApiScope.choices)
        return [str(labels.get(scope, scope)) for scope in self.scopes]


class ApiIdempotencyKey(models.Model):
    """The answer given to a request with an Idempotency-Key header: the same key again gets
    it again; the same key with another body is refused."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    body_digest = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "key"], name="one_answer_per_channel_key")
        ]

    def __str__(self) -> str:
        return self.key


class ChannelBuyer(models.Model):
    """A platform's buyer (its buyer id within the channel) and the customer they are here."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="buyers")
    buyer_id = models.CharField(_("buyer id"), max_length=64)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="channel_buyers"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "buyer_id"], name="one_customer_per_buyer")
        ]

    def __str__(self) -> str:
        return f"{self.channel_id} {self.buyer_id}"
