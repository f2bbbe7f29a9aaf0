from typing import Any

from django.contrib import admin
from django.db.models import F
from django.http import HttpRequest

from designer import models, selectors


class ReadOnly:
    """The graph is edited through the services (the editor, the wizard, the API), which
    check it whole and bump the flow's version; the admin shows it without changing it."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TaskInline(ReadOnly, admin.TabularInline):
    model = models.Task
    extra = 0
    fields = ["key", "name", "optimistic", "likely", "pessimistic", "phase", "executor"]


class DependencyInline(ReadOnly, admin.TabularInline):
    model = models.Dependency
    fk_name = "flow"
    extra = 0
    fields = ["source", "target", "strength", "note"]
    raw_id_fields = ["source", "target"]


@admin.register(models.Flow)
class FlowAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "time_unit", "version", "updated_at"]
    list_filter = ["time_unit"]
    search_fields = ["name", "owner__username"]
    inlines = [TaskInline, DependencyInline]
    readonly_fields = ["version", "created_at", "updated_at"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """A change here is a new version like any edit: an open editor then gets 412 on
        its next save instead of silently overwriting it."""
        if change:
            obj.version = F("version") + 1
        super().save_model(request, obj, form, change)
        obj.refresh_from_db()
        # The delays and the time unit change the figures the flow list shows.
        obj.cycle_times = selectors.flow_cycle_times(obj)
        obj.save(update_fields=["cycle_times"])


@admin.register(models.Task)
class TaskAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["key", "name", "flow", "likely", "phase", "executor"]
    search_fields = ["key", "name", "flow__name"]
    list_select_related = ["flow", "phase"]


@admin.register(models.Dependency)
class DependencyAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["__str__", "flow", "strength"]
    list_filter = ["strength"]
    raw_id_fields = ["source", "target"]


@admin.register(models.ResourcePool)
class ResourcePoolAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["name", "capacity", "flow"]


@admin.register(models.Phase)
class PhaseAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["name", "position", "flow"]


@admin.register(models.ResourceNeed)
class ResourceNeedAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["task", "pool", "units"]
