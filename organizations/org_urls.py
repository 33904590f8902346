from django.urls import path

from organizations import views

urlpatterns = [
    path("", views.org_home, name="org_home"),
    path("settings/", views.org_settings, name="org_settings"),
    path("members/", views.members, name="org_members"),
    path("members/<int:membership_id>/role/", views.member_role, name="org_member_role"),
    path("members/<int:membership_id>/remove/", views.member_remove, name="org_member_remove"),
    path("invitations/<int:invitation_id>/revoke/", views.invitation_revoke_view, name="org_invitation_revoke"),
    path("leave/", views.leave, name="org_leave"),
    path("audit/", views.audit_log_view, name="org_audit"),
]
