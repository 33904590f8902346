from django.contrib import admin

from organizations.models import Organization


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """Staff mark an organization's name as verified here; /verify/ otherwise calls it self-declared."""

    list_display = ("name", "slug", "name_verified", "created_at")
    list_filter = ("name_verified",)
    search_fields = ("name", "slug")
    fields = ("name", "slug", "name_verified", "reassessment_interval_months")
