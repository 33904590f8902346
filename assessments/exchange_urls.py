from django.urls import path

from assessments import exchange_views

app_name = "exchange"
urlpatterns = [
    path("import/", exchange_views.import_view, name="import"),
    path("<int:pk>/export/", exchange_views.export_view, name="export"),
    path("<int:pk>/pkic/", exchange_views.pkic_export_view, name="pkic_export"),
]
