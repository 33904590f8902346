import pytest

from catalog.services import starter_model_load


@pytest.fixture
def starter(db):
    return starter_model_load().model_version
