"""Shapes of the API's requests and responses (they make the OpenAPI schema too)."""

from rest_framework import serializers

from api.models import ApiToken
from assessments.models import Applicability, Assessment
from improvement.models import ActionPlan
from reports.models import Report


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(required=False, help_text="Field -> messages, for refused input.")


class OrganizationSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField()


class AssessmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    model_version = serializers.CharField(source="model_version.version")
    method = serializers.ChoiceField(choices=Assessment.Method.choices)
    status = serializers.ChoiceField(choices=Assessment.Status.choices)
    assessor_type = serializers.ChoiceField(choices=Assessment.AssessorType.choices)
    assessor_name = serializers.CharField()
    assessor_company = serializers.CharField()
    start_date = serializers.DateField(allow_null=True)
    target_date = serializers.DateField(allow_null=True)
    finish_date = serializers.DateField(allow_null=True)
    created_at = serializers.DateTimeField()
    signed_off_at = serializers.DateTimeField(allow_null=True)
    assessed = serializers.IntegerField(source="summary_assessed")
    applicable = serializers.IntegerField(source="summary_applicable")
    overall_value = serializers.DecimalField(
        source="summary_overall_value", max_digits=9, decimal_places=6, allow_null=True, coerce_to_string=False
    )
    overall_level = serializers.IntegerField(source="summary_overall_level", allow_null=True)


class AssessmentCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    model_version = serializers.CharField(max_length=20)
    method = serializers.ChoiceField(choices=Assessment.Method.choices, default=Assessment.Method.FORMAL)
    assessor_type = serializers.ChoiceField(
        choices=Assessment.AssessorType.choices, default=Assessment.AssessorType.INTERNAL
    )
    assessor_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    assessor_company = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    start_date = serializers.DateField(required=False, allow_null=True, default=None)
    target_date = serializers.DateField(required=False, allow_null=True, default=None)
    finish_date = serializers.DateField(required=False, allow_null=True, default=None)


class ScopeDecisionSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=30)
    level = serializers.ChoiceField(choices=Applicability.Level.choices)
    reason = serializers.CharField(allow_blank=True, required=False, default="", max_length=5000)
    version = serializers.IntegerField(
        min_value=0,
        max_value=2**31 - 1,
        required=False,
        help_text="Of the decision you read (0: never decided). Sent back, a decision someone else changed "
        "since gets 409; left out, the decision is written as given.",
    )


class ScopeConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current = ScopeDecisionSerializer()


class AnswerSerializer(serializers.Serializer):
    key = serializers.CharField()
    level = serializers.IntegerField(allow_null=True, min_value=1, max_value=5)
    notes = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField(help_text="Send it back when you change the answer (0: no answer yet).")
    updated_at = serializers.DateTimeField(allow_null=True)
    updated_by = serializers.CharField(allow_null=True)


class AnswerWriteSerializer(serializers.Serializer):
    level = serializers.IntegerField(allow_null=True, min_value=1, max_value=5)
    notes = serializers.CharField(allow_blank=True, required=False, default="", max_length=20000)
    version = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, help_text="The version you based the change on (0: no answer yet)."
    )


class AnswerConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    current = AnswerSerializer()


class ScoresSerializer(serializers.Serializer):
    overall = serializers.DictField()
    modules = serializers.DictField(child=serializers.DictField())
    categories = serializers.DictField(child=serializers.DictField())
    extensions = serializers.DictField(child=serializers.DictField())


class ReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    assessment = serializers.IntegerField(source="assessment_id")
    type = serializers.ChoiceField(choices=Report.Type.choices)
    status = serializers.ChoiceField(choices=Report.Status.choices)
    progress = serializers.IntegerField()
    error = serializers.CharField()
    is_final = serializers.BooleanField()
    sha256 = serializers.CharField()
    size = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class ReportRequestSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=Report.Type.choices)


class ImportResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    notices = serializers.ListField(child=serializers.CharField())


class ProblemsSerializer(serializers.Serializer):
    detail = serializers.CharField()
    problems = serializers.ListField(child=serializers.CharField())


class TaskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    done = serializers.BooleanField()


class ActionPlanSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    origin = serializers.IntegerField(source="origin_id", allow_null=True)
    category_key = serializers.CharField()
    requirement_key = serializers.CharField()
    title = serializers.CharField()
    target_level = serializers.IntegerField()
    objectives = serializers.CharField()
    owner = serializers.SerializerMethodField()
    due_date = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(choices=ActionPlan.Status.choices)
    tasks = TaskSerializer(many=True)

    def get_owner(self, plan) -> str:
        if plan.responsible_user_id:
            return plan.responsible_user.get_username()
        return plan.responsible_text


class PlanStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ActionPlan.Status.choices)


class TaskCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=300)


class ApiTokenSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField()
    scope = serializers.ChoiceField(choices=ApiToken.Scope.choices)
    expires_at = serializers.DateTimeField()
