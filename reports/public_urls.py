from django.urls import path

from reports import verify_views

app_name = "verify"
urlpatterns = [
    path("", verify_views.verify_index, name="index"),
]
