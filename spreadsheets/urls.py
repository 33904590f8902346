from django.urls import path

from spreadsheets import views

app_name = "spreadsheets"

urlpatterns = [
    path("import/", views.workbook_upload, name="import"),
    path("assessments/<int:assessment_id>/answers.<str:fmt>", views.answers_download, name="answers"),
    path("action-plans.<str:fmt>", views.plans_download, name="plans"),
]
