"""Accounts: django-allauth's pages (sign-in, sign-up, e-mail, password, two-factor, single sign-on) under
/accounts/, and our profile page. The first names keep the short names the templates and links have always used."""

from allauth.account import views as account_views
from django.urls import include, path

from core import views

urlpatterns = [
    path("login/", account_views.login, name="login"),
    path("logout/", account_views.logout, name="logout"),
    path("signup/", account_views.signup, name="signup"),
    path("profile/", views.profile, name="profile"),
    path("password/change/", account_views.password_change, name="password_change"),
    path("password/reset/", account_views.password_reset, name="password_reset"),
    path("", include("allauth.urls")),
]
