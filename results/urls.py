from django.urls import path

from results import views

app_name = "results"
urlpatterns = [
    path("<int:pk>/", views.results_detail, name="detail"),
    path("<int:pk>/json/", views.results_json, name="json"),
    path("<int:pk>/extensions/", views.results_extensions, name="extensions"),
]
