"""The only place that changes state. Each service is atomic, validates, writes an Event and
hands side effects to transaction.on_commit."""


class ServiceError(Exception):
    """A domain rule refused the action. The message is translatable and shown to the user."""

    def __init__(self, message, *, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self):
        return str(self.message)
