"""Django admin for superusers. Changes go through the services so they are audited;
sealed personal data is not shown here (the member page shows it, audited)."""

from typing import Any

from django.contrib import admin

from kenes.registry.models import ConstituentGroup, ImportBatch, Member, Role
from kenes.registry.name_search import with_name
from kenes.registry.services import do_grant_role, do_revoke_role, do_update_member


@admin.register(ConstituentGroup)
class ConstituentGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["full_name", "region_code", "status", "joined_on"]
    list_filter = ["status", "region_code"]
    # Names are sealed: searched by their blind index, never sorted by the database.
    search_fields = ["full_name"]
    sortable_by = ["region_code", "status", "joined_on"]
    ordering = ["-pk"]
    fields = [
        "full_name",
        "region_code",
        "status",
        "joined_on",
        "left_on",
        "consent_on",
        "consent_method",
    ]

    def get_search_results(self, request: Any, queryset: Any, search_term: str) -> Any:
        if not search_term.strip():
            return queryset, False
        return with_name(queryset, search_term), False

    def has_add_permission(self, request: Any) -> bool:
        return False  # members come in through imports, which check every row

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # a member who leaves gets status "left"; the record stays

    def save_model(self, request: Any, obj: Member, form: Any, change: bool) -> None:
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        if changes:
            do_update_member(Member.objects.get(pk=obj.pk), changes, acting_user=request.user)


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "region_code", "group"]
    list_filter = ["kind"]

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # revoke and grant instead, so both are audited

    def save_model(self, request: Any, obj: Role, form: Any, change: bool) -> None:
        role = do_grant_role(
            obj.user,
            obj.kind,
            region_code=obj.region_code,
            group=obj.group,
            acting_user=request.user,
        )
        obj.pk = role.pk

    def delete_model(self, request: Any, obj: Role) -> None:
        do_revoke_role(obj, acting_user=request.user)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for role in queryset:
            do_revoke_role(role, acting_user=request.user)


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["created_at", "group", "filename", "status", "rows_total", "uploaded_by"]
    fields = ["group", "filename", "status", "rows_total", "rows_done", "error", "uploaded_by"]
    readonly_fields = fields

    def has_add_permission(self, request: Any) -> bool:
        return False
