from django.urls import path

from organizations import views

urlpatterns = [
    path("orgs/new/", views.organization_create_view, name="org_create"),
    path("invitations/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
]
