from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import views

app_name = "api"

org = "v1/orgs/<slug:org_slug>/"
assessment = org + "assessments/<int:assessment_id>/"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves the page's script from ?script (no inline script, as the Content-Security-Policy wants).
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    path("v1/orgs/", views.OrganizationList.as_view(), name="organizations"),
    path(org + "assessments/", views.AssessmentList.as_view(), name="assessments"),
    path(org + "assessments/import/", views.ExchangeImport.as_view(), name="exchange_import"),
    path(assessment, views.AssessmentDetail.as_view(), name="assessment"),
    path(assessment + "scope/", views.ScopeList.as_view(), name="scope"),
    path(assessment + "answers/", views.AnswerList.as_view(), name="answers"),
    path(assessment + "answers/<str:key>/", views.AnswerDetail.as_view(), name="answer"),
    path(assessment + "scores/", views.Scores.as_view(), name="scores"),
    path(assessment + "export/", views.ExchangeExport.as_view(), name="exchange_export"),
    path(assessment + "reports/", views.ReportList.as_view(), name="reports"),
    path(org + "reports/<int:report_id>/", views.ReportDetail.as_view(), name="report"),
    path(org + "reports/<int:report_id>/download/", views.ReportDownload.as_view(), name="report_download"),
    path(org + "plans/", views.PlanList.as_view(), name="plans"),
    path(org + "plans/<int:plan_id>/", views.PlanDetail.as_view(), name="plan"),
    path(org + "plans/<int:plan_id>/tasks/", views.PlanTasks.as_view(), name="plan_tasks"),
    re_path(r"^(?P<rest>.*)$", views.unknown_route, name="unknown"),
]
