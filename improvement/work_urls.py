from django.urls import path

from improvement import views

app_name = "work"
urlpatterns = [
    path("", views.my_work, name="index"),
]
