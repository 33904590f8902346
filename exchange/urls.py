from django.urls import path

from exchange import views

app_name = "exchange"
urlpatterns = [
    path("import/", views.import_view, name="import"),
    path("<int:assessment_id>/export/", views.export_view, name="export"),
]
