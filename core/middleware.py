"""Ask a signed-in person for their full name and job title before anything else (first sign-in)."""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from core.profiles import profile_is_complete

# Paths that work without a profile: the profile page itself, signing in and out, public pages, assets.
EXEMPT_PREFIXES = ("/accounts/", "/static/", "/verify/", "/admin/", "/media/", "/favicon")


class ProfileRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and request.method == "GET"
            and not request.path.startswith(EXEMPT_PREFIXES)
            and not request.headers.get("HX-Request")
            and not profile_is_complete(user=user)
        ):
            return redirect(f"{reverse('profile')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
