"""Ask a signed-in person for their full name and job title before anything else (first sign-in)."""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from core.profiles import profile_is_complete

# Set in the session once the person has a name (at sign-in or when saving the profile): later requests
# need no query for it.
SESSION_FLAG = "pkimm_profile_complete"


def profile_flag_on_login(sender, request, user, **kwargs):
    """Receiver of ``user_logged_in``."""
    if request is not None and hasattr(request, "session") and profile_is_complete(user=user):
        request.session[SESSION_FLAG] = True


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
            and not request.session.get(SESSION_FLAG)
        ):
            if profile_is_complete(user=user):
                request.session[SESSION_FLAG] = True
                return self.get_response(request)
            return redirect(f"{reverse('profile')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
