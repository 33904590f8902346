from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme

from core.middleware import SESSION_FLAG
from core.profiles import ProfileError, profile_of, profile_update
from core.validators import SingleLineCharField


class ProfileForm(forms.Form):
    full_name = SingleLineCharField(max_length=150, help_text="As it should appear on reports and sign-offs.")
    job_title = SingleLineCharField(max_length=150, required=False, help_text="For example: Head of PKI, CISO.")


@login_required
def profile(request):
    """Full name and job title: asked at first sign-in (see ProfileRequiredMiddleware), editable later."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    current = profile_of(user=request.user)
    initial = {"full_name": current.full_name, "job_title": current.job_title} if current else {}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            profile_update(user=request.user, **form.cleaned_data)
            request.session[SESSION_FLAG] = True
        except ProfileError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Your profile is saved.")
            return redirect(next_url or "profile")
    first_time = current is None or not current.full_name
    return render(
        request,
        "registration/profile.html",
        {"form": form, "next": next_url, "first_time": first_time, "page_title": "Your profile"},
    )


def favicon_view(request):
    """/favicon.ico, which browsers ask for on their own: the vendored icon (resolved per request, so the
    hashed name of the production static storage is used)."""
    return redirect(static("img/favicon.ico"), permanent=True)
