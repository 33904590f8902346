from django.contrib import admin
from django.urls import include, path

from core import health, observability
from core.views import favicon_view

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", observability.metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    # Browsers and feed readers ask for /favicon.ico whatever the page links.
    path("favicon.ico", favicon_view, name="favicon"),
    path("accounts/", include("core.account_urls")),
    path("accounts/api-tokens/", include("api.token_urls")),
    path("api/", include("api.urls")),
    path("catalog/", include("catalog.urls")),
    path("verify/", include("reports.public_urls")),
    path("notifications/", include("notifications.urls")),
    path("portfolio/", include("improvement.portfolio_urls")),
    path("my-work/", include("improvement.work_urls")),
    path("o/<slug:org_slug>/", include("organizations.org_urls")),
    path("o/<slug:org_slug>/assessments/", include("assessments.urls")),
    path("o/<slug:org_slug>/exchange/", include("exchange.urls")),
    path("o/<slug:org_slug>/results/", include("results.urls")),
    path("o/<slug:org_slug>/reports/", include("reports.urls")),
    path("o/<slug:org_slug>/plans/", include("improvement.urls")),
    path("o/<slug:org_slug>/webhooks/", include("webhooks.urls")),
    path("o/<slug:org_slug>/spreadsheets/", include("spreadsheets.urls")),
    path("", include("dashboard.urls")),
    path("", include("organizations.urls")),
]
