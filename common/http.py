"""Small helpers for reading requests, shared by the HTML views and the API."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def int_or_none(value) -> int | None:
    """A query or form value as an int, or None when it is missing or not a number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def safe_next(request: HttpRequest, default: str) -> str:
    """Where to go after a POST: the `next` value, if it is one of ours; else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
