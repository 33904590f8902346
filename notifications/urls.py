from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox_view, name="inbox"),
    path("count/", views.count_view, name="count"),
    path("<int:notification_id>/", views.open_view, name="open"),
    path("read/", views.mark_all_read_view, name="mark_all_read"),
    path("settings/", views.settings_view, name="settings"),
]
