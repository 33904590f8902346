"""Request body limits per endpoint, applied before anything reads the body.

``RequestBodyLimitMiddleware`` sits before the CSRF middleware (which reads ``request.POST``), so for every request
it first runs the view's ``before_body`` check (e.g. the anonymous /verify/ rate limit), then refuses a body declared
larger than the endpoint's limit with 413 without reading a byte of it. That declared size is also a streaming
limit: Django reads a body through a stream that ends at CONTENT_LENGTH (a body without one is read as empty), so no
byte beyond the limit is ever read or stored. The evidence upload adds a per-file limit while the file arrives.

Endpoints name their limit with ``@body_limit(...)``; all others get ``REQUEST_MAX_BYTES``. The reverse
proxy should refuse the same sizes (README: "Request size limits").
"""

from collections.abc import Callable

from django.conf import settings
from django.shortcuts import render

from core.sizes import megabytes

# Multipart headers and the other fields of an upload form.
FORM_OVERHEAD_BYTES = 64 * 1024


def body_limit(max_bytes: int | Callable[[], int] | None, *, overhead: int = FORM_OVERHEAD_BYTES):
    """Cap this view's request bodies at ``max_bytes`` (a number, or a function reading a setting) plus
    ``overhead``; None: the view enforces its own limit while the body arrives (the evidence upload)."""

    def decorate(view):
        view.body_limit = max_bytes
        view.body_limit_overhead = overhead
        return view

    return decorate


def before_body(check: Callable):
    """Run ``check(request)`` before the body is read; a response it returns is the answer (e.g. 429)."""

    def decorate(view):
        view.before_body_check = check
        return view

    return decorate


def _limit_for(view) -> int | None:
    if not hasattr(view, "body_limit"):
        return settings.REQUEST_MAX_BYTES
    if view.body_limit is None:
        return None
    max_bytes = view.body_limit() if callable(view.body_limit) else view.body_limit
    return max_bytes + view.body_limit_overhead


def _too_large(request, limit: int):
    response = render(request, "413.html", {"limit": megabytes(limit)}, status=413)
    response["Connection"] = "close"  # the unread body is not worth keeping the connection for
    return response


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        check = getattr(view_func, "before_body_check", None)
        if check is not None:
            refused = check(request)
            if refused is not None:
                return refused
        limit = _limit_for(view_func)
        if limit is None:
            return None
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            return _too_large(request, limit)
        return None
