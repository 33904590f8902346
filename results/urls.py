from django.urls import path

from results import views

app_name = "results"
urlpatterns = [
    path("<int:assessment_id>/", views.results_detail, name="detail"),
    path("<int:assessment_id>/json/", views.results_json, name="json"),
    path("<int:assessment_id>/extensions/", views.results_extensions, name="extensions"),
]
