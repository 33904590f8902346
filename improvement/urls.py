from django.urls import path

from improvement import views

app_name = "plans"
urlpatterns = [
    path("", views.board, name="board"),
    path("<int:plan_id>/", views.plan_detail, name="detail"),
    path("<int:plan_id>/edit/", views.plan_edit, name="edit"),
    path("<int:plan_id>/status/", views.plan_status, name="status"),
    path("<int:plan_id>/tasks/", views.task_add, name="task_add"),
    path("<int:plan_id>/tasks/<int:task_id>/toggle/", views.task_toggle, name="task_toggle"),
    path("assessments/<int:assessment_id>/new/", views.plan_create, name="create"),
    path("assessments/<int:assessment_id>/targets/", views.assessment_targets, name="assessment_targets"),
    path("assessments/<int:assessment_id>/reassess/", views.reassess, name="reassess"),
    path("assessments/<int:assessment_id>/mapping/", views.reassessment_report, name="reassessment_report"),
    path("assessments/<int:assessment_id>/carry-evidence/", views.evidence_carry, name="evidence_carry"),
    path("compare/", views.compare, name="compare"),
    path("trend/", views.trend, name="trend"),
]
