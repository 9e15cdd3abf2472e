from django.contrib import admin

from .models import Kommun, Lan


@admin.register(Lan)
class LanAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region_name"]
    search_fields = ["code", "name", "region_name"]


@admin.register(Kommun)
class KommunAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "lan", "population"]
    list_filter = ["lan"]
    search_fields = ["code", "name"]
    list_select_related = ["lan"]
