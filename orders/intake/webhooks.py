"""The endpoint shops post their order webhooks to: /intake/<channel code>/webhook/.

No login and no CSRF token: the signature is the credential (Shopify's X-Shopify-Hmac-Sha256,
WooCommerce's X-WC-Webhook-Signature: base64 HMAC-SHA256 of the raw body with the channel's
secret, compared in constant time). A bad signature is answered 401 and stores nothing. A
good one is stored once per delivery id header (a replay is answered 200 "already received")
and processed by a worker after commit."""

import logging

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from oms.ratelimit import client_address, count_hit, hits
from orders.choices import ChannelKind
from orders.intake.inbound import signature_valid, webhook_receive
from orders.intake.models import Channel

logger = logging.getLogger(__name__)

# kind -> (signature header, delivery id header)
HEADERS = {
    ChannelKind.SHOPIFY: ("X-Shopify-Hmac-Sha256", "X-Shopify-Webhook-Id"),
    ChannelKind.WOOCOMMERCE: ("X-WC-Webhook-Signature", "X-WC-Webhook-Delivery-ID"),
}


def reply(status: int, message: str, **extra) -> JsonResponse:
    return JsonResponse({"ok": status < 300, "message": message, **extra}, status=status)


@method_decorator(csrf_exempt, name="dispatch")
class WebhookView(View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, code: str):
        address = client_address(request) or request.META.get("REMOTE_ADDR") or "-"
        # Counted across processes (oms.ratelimit): a guesser of secrets is stopped for the
        # minute, and so is a flood.
        if (
            hits("inbound-bad-signature", address, window=60)
            >= settings.OMS_INBOUND_BAD_SIGNATURES_PER_MINUTE
            or count_hit("inbound-webhook", address, window=60)
            > settings.OMS_INBOUND_WEBHOOKS_PER_MINUTE
        ):
            return reply(429, "too many requests; wait a minute")
        channel = Channel.objects.filter(code=code, kind__in=list(HEADERS)).first()
        if channel is None:
            return reply(404, "no webhook here")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.OMS_INBOUND_MAX_BYTES:
            return reply(413, "body too large")
        body = request.body
        if len(body) > settings.OMS_INBOUND_MAX_BYTES:
            return reply(413, "body too large")
        signature_header, id_header = HEADERS[channel.kind]
        if not signature_valid(channel, body, request.headers.get(signature_header, "")):
            count_hit("inbound-bad-signature", address, window=60)
            logger.warning("webhook for %s from %s: bad signature", channel.code, address)
            return reply(401, "bad signature")
        delivery_id = request.headers.get(id_header, "").strip()[:120]
        stored = webhook_receive(channel=channel, delivery_id=delivery_id, body=body)
        if not stored.created:
            return reply(200, "already received", delivery=stored.delivery.pk)
        return reply(202, "received", delivery=stored.delivery.pk)
