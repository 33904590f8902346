"""One error shape for the whole API: ``{"detail": "...", "errors": {field: [messages]}}`` (errors: bad input)."""

from rest_framework.exceptions import ValidationError
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, ValidationError):
        return response
    data = response.data
    if isinstance(data, dict) and set(data) == {"detail"}:
        detail = data["detail"]
        response.data = {"detail": str(detail[0] if isinstance(detail, list) else detail)}
        return response
    errors = data if isinstance(data, dict) else {"non_field_errors": data}
    response.data = {"detail": "The request was refused: see errors.", "errors": errors}
    return response
