from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("<int:assessment_id>/", views.report_list, name="list"),
    path("<int:assessment_id>/request/", views.report_request, name="request"),
    path("report/<int:report_id>/status/", views.report_status, name="status"),
    path("report/<int:report_id>/download/", views.report_download, name="download"),
    path("report/<int:report_id>/retry/", views.report_retry, name="retry"),
    path("report/<int:report_id>/countersign/", views.report_countersign, name="countersign"),
]
