from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from organizations.roles import Perm
from organizations.tenancy import org_view, tenant_get_or_404
from webhooks.forms import WebhookForm
from webhooks.models import Webhook
from webhooks.selectors import webhook_deliveries_recent, webhooks_of_org
from webhooks.services import WebhookError, webhook_create, webhook_delete, webhook_test


@org_view(Perm.ORG_SETTINGS)
def webhook_list(request):
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            webhook_create(
                organization=request.organization, by=request.user, **form.cleaned_data, membership=request.membership
            )
        except WebhookError as error:
            form.add_error("url", str(error))
        else:
            messages.success(request, "Webhook added.")
            return redirect("webhooks:list", org_slug=request.organization.slug)
    webhooks = webhooks_of_org(organization=request.organization)
    return render(request, "webhooks/list.html", {"form": form, "webhooks": webhooks})


@org_view(Perm.ORG_SETTINGS)
def webhook_detail(request, webhook_id):
    webhook = tenant_get_or_404(Webhook, request.organization, pk=webhook_id)
    deliveries = webhook_deliveries_recent(organization=request.organization, webhook=webhook)
    return render(request, "webhooks/detail.html", {"webhook": webhook, "deliveries": deliveries})


@org_view(Perm.ORG_SETTINGS)
@require_POST
def webhook_send_test(request, webhook_id):
    webhook = tenant_get_or_404(Webhook, request.organization, pk=webhook_id)
    webhook_test(webhook=webhook, by=request.user, membership=request.membership)
    messages.success(request, "Test delivery queued; its result appears in the log below.")
    return redirect("webhooks:detail", org_slug=request.organization.slug, webhook_id=webhook.pk)


@org_view(Perm.ORG_SETTINGS)
@require_POST
def webhook_remove(request, webhook_id):
    webhook = tenant_get_or_404(Webhook, request.organization, pk=webhook_id)
    webhook_delete(webhook=webhook, by=request.user, membership=request.membership)
    messages.success(request, "Webhook removed.")
    return redirect("webhooks:list", org_slug=request.organization.slug)
