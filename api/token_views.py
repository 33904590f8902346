"""The account page's personal API tokens: make one (its secret is shown once), list, revoke."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from api.forms import ApiTokenForm
from api.selectors import api_tokens_of_user
from api.services import ApiTokenError, api_token_create, api_token_revoke
from organizations.selectors import memberships_of_user


@login_required
def token_list(request):
    memberships = list(memberships_of_user(user=request.user))
    form = ApiTokenForm(request.POST or None, memberships=memberships)
    secret = None
    if request.method == "POST" and form.is_valid():
        organization = next(
            m.organization for m in memberships if m.organization.slug == form.cleaned_data["organization"]
        )
        try:
            token, secret = api_token_create(
                user=request.user,
                organization=organization,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                valid_days=form.cleaned_data["valid_days"],
            )
        except ApiTokenError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Token “{token.name}” created. Copy it now: it is not shown again.")
            form = ApiTokenForm(memberships=memberships)
    tokens = api_tokens_of_user(user=request.user)
    response = render(request, "api/tokens.html", {"form": form, "tokens": tokens, "secret": secret})
    response["Cache-Control"] = "no-store"  # the page may carry a secret
    return response


@login_required
@require_POST
def token_revoke(request, token_id):
    token = get_object_or_404(api_tokens_of_user(user=request.user), pk=token_id)
    api_token_revoke(token=token, by=request.user)
    messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("api_tokens:list")
