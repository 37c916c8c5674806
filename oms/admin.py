from django.contrib import admin

from oms.models import AuditLog, DocumentCounter, OutboxMessage


def superusers_only(request) -> bool:
    """Staff work in the back office, where services check and audit every change; the admin
    is for superusers only (Django lets in any staff member by default)."""
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = superusers_only


class ReadOnlyMixin:
    """Business data changes through the back office's services, never through the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    """A model's rows shown on its parent's admin page, to look at only."""

    extra = 0


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "actor", "action", "object_repr")
    list_filter = ("object_type",)
    search_fields = ("object_repr", "action")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "subject", "status", "attempts", "sent_at")
    list_filter = ("status",)


@admin.register(DocumentCounter)
class DocumentCounterAdmin(ReadOnlyAdmin):
    list_display = ("series", "year", "last_number")
    list_filter = ("series",)
