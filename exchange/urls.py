from django.urls import path

from exchange import views

app_name = "exchange"
urlpatterns = [
    path("import/", views.import_view, name="import"),
    path("<int:assessment_id>/export/", views.export_view, name="export"),
    path("<int:assessment_id>/pkic/", views.pkic_export_view, name="pkic_export"),
]
