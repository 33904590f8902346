from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"

    def ready(self):
        from assessments.models import Assessment
        from catalog.models import ModelVersion
        from organizations.tenancy import url_object_register

        # Every page of an assessment gets it, with its model version, from org_view's one statement.
        url_object_register(kwarg="assessment_id", model=Assessment, related={"model_version": ModelVersion})
