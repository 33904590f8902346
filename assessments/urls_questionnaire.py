"""The questionnaire (included under /o/<org_slug>/assessments/, namespace "assessments")."""

from django.urls import path

from assessments.views import bulk, evidence, questionnaire

_base = "<int:assessment_id>/questionnaire/"

urlpatterns = [
    path(_base, questionnaire.questionnaire_overview_view, name="questionnaire"),
    path(f"{_base}members/", questionnaire.mention_candidates_view, name="mention_candidates"),
    path(f"{_base}<str:category_key>/", questionnaire.category_view, name="questionnaire_category"),
    path(
        f"{_base}<str:category_key>/confirm-carried-over/", bulk.carried_over_confirm_view, name="carried_over_confirm"
    ),
    path(f"{_base}<str:category_key>/live/", questionnaire.category_live_view, name="questionnaire_live"),
    path(f"{_base}<str:category_key>/live/leave/", questionnaire.category_leave_view, name="questionnaire_leave"),
    path(f"{_base}answer/<str:slot>/", questionnaire.answer_save_view, name="answer_save"),
    path(f"{_base}answer/<str:slot>/current/", questionnaire.answer_fragment_view, name="answer_fragment"),
    path(f"{_base}answer/<str:slot>/history/", questionnaire.answer_history_view, name="answer_history"),
    path(f"{_base}comments/<str:key>/", questionnaire.comment_add_view, name="comment_add"),
    path(f"{_base}flags/<str:key>/", questionnaire.flag_toggle_view, name="flag_toggle"),
    path(f"{_base}evidence/<str:key>/file/", evidence.evidence_upload_view, name="evidence_upload"),
    path(f"{_base}evidence/<str:key>/link/", evidence.evidence_link_add_view, name="evidence_link_add"),
    path(f"{_base}evidence/<int:evidence_id>/download/", evidence.evidence_download_view, name="evidence_download"),
    path(f"{_base}evidence/<int:evidence_id>/delete/", evidence.evidence_delete_view, name="evidence_delete"),
]
