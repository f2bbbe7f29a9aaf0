from django.contrib import admin

from designer import models


class TaskInline(admin.TabularInline):
    model = models.Task
    extra = 0
    fields = ["key", "name", "optimistic", "likely", "pessimistic", "phase", "executor"]


class DependencyInline(admin.TabularInline):
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


@admin.register(models.Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["key", "name", "flow", "likely", "phase", "executor"]
    search_fields = ["key", "name", "flow__name"]
    list_select_related = ["flow", "phase"]


@admin.register(models.Dependency)
class DependencyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "flow", "strength"]
    list_filter = ["strength"]
    raw_id_fields = ["source", "target"]


@admin.register(models.ResourcePool)
class ResourcePoolAdmin(admin.ModelAdmin):
    list_display = ["name", "capacity", "flow"]


@admin.register(models.Phase)
class PhaseAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "flow"]


@admin.register(models.ResourceNeed)
class ResourceNeedAdmin(admin.ModelAdmin):
    list_display = ["task", "pool", "units"]
