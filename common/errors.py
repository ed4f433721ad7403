"""The one error hierarchy services raise. Views and the API map it once to a clear message
with field errors (never a 500)."""

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    """A use case refused: `message` for the person, `field_errors` per input field."""

    status_code = 400
    default_message = _("The request could not be carried out.")

    def __init__(self, message=None, *, field_errors: dict | None = None, extra=None):
        self.message = message or self.default_message
        self.field_errors = field_errors or {}
        self.extra = extra or {}
        super().__init__(str(self.message))


class PermissionDenied(ApplicationError):
    status_code = 403
    default_message = _("You may not do this.")


class NotFound(ApplicationError):
    status_code = 404
    default_message = _("Not found.")


class Conflict(ApplicationError):
    """The state changed under the request (someone else got there first)."""

    status_code = 409
    default_message = _("Someone else changed this first. Please try again.")


class Gone(ApplicationError):
    """The thing existed but is no longer open to this request (expired, already done)."""

    status_code = 410
    default_message = _("This is no longer available.")
