"""The REST API: thin views over the same services and selectors as the pages.

Every view resolves the organization through ``api_organization`` (outsiders 404, roles 403, read-only
tokens 403 on writes); writes go through the services, which check the permission again, write the
audit log and refuse stale answers (409 with the answer as stored now).
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ParseError, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from api.access import api_organization, api_require
from api.models import ApiToken
from assessments.models import Assessment
from assessments.selectors import (
    answer_list,
    answer_stored_or_none,
    answer_target_or_none,
    applicability_list,
    assessment_list_filtered,
    assessments_of_org,
)
from assessments.selectors_read import AssessmentRead, score_json
from assessments.selectors_scores import assessment_with_current_summary
from assessments.services.answers import answer_set, category_answer_set
from assessments.services.assessments import assessment_create
from assessments.services.common import AnswerConflict, AssessmentError
from assessments.services.scoping import ScopeConflict, applicability_set
from catalog.selectors import model_version_or_none
from exchange.files import ExchangeError
from exchange.services import assessment_export, assessment_import_data
from improvement.models import ActionPlan
from improvement.selectors import action_plans_of_org, action_plans_with_tasks
from improvement.services.common import ImprovementError
from improvement.services.plans import action_plan_set_status, action_plan_task_add
from organizations.roles import Perm
from organizations.selectors import memberships_of_user
from reports.models import Report
from reports.selectors import report_list, reports_of_org
from reports.services import ReportRequestError, report_open_for_download, report_request

ERRORS = {
    400: OpenApiResponse(s.ErrorSerializer, description="Refused: the message says why; nothing changed."),
    401: OpenApiResponse(s.ErrorSerializer, description="No valid token or session."),
    403: OpenApiResponse(s.ErrorSerializer, description="Your role (or a read-only token) does not allow this."),
    404: OpenApiResponse(s.ErrorSerializer, description="Not found (or not in your organizations)."),
}
READ_ERRORS = {code: ERRORS[code] for code in (401, 403, 404)}


class Pagination(CursorPagination):
    ordering = "-id"
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"


def _refused(error) -> ValidationError:
    return ValidationError({"detail": str(error)})


class OrgView(APIView):
    """Base: ``self.organization`` from the URL, checked for ``permission`` (GET) / ``write_permission``."""

    permission = Perm.ORG_VIEW
    write_permission = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        needed = self.permission
        if request.method not in ("GET", "HEAD", "OPTIONS") and self.write_permission:
            needed = self.write_permission
        self.organization = api_organization(request, kwargs["org_slug"], needed)

    def assessment(self, assessment_id):
        return get_object_or_404(assessments_of_org(organization=self.organization), pk=assessment_id)

    def paginate(self, queryset, serializer_class):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, self.request, view=self)
        return paginator.get_paginated_response(serializer_class(page, many=True).data)


# --- Organizations and assessments --------------------------------------------------------------------


class OrganizationList(APIView):
    @extend_schema(responses={200: s.OrganizationSerializer(many=True), 401: ERRORS[401]}, summary="My organizations")
    def get(self, request):
        token_organization = request.auth.organization if isinstance(request.auth, ApiToken) else None
        memberships = memberships_of_user(user=request.user, organization=token_organization)
        rows = [{"slug": m.organization.slug, "name": m.organization.name, "role": m.role} for m in memberships]
        return Response(s.OrganizationSerializer(rows, many=True).data)


class AssessmentList(OrgView):
    pagination_class = Pagination
    permission = Perm.ASSESSMENT_VIEW
    write_permission = Perm.ASSESSMENT_CREATE

    @extend_schema(
        parameters=[
            OpenApiParameter("status", enum=Assessment.Status.values),
            OpenApiParameter("method", enum=Assessment.Method.values),
            OpenApiParameter("model_version", str),
            OpenApiParameter("search", str, description="Part of the name."),
        ],
        responses={200: s.AssessmentSerializer(many=True), **READ_ERRORS},
        summary="Assessments (filters, cursor pagination)",
    )
    def get(self, request, org_slug):
        filters = {
            lookup: value
            for name, lookup in (
                ("status", "status"),
                ("method", "method"),
                ("model_version", "model_version__version"),
            )
            if (value := request.query_params.get(name))
        }
        queryset = assessment_list_filtered(
            organization=self.organization, filters=filters, search=request.query_params.get("search") or ""
        )
        return self.paginate(queryset, s.AssessmentSerializer)

    @extend_schema(
        request=s.AssessmentCreateSerializer, responses={201: s.AssessmentSerializer, **ERRORS}, summary="Create"
    )
    def post(self, request, org_slug):
        data = _valid(s.AssessmentCreateSerializer, request.data)
        version = data.pop("model_version")
        model_version = model_version_or_none(version=version)
        if model_version is None:
            raise ValidationError({"detail": f"Model version {version} is not imported here."})
        try:
            assessment = assessment_create(
                organization=self.organization,
                by=request.user,
                model_version=model_version,
                **data,
                membership=request.membership,
            )
        except AssessmentError as error:
            raise _refused(error) from None
        return Response(s.AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)


class AssessmentDetail(OrgView):
    permission = Perm.ASSESSMENT_VIEW

    @extend_schema(responses={200: s.AssessmentSerializer, **READ_ERRORS}, summary="One assessment")
    def get(self, request, org_slug, assessment_id):
        # A client that just saved reads the summary its save made (the stored one may await its refresh).
        assessment = assessment_with_current_summary(assessment=self.assessment(assessment_id))
        return Response(s.AssessmentSerializer(assessment).data)


def _valid(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# --- Scope ---------------------------------------------------------------------------------------------


class ScopeList(OrgView):
    permission = Perm.ASSESSMENT_VIEW
    write_permission = Perm.ASSESSMENT_MANAGE

    def _decisions(self, assessment):
        rows = applicability_list(organization=self.organization, assessment=assessment)
        return s.ScopeDecisionSerializer(rows, many=True).data

    @extend_schema(responses={200: s.ScopeDecisionSerializer(many=True), **READ_ERRORS}, summary="Scope decisions")
    def get(self, request, org_slug, assessment_id):
        return Response(self._decisions(self.assessment(assessment_id)))

    @extend_schema(
        request=s.ScopeDecisionSerializer,
        responses={
            200: s.ScopeDecisionSerializer(many=True),
            409: OpenApiResponse(
                s.ScopeConflictSerializer, description="Changed meanwhile by someone else: the decision as stored now."
            ),
            **ERRORS,
        },
        summary="Set one scope decision (send the version you read: a stale one gets 409)",
    )
    def post(self, request, org_slug, assessment_id):
        assessment = self.assessment(assessment_id)
        data = _valid(s.ScopeDecisionSerializer, request.data)
        try:
            applicability_set(assessment=assessment, by=request.user, **data, membership=request.membership)
        except ScopeConflict as conflict:
            item = conflict.items[0]
            current = {"key": item["key"], "level": item["level"], "reason": item["reason"], "version": item["version"]}
            body = {"detail": str(conflict), "current": current}
            return Response(s.ScopeConflictSerializer(body).data, status=status.HTTP_409_CONFLICT)
        except AssessmentError as error:
            raise _refused(error) from None
        return Response(self._decisions(assessment))


# --- Answers -------------------------------------------------------------------------------------------


def _answer_data(key, answer) -> dict:
    return {
        "key": key,
        "level": answer.level if answer else None,
        "notes": answer.notes if answer else "",
        "version": answer.version if answer else 0,
        "updated_at": answer.updated_at if answer else None,
        "updated_by": (answer.updated_by.get_username() if answer.updated_by_id else answer.updated_by_label or None)
        if answer
        else None,
    }


class AnswerList(OrgView):
    pagination_class = Pagination
    permission = Perm.ASSESSMENT_VIEW

    @extend_schema(
        responses={200: s.AnswerSerializer(many=True), **READ_ERRORS},
        summary="Stored answers (requirements in formal assessments, categories in self-assessments)",
    )
    def get(self, request, org_slug, assessment_id):
        assessment = self.assessment(assessment_id)
        queryset, target = answer_list(organization=self.organization, assessment=assessment)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, request, view=self)
        rows = [_answer_data(getattr(answer, target).key, answer) for answer in page]
        return paginator.get_paginated_response(s.AnswerSerializer(rows, many=True).data)


class AnswerDetail(OrgView):
    permission = Perm.ASSESSMENT_VIEW
    write_permission = Perm.ASSESSMENT_ANSWER

    def _item(self, assessment, key):
        target = answer_target_or_none(assessment=assessment, key=key)
        if target is None:
            raise NotFound(f"No {'requirement' if assessment.is_formal else 'category'} {key} in this model.")
        return target

    @extend_schema(responses={200: s.AnswerSerializer, **READ_ERRORS}, summary="One answer")
    def get(self, request, org_slug, assessment_id, key):
        assessment = self.assessment(assessment_id)
        target = self._item(assessment, key)
        return Response(
            s.AnswerSerializer(_answer_data(key, answer_stored_or_none(assessment=assessment, target=target))).data
        )

    @extend_schema(
        request=s.AnswerWriteSerializer,
        responses={
            200: s.AnswerSerializer,
            409: OpenApiResponse(
                s.AnswerConflictSerializer, description="Changed meanwhile: the answer as stored now."
            ),
            **ERRORS,
        },
        summary="Set an answer (send the version you read: a stale one gets 409)",
    )
    def put(self, request, org_slug, assessment_id, key):
        assessment = self.assessment(assessment_id)
        target = self._item(assessment, key)
        data = _valid(s.AnswerWriteSerializer, request.data)
        service, target_name = (
            (answer_set, "requirement") if assessment.is_formal else (category_answer_set, "category")
        )
        try:
            answer = service(
                assessment=assessment,
                **{target_name: target},
                level=data["level"],
                notes=data["notes"],
                expected_version=data["version"],
                by=request.user,
                membership=request.membership,
            )
        except AnswerConflict as conflict:
            current = conflict.current if conflict.current.version else None
            body = {"detail": str(conflict), "current": _answer_data(key, current)}
            return Response(s.AnswerConflictSerializer(body).data, status=status.HTTP_409_CONFLICT)
        except AssessmentError as error:
            raise _refused(error) from None
        return Response(s.AnswerSerializer(_answer_data(key, answer)).data)


# --- Scores, exchange ----------------------------------------------------------------------------------


class Scores(OrgView):
    permission = Perm.ASSESSMENT_VIEW

    @extend_schema(
        responses={200: s.ScoresSerializer, **READ_ERRORS},
        summary="Scores (as manage.py score_assessment --json: values at full precision)",
    )
    def get(self, request, org_slug, assessment_id):
        return Response(score_json(AssessmentRead(self.assessment(assessment_id))))


class ExchangeExport(OrgView):
    permission = Perm.ASSESSMENT_EXPORT

    @extend_schema(responses={200: OpenApiTypes.OBJECT, **READ_ERRORS}, summary="Export (exchange format)")
    def get(self, request, org_slug, assessment_id):
        return Response(assessment_export(assessment=self.assessment(assessment_id), by=request.user))


class ExchangeImport(OrgView):
    permission = Perm.ASSESSMENT_CREATE

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={
            201: s.ImportResultSerializer,
            400: OpenApiResponse(s.ProblemsSerializer, description="Refused: every problem with its place."),
            **READ_ERRORS,
        },
        summary="Import an exchange-format document as a new assessment",
    )
    def post(self, request, org_slug):
        try:
            data = request.data  # parsed here: a body beyond the limits is refused in this endpoint's shape
            result = assessment_import_data(
                organization=self.organization, data=data, by=request.user, membership=request.membership
            )
        except (ExchangeError, ParseError) as error:
            problems = error.lines() if isinstance(error, ExchangeError) else [str(error.detail)]
            body = {"detail": "The file was not imported.", "problems": problems}
            return Response(s.ProblemsSerializer(body).data, status=status.HTTP_400_BAD_REQUEST)
        body = {"id": result.assessment.pk, "notices": result.notices}
        return Response(s.ImportResultSerializer(body).data, status=status.HTTP_201_CREATED)


# --- Reports -------------------------------------------------------------------------------------------


class ReportList(OrgView):
    pagination_class = Pagination
    permission = Perm.ASSESSMENT_VIEW
    write_permission = Perm.REPORT_REQUEST

    @extend_schema(responses={200: s.ReportSerializer(many=True), **READ_ERRORS}, summary="Reports of an assessment")
    def get(self, request, org_slug, assessment_id):
        assessment = self.assessment(assessment_id)
        return self.paginate(report_list(organization=self.organization, assessment=assessment), s.ReportSerializer)

    @extend_schema(
        request=s.ReportRequestSerializer, responses={201: s.ReportSerializer, **ERRORS}, summary="Request a report"
    )
    def post(self, request, org_slug, assessment_id):
        assessment = self.assessment(assessment_id)
        data = _valid(s.ReportRequestSerializer, request.data)
        try:
            report = report_request(
                assessment=assessment, report_type=data["type"], by=request.user, membership=request.membership
            )
        except ReportRequestError as error:
            raise _refused(error) from None
        report.refresh_from_db()
        return Response(s.ReportSerializer(report).data, status=status.HTTP_201_CREATED)


class ReportDetail(OrgView):
    permission = Perm.ASSESSMENT_VIEW

    @extend_schema(responses={200: s.ReportSerializer, **READ_ERRORS}, summary="A report's status")
    def get(self, request, org_slug, report_id):
        report = get_object_or_404(reports_of_org(organization=self.organization), pk=report_id)
        return Response(s.ReportSerializer(report).data)


class ReportDownload(OrgView):
    permission = Perm.ASSESSMENT_VIEW

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, **READ_ERRORS}, summary="Download a finished report"
    )
    def get(self, request, org_slug, report_id):
        report = get_object_or_404(
            reports_of_org(organization=self.organization, related=("organization", "assessment")),
            pk=report_id,
            status=Report.Status.DONE,
        )
        if not report.is_final:
            api_require(request, Perm.REPORT_DOWNLOAD_DRAFT)
        try:
            handle, filename = report_open_for_download(report=report, user=request.user, membership=request.membership)
        except FileNotFoundError:
            raise NotFound("The report file is missing from storage.") from None
        except DjangoPermissionDenied as error:
            raise _forbidden(error) from None
        response = FileResponse(handle, as_attachment=True, filename=filename, content_type="application/pdf")
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


def _forbidden(error):
    from rest_framework.exceptions import PermissionDenied

    return PermissionDenied(str(error))


# --- Action plans --------------------------------------------------------------------------------------


class PlanList(OrgView):
    pagination_class = Pagination
    permission = Perm.PLAN_VIEW

    @extend_schema(
        parameters=[OpenApiParameter("status", enum=ActionPlan.Status.values)],
        responses={200: s.ActionPlanSerializer(many=True), **READ_ERRORS},
        summary="Action plans with their tasks",
    )
    def get(self, request, org_slug):
        queryset = action_plans_with_tasks(
            organization=self.organization, status=request.query_params.get("status") or ""
        )
        return self.paginate(queryset, s.ActionPlanSerializer)


class PlanDetail(OrgView):
    permission = Perm.PLAN_VIEW
    write_permission = Perm.PLAN_MANAGE

    def plan(self, plan_id):
        return get_object_or_404(action_plans_with_tasks(organization=self.organization), pk=plan_id)

    @extend_schema(responses={200: s.ActionPlanSerializer, **READ_ERRORS}, summary="One action plan")
    def get(self, request, org_slug, plan_id):
        return Response(s.ActionPlanSerializer(self.plan(plan_id)).data)

    @extend_schema(
        request=s.PlanStatusSerializer, responses={200: s.ActionPlanSerializer, **ERRORS}, summary="Change the status"
    )
    def patch(self, request, org_slug, plan_id):
        plan = self.plan(plan_id)
        data = _valid(s.PlanStatusSerializer, request.data)
        try:
            action_plan_set_status(plan=plan, status=data["status"], by=request.user, membership=request.membership)
        except ImprovementError as error:
            raise _refused(error) from None
        return Response(s.ActionPlanSerializer(self.plan(plan_id)).data)


class PlanTasks(OrgView):
    permission = Perm.PLAN_MANAGE

    @extend_schema(
        request=s.TaskCreateSerializer, responses={201: s.TaskSerializer, **ERRORS}, summary="Add a task to a plan"
    )
    def post(self, request, org_slug, plan_id):
        plan = get_object_or_404(action_plans_of_org(organization=self.organization), pk=plan_id)
        data = _valid(s.TaskCreateSerializer, request.data)
        try:
            task = action_plan_task_add(plan=plan, text=data["text"], by=request.user, membership=request.membership)
        except ImprovementError as error:
            raise _refused(error) from None
        return Response(s.TaskSerializer(task).data, status=status.HTTP_201_CREATED)


@csrf_exempt  # it changes nothing: a POST gets the same JSON 404 as a GET
def unknown_route(request, rest=""):
    """Anything else under /api/: a JSON 404 (e.g. an id that is not a number), not the HTML error page."""
    return JsonResponse({"detail": "Not found."}, status=404)
