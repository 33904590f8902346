"""Assessment management: list, create, overview, scope, assignments, review, sign-off (namespace "assessments")."""

from django.urls import path

from assessments.views import bulk, manage, scoping, workflow

urlpatterns = [
    path("", manage.assessment_list_view, name="list"),
    path("new/", manage.assessment_create_view, name="create"),
    path("<int:pk>/", manage.assessment_detail_view, name="detail"),
    path("<int:pk>/edit/", manage.assessment_edit_view, name="edit"),
    path("<int:pk>/assignments/", manage.assignments_view, name="assignments"),
    path("<int:pk>/assignments/bulk/", bulk.assignments_bulk_view, name="assignments_bulk"),
    path("<int:pk>/assignments/<int:assignment_pk>/delete/", manage.assignment_delete_view, name="assignment_delete"),
    path("<int:pk>/scope/", scoping.scope_view, name="scope"),
    path("<int:pk>/scope/matrix/", scoping.scope_matrix_save_view, name="scope_matrix"),
    path("<int:pk>/scope/environment/", scoping.scope_environment_save_view, name="scope_environment"),
    path("<int:pk>/scope/use-cases/new/", scoping.use_case_create_view, name="use_case_create"),
    path("<int:pk>/scope/use-cases/<int:use_case_pk>/", scoping.use_case_edit_view, name="use_case_edit"),
    path("<int:pk>/scope/use-cases/<int:use_case_pk>/delete/", scoping.use_case_delete_view, name="use_case_delete"),
    path("<int:pk>/start/", workflow.assessment_start_view, name="start"),
    path("<int:pk>/request-review/", workflow.request_review_view, name="request_review"),
    path("<int:pk>/review/", workflow.review_view, name="review"),
    path("<int:pk>/review/accept-all/", bulk.reviews_accept_all_view, name="reviews_accept_all"),
    path("<int:pk>/review/<str:category_key>/", workflow.review_action_view, name="review_action"),
    path("<int:pk>/sign-off/", workflow.sign_off_view, name="sign_off"),
    path("<int:pk>/reopen/", workflow.reopen_view, name="reopen"),
]
