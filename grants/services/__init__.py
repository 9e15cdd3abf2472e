"""The only place that changes state. Each service is atomic, validates, writes an Event and
hands side effects to transaction.on_commit."""


class ServiceError(Exception):
    """A domain rule refused the action. The message is translatable and shown to the user."""

    def __init__(self, message, *, code: str = "invalid", field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field  # the form field the message belongs next to, if any

    def __str__(self):
        return str(self.message)


class StaleVersion(ServiceError):
    """Optimistic locking refused a save: the row was saved elsewhere after this copy was loaded.
    Nothing is overwritten; the error carries the stored copy so the page can show both to merge.
    """

    def __init__(self, message, *, current):
        super().__init__(message, code="stale_version")
        self.current = current
