from catalog.models import Category, Requirement
from tests.factories import model_1_0, model_1_1


def test_official_models_build(db):
    mv10, mv11 = model_1_0(), model_1_1()
    assert Category.objects.filter(model_version=mv10).count() == 15
    assert Requirement.objects.filter(model_version=mv10).count() == 72
    assert Category.objects.filter(model_version=mv11).count() == 16
    assert Requirement.objects.filter(model_version=mv11).count() == 78
