from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from audit.labels import ACTION_LABELS, OBJECT_TYPE_LABELS, action_label, changes, object_type_label
from audit.selectors import audit_entry_list
from organizations import services
from organizations.accounts import INVITATION_SESSION_KEY, has_second_factor
from organizations.forms import (
    InvitationForm,
    OrganizationCreateForm,
    OrganizationSettingsForm,
    RoleForm,
    SecurityForm,
    SsoDomainForm,
)
from organizations.models import Invitation, Membership
from organizations.roles import Perm, Role
from organizations.selectors import (
    invitation_pending_list,
    member_list,
)
from organizations.services import OrganizationError
from organizations.tenancy import org_view, tenant_get_or_404


@login_required
def organization_create_view(request):
    if not services.organization_create_allowed(user=request.user):
        raise PermissionDenied("Organizations are created by the operators of this installation.")
    form = OrganizationCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organization = services.organization_create(
                name=form.cleaned_data["name"], slug=form.cleaned_data["slug"], by=request.user
            )
        except OrganizationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{organization.name} is created; you are its owner.")
            return redirect("org_home", org_slug=organization.slug)
    return render(request, "organizations/create.html", {"form": form})


def invitation_accept_view(request, token):
    check = services.invitation_check(token=token)
    if not check.problem:
        # Sign-up is open to this session for the invited address only (organizations/accounts.py).
        request.session[INVITATION_SESSION_KEY] = token
    if request.method == "POST" and request.user.is_authenticated:
        try:
            membership = services.invitation_accept(token=token, user=request.user)
        except OrganizationError as exc:
            messages.error(request, str(exc))
            return redirect("invitation_accept", token=token)
        messages.success(request, f"Welcome to {membership.organization.name}.")
        return redirect("org_home", org_slug=membership.organization.slug)
    return render(
        request,
        "organizations/invitation_accept.html",
        {"check": check, "token": token},
        status=200 if not check.problem else 410 if check.invitation else 404,
    )


@org_view(Perm.ORG_VIEW)
def org_home(request):
    # The organization's landing page is its list of assessments.
    return redirect("assessments:list", org_slug=request.organization.slug)


@org_view(Perm.ORG_SETTINGS)
def org_settings(request):
    org = request.organization
    action = request.POST.get("action", "general") if request.method == "POST" else ""
    initial = {"name": org.name, "reassessment_interval_months": org.reassessment_interval_months}
    form = OrganizationSettingsForm(request.POST if action == "general" else None, initial=initial)
    security = SecurityForm(request.POST if action == "security" else None, initial={"require_mfa": org.require_mfa})
    providers = services.sso_provider_ids()
    sso = SsoDomainForm(request.POST if action == "sso" else None, providers=providers)
    bound = {"general": form, "security": security, "sso": sso}.get(action)
    if bound is not None and bound.is_valid():
        try:
            if action == "general":
                services.organization_update(
                    organization=org, by=request.user, **form.cleaned_data, membership=request.membership
                )
            elif action == "security":
                services.organization_mfa_require(
                    organization=org,
                    required=security.cleaned_data["require_mfa"],
                    by=request.user,
                    membership=request.membership,
                )
            else:
                services.sso_domain_link(
                    organization=org, by=request.user, **sso.cleaned_data, membership=request.membership
                )
        except OrganizationError as exc:
            bound.add_error(None, str(exc))
        else:
            messages.success(request, "Settings saved.")
            return redirect("org_settings", org_slug=org.slug)
    context = {
        "form": form,
        "security": security,
        "sso": sso if providers else None,
        "sso_domains": org.sso_domains.all(),
        "own_second_factor": has_second_factor(request.user),
    }
    return render(request, "organizations/settings.html", context)


@org_view(Perm.ORG_MANAGE_MEMBERS)
def members(request):
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _link = services.invitation_create(
                organization=request.organization,
                by=request.user,
                request=request,
                **form.cleaned_data,
                membership=request.membership,
            )
        except OrganizationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("org_members", org_slug=request.organization.slug)
    return render(
        request,
        "organizations/members.html",
        {
            "members": member_list(organization=request.organization),
            "invitations": invitation_pending_list(organization=request.organization),
            "form": form,
            "role_form": RoleForm(),
        },
    )


def _members_action(request, change, success: str):
    """Run one change of the members page; its refusal becomes the message. Back to the members page."""
    try:
        change()
    except OrganizationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
    return redirect("org_members", org_slug=request.organization.slug)


@require_POST
@org_view(Perm.ORG_MANAGE_MEMBERS)
def member_role(request, membership_id):
    membership = tenant_get_or_404(Membership, request.organization, pk=membership_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a valid role.")
        return redirect("org_members", org_slug=request.organization.slug)
    role = form.cleaned_data["role"]
    return _members_action(
        request,
        lambda: services.membership_set_role(membership=membership, role=role, by=request.user),
        f"{membership.user.email} is now {Role(role).label}.",
    )


@require_POST
@org_view(Perm.ORG_MANAGE_MEMBERS)
def member_remove(request, membership_id):
    membership = tenant_get_or_404(Membership, request.organization, pk=membership_id)
    return _members_action(
        request,
        lambda: services.membership_remove(membership=membership, by=request.user),
        f"{membership.user.email} was removed.",
    )


@require_POST
@org_view(Perm.ORG_MANAGE_MEMBERS)
def invitation_revoke_view(request, invitation_id):
    invitation = tenant_get_or_404(Invitation, request.organization, pk=invitation_id)
    return _members_action(
        request,
        lambda: services.invitation_revoke(invitation=invitation, by=request.user, membership=request.membership),
        f"The invitation of {invitation.email} is revoked.",
    )


@require_POST
@org_view(Perm.ORG_VIEW)
def leave(request):
    try:
        services.membership_remove(membership=request.membership, by=request.user)
    except OrganizationError as exc:
        messages.error(request, str(exc))
        return redirect("org_home", org_slug=request.organization.slug)
    messages.success(request, f"You left {request.organization.name}.")
    return redirect("home")


@org_view(Perm.ORG_AUDIT_VIEW)
def audit_log_view(request):
    filters = {
        "object_type": request.GET.get("object_type", ""),
        "object_id": request.GET.get("object_id", ""),
        "actor_id": request.GET.get("actor") or None,
        "action": request.GET.get("action", ""),
    }
    if filters["actor_id"] and not str(filters["actor_id"]).isdigit():
        filters["actor_id"] = None
    entries = audit_entry_list(organization=request.organization, **filters)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    for entry in page:
        entry.label = action_label(entry.action)
        entry.type_label = object_type_label(entry.object_type)
        entry.changes = changes(entry.before, entry.after)
    return render(
        request,
        "organizations/audit.html",
        {
            "page": page,
            "filters": filters,
            "people": member_list(organization=request.organization),
            "actions": sorted(ACTION_LABELS.items(), key=lambda item: item[1]),
            "object_types": sorted(OBJECT_TYPE_LABELS.items(), key=lambda item: item[1]),
        },
    )
