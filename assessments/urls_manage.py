"""Assessment management: list, create, overview, scope, assignments, review, sign-off (namespace "assessments")."""

from django.urls import path

from assessments.views import bulk, manage, scoping, workflow

urlpatterns = [
    path("", manage.assessment_list_view, name="list"),
    path("new/", manage.assessment_create_view, name="create"),
    path("<int:assessment_id>/", manage.assessment_detail_view, name="detail"),
    path("<int:assessment_id>/edit/", manage.assessment_edit_view, name="edit"),
    path("<int:assessment_id>/assignments/", manage.assignments_view, name="assignments"),
    path("<int:assessment_id>/assignments/bulk/", bulk.assignments_bulk_view, name="assignments_bulk"),
    path(
        "<int:assessment_id>/assignments/<int:assignment_id>/delete/",
        manage.assignment_delete_view,
        name="assignment_delete",
    ),
    path("<int:assessment_id>/scope/", scoping.scope_view, name="scope"),
    path("<int:assessment_id>/scope/matrix/", scoping.scope_matrix_save_view, name="scope_matrix"),
    path("<int:assessment_id>/scope/environment/", scoping.scope_environment_save_view, name="scope_environment"),
    path("<int:assessment_id>/scope/use-cases/new/", scoping.use_case_create_view, name="use_case_create"),
    path("<int:assessment_id>/scope/use-cases/<int:use_case_id>/", scoping.use_case_edit_view, name="use_case_edit"),
    path(
        "<int:assessment_id>/scope/use-cases/<int:use_case_id>/delete/",
        scoping.use_case_delete_view,
        name="use_case_delete",
    ),
    path("<int:assessment_id>/start/", workflow.assessment_start_view, name="start"),
    path("<int:assessment_id>/request-review/", workflow.request_review_view, name="request_review"),
    path("<int:assessment_id>/review/", workflow.review_view, name="review"),
    path("<int:assessment_id>/review/accept-all/", bulk.reviews_accept_all_view, name="reviews_accept_all"),
    path("<int:assessment_id>/review/<str:category_key>/", workflow.review_action_view, name="review_action"),
    path("<int:assessment_id>/sign-off/", workflow.sign_off_view, name="sign_off"),
    path("<int:assessment_id>/reopen/", workflow.reopen_view, name="reopen"),
]
