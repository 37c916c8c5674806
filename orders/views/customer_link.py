"""The order's customer link on the order page: share (made when first needed), regenerate,
revoke. POST only; the link's card is shipping's panel, since shipping owns the page."""

from django.utils.translation import gettext as _

from orders import services
from orders.services.public_link import MANAGE_PERMISSION
from orders.views.detail import OrderActionView


class CustomerLinkShareView(OrderActionView):
    permission_required = MANAGE_PERMISSION

    def perform(self, request, **kwargs):
        services.order_public_token_share(actor=request.user, order=self.order)
        return _("The customer link is ready to copy.")


class CustomerLinkRegenerateView(OrderActionView):
    permission_required = MANAGE_PERMISSION

    def perform(self, request, **kwargs):
        services.order_public_token_regenerate(actor=request.user, order=self.order)
        return _("A new customer link was made; the old one no longer opens the order.")


class CustomerLinkRevokeView(OrderActionView):
    permission_required = MANAGE_PERMISSION

    def perform(self, request, **kwargs):
        services.order_public_token_revoke(actor=request.user, order=self.order)
        return _("The customer link was revoked; it no longer opens the order.")
