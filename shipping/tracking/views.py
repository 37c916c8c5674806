"""The push endpoint carriers call: /shipping/callbacks/<carrier code>/.

No login and no CSRF token: the carrier's signature is the credential. A push is checked,
stored and answered at once in the carrier's format; a worker applies it afterwards."""

import logging

from django.conf import settings

from oms.machine import MachineAnswer, MachineRequest, machine_view
from oms.resilience import RateLimit
from shipping.tracking.adapters import BadSignature, CallbackAnswer, CallbackRequest, adapter_for
from shipping.tracking.selectors import carrier_by_code
from shipping.tracking.services import callback_receive
from shipping.tracking.statuses import CallbackState

logger = logging.getLogger(__name__)


def answer(reply: CallbackAnswer) -> MachineAnswer:
    return MachineAnswer(reply.status, reply.body)


def bad_signatures(address: str) -> RateLimit:
    return RateLimit(
        f"callback-bad-signature:{address}",
        settings.OMS_CALLBACK_BAD_SIGNATURES_PER_MINUTE,
        window=60,
    )


def receive_push(request: MachineRequest, code: str) -> MachineAnswer:
    """A carrier's push (oms.machine: served from the WSGI environ by gunicorn, as a Django
    view elsewhere)."""
    carrier = carrier_by_code(code)
    adapter = adapter_for(carrier) if carrier is not None else None
    if adapter is None or not adapter.supports_push:
        return MachineAnswer(404, {"ok": False, "error": "no push for this carrier"})
    address = request.remote_addr
    limit = bad_signatures(address or "-")
    if limit.exhausted():
        return answer(adapter.refuse("too many bad signatures; wait a minute", 429))
    if request.content_length > settings.OMS_CALLBACK_MAX_BYTES:
        return answer(adapter.refuse("body too large", 413))
    # Kuaidi100 posts a form, a webhook raw JSON; either stays within
    # DATA_UPLOAD_MAX_MEMORY_SIZE (more is refused with a 400).
    form, body = {}, b""
    if request.is_form:
        form = request.form
        size = sum(len(key) + len(value) for key, value in form.items())
    else:
        body = request.body
        size = len(body)
    if size > settings.OMS_CALLBACK_MAX_BYTES:
        return answer(adapter.refuse("body too large", 413))
    incoming = CallbackRequest(body=body, form=form, headers=request.headers)
    try:
        received = callback_receive(
            carrier=carrier, adapter=adapter, request=incoming, remote_addr=address
        )
    except BadSignature as refused:
        limit.try_acquire()
        logger.warning("push for %s from %s refused: %s", carrier.code, address, refused)
        return answer(adapter.refuse("bad signature", 403))
    if received.state == CallbackState.FAILED:
        return answer(adapter.refuse("not the expected JSON", 400))
    return answer(adapter.acknowledge())


callback = machine_view(receive_push)
