from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from organizations.roles import Perm
from organizations.tenancy import org_view


@login_required
def home(request):
    return render(request, "organizations/home.html", {})


@login_required
def organization_create_view(request):
    return render(request, "organizations/home.html", {})


def invitation_accept_view(request, token):
    return render(request, "organizations/home.html", {})


@org_view(Perm.ORG_VIEW)
def org_home(request):
    return render(request, "organizations/home.html", {})


@org_view(Perm.ORG_MANAGE_MEMBERS)
def members(request):
    return render(request, "organizations/home.html", {})


@org_view(Perm.ORG_AUDIT_VIEW)
def audit_log_view(request):
    return render(request, "organizations/home.html", {})
