"""A small fixed-window rate limit per client address, counted in Django's cache (Redis in
production and tests), for the endpoints anyone can reach without a log-in: company
self-service links, survey answers.

    @ratelimit("selfservice")
    def view(request, token): ...

Each address may make `settings.PUBLIC_RATE_LIMIT` requests per minute to one scope; the
next request in that minute gets 429 with Retry-After. A fixed window lets a burst of up to
twice the limit through across a window edge; that is fine for slowing down token guessing
and scraping, which is all this is for. The client address is REMOTE_ADDR: behind a reverse
proxy, the proxy must pass the real address on (or every client shares one counter).
"""

import hashlib
import logging
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.utils.html import format_html
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

DEFAULT_LIMIT = 30  # requests per window, when settings.PUBLIC_RATE_LIMIT is not set


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def ratelimit_hit(*, scope: str, ident: str, limit: int, window: int = 60) -> tuple[bool, int]:
    """Count one request of `ident` in the current window. Returns (allowed, seconds until
    the window ends)."""
    now = int(time.time())
    retry_after = window - now % window
    # The address is hashed: the cache needs a counter, not a list of who called.
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    key = f"ratelimit:{scope}:{now // window}:{digest}"
    try:
        # add() then incr() are each atomic in Redis; a key that expires in between makes
        # incr() raise ValueError, and the request then opens a new window.
        count = 1 if cache.add(key, 1, timeout=window + 1) else cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=window + 1)
        count = 1
    except Exception:  # noqa: BLE001 - a cache outage must not take the public pages down
        logger.warning("rate limit: cache unavailable, request let through", exc_info=True)
        return True, retry_after
    return count <= limit, retry_after


def too_many_requests(request, retry_after: int, *, json: bool = False) -> HttpResponse:
    message = _("Too many requests. Please wait a minute and try again.")
    if json:
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = HttpResponse(
            format_html(
                '<!doctype html><html lang="{}"><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                "<title>{}</title></head><body><main><h1>{}</h1><p>{}</p></main></body></html>",
                getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE),
                _("Too many requests"),
                _("Too many requests"),
                message,
            ),
            status=429,
        )
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


def ratelimit(scope: str, *, limit: int | None = None, window: int = 60, json: bool = False):
    """View decorator: at most `limit` requests per `window` seconds per client address in
    `scope` (several views may share a scope and so one budget). `limit` defaults to
    settings.PUBLIC_RATE_LIMIT, read on each request. `json=True` answers 429 as JSON (for
    API views: decorate `dispatch` with django.utils.decorators.method_decorator)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            allowed, retry_after = ratelimit_hit(
                scope=scope,
                ident=client_address(request),
                limit=limit if limit is not None else _setting_limit(),
                window=window,
            )
            if not allowed:
                return too_many_requests(request, retry_after, json=json)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _setting_limit() -> int:
    return getattr(settings, "PUBLIC_RATE_LIMIT", DEFAULT_LIMIT)
