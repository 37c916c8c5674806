from oms.errors import ServiceError


class InvalidTransition(ServiceError):
    """The order cannot do this in its state: move to the status asked for, be held, amended..."""
