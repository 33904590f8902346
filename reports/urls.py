from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("<int:assessment_pk>/", views.report_list, name="list"),
    path("<int:assessment_pk>/request/", views.report_request, name="request"),
    path("report/<int:report_pk>/status/", views.report_status, name="status"),
    path("report/<int:report_pk>/download/", views.report_download, name="download"),
    path("report/<int:report_pk>/retry/", views.report_retry, name="retry"),
    path("report/<int:report_pk>/countersign/", views.report_countersign, name="countersign"),
]
