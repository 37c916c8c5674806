from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShippingConfig(AppConfig):
    name = "shipping"
    verbose_name = _("Shipping")

    def ready(self):
        # Orders sits below shipping and cannot import it; it calls what we register here.
        from orders import hooks
        from shipping import hooks as shipping_hooks
        from shipping import merging, order_reactions, registrations, services, slots  # noqa: F401

        hooks.order_picking_started.append(services.start_picking_order)
        hooks.order_cancelled.append(order_reactions.void_for_cancelled_order)
        hooks.order_cancelled.append(slots.release_for_cancelled_order)
        hooks.order_remainder_cancelled.append(order_reactions.void_remainder)
        hooks.order_remainder_cancelled.append(slots.release_for_cancelled_remainder)
        hooks.order_cancel_guards.append(order_reactions.refuse_cancel_when_dispatched)
        hooks.order_amend_guards.append(order_reactions.refuse_amend_with_shipments)
        hooks.order_resumed.append(order_reactions.follow_resumed_order)
        shipping_hooks.shipment_cancelled.append(merging.leave_parcel_when_cancelled)
        hooks.order_remainder_allocated.append(order_reactions.ship_remainder)
        from shipping import channel_events

        channel_events.connect()
