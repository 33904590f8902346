from django.urls import path

from improvement import views

app_name = "portfolio"
urlpatterns = [
    path("", views.portfolio, name="index"),
]
