class ServiceError(Exception):
    """A business rule refused the request; the message is shown to the user as it is."""
