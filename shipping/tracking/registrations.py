"""What tracking adds: the push endpoint, its beat jobs and the subscription on dispatch."""

from django.utils.translation import gettext_lazy as _

from oms.registry import register_audit_actions, register_beat_job, register_machine_urls
from shipping import hooks
from shipping.tracking.subscriptions import subscribe_on_dispatch

register_machine_urls("", "shipping.tracking.urls", path="/shipping/callbacks/")

hooks.shipment_dispatched.append(subscribe_on_dispatch)

register_beat_job("tracking-poll", "shipping.tracking.tasks.poll_tracking", 300, expires=240)
register_beat_job(
    "tracking-callbacks-catch-up", "shipping.tracking.tasks.catch_up_callbacks", 120, expires=100
)

register_audit_actions({"carrier.tracking_secrets": _("Carrier tracking credentials changed")})
