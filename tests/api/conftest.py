import pytest
from django.core.cache import cache

from catalog.services import starter_model_load


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()  # request counters of the API's rate limit
    yield
    cache.clear()


@pytest.fixture
def starter_model(db):
    return starter_model_load().model_version
