from django.urls import path

from organizations import views

urlpatterns = [
    path("", views.org_home, name="org_home"),
    path("members/", views.members, name="org_members"),
    path("audit/", views.audit_log_view, name="org_audit"),
]
