"""Reads of the API app for its pages."""

from api.models import ApiToken


def api_tokens_of_user(*, user):
    """The user's personal API tokens with their organizations (the account page's list)."""
    return ApiToken.objects.filter(user=user).select_related("organization")
