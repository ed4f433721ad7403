"""Role checks for HTML views and the API, built on consultants.roles."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from consultants.roles import Role, has_role


def role_required(*roles: Role):
    """View decorator: 403 unless the user has one of the roles (agency staff always pass
    where Role.AGENCY is listed). Anonymous users never get here: LoginRequiredMiddleware."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class HasRole(BasePermission):
    """DRF permission: the view lists `roles = (Role.X, ...)`."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated) and has_role(
            request.user, *getattr(view, "roles", ())
        )
