from django import forms
from django.utils.translation import gettext_lazy as _

from oms.forms import BootstrapFormMixin
from orders.choices import WebhookEvent
from orders.intake.channels import CHANNEL_FIELDS, CHANNEL_SECRETS, FIXED_ONCE_CREATED
from orders.intake.models import ApiScope, Channel


def _endpoint_field(field, **kwargs):
    if field.name in ("endpoint", "webhook_url"):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class ChannelForm(BootstrapFormMixin, forms.ModelForm):
    formfield_callback = _endpoint_field

    # The secret is never sent back to the browser: empty keeps the stored one.
    secret = forms.CharField(
        label=_("Signing secret"),
        required=False,
        max_length=128,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "The key the platform signs its webhooks with (HMAC-SHA256). Leave empty to keep "
            "the stored one."
        ),
    )

    webhook_secret = forms.CharField(
        label=_("Webhook signing secret"),
        required=False,
        max_length=128,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "We sign every webhook with it: X-OMS-Signature is sha256= and the HMAC-SHA256 of "
            "the raw body. Leave empty to keep the stored one."
        ),
    )
    webhook_events = forms.MultipleChoiceField(
        label=_("Webhook events"),
        required=False,
        choices=WebhookEvent.choices,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text=_("None chosen: every event."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in FIXED_ONCE_CREATED:
                self.fields[name].disabled = True

    class Meta:
        model = Channel
        fields = [*CHANNEL_FIELDS, *CHANNEL_SECRETS]
        help_texts = {
            "name": _("Empty for a first channel: its standard name in each user's language."),
            "code": _(
                "How imports and the API name this channel, e.g. shopify-eu. It cannot change "
                "later."
            ),
        }


class ApiTokenForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Who uses it, e.g. the shop's order sync."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=ApiScope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[ApiScope.CREATE_ORDERS, ApiScope.READ_ORDERS, ApiScope.READ_SHIPMENTS],
    )
