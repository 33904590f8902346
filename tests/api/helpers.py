from rest_framework.test import APIClient

from api.models import ApiToken
from api.services import api_token_create


def token_for(user, org, scope=ApiToken.Scope.READ_WRITE, name="script", days=30) -> str:
    return api_token_create(user=user, organization=org, name=name, scope=scope, valid_days=days)[1]


def api_client(secret: str | None = None) -> APIClient:
    client = APIClient()
    if secret:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client
