from django.urls import path

from catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.index, name="index"),
    path("import/", views.import_view, name="import"),
    path("references/", views.references, name="references"),
    path("compare/", views.version_compare, name="compare"),
    path("models/<str:version>/", views.version_detail, name="version_detail"),
    path("models/<str:version>/<str:key>/", views.category_detail, name="category_detail"),
    path("extensions/<str:ext_id>/<str:version>/", views.extension_detail, name="extension_detail"),
]
