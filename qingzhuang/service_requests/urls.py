from django.urls import URLPattern, URLResolver, path

from qingzhuang.service_requests import views as v

app_name = "service_requests"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.inbox, name="inbox"),
    path("export.xlsx", v.inbox_export, name="export"),
    path("new/", v.entry, name="entry"),
    path("import/", v.import_view, name="import"),
    path("duty/", v.duty_list, name="duty"),
    path("duty/sla/", v.sla_save, name="sla_save"),
    path("hotspots/", v.hotspots, name="hotspots"),
    path("posters/", v.posters, name="posters"),
    path("<int:pk>/", v.detail, name="detail"),
    path("<int:pk>/act/<str:action>/", v.act, name="act"),
    path("<int:pk>/files/<int:att_pk>/", v.attachment_file, name="attachment"),
    path("<int:pk>/voice/<int:att_pk>/summary/", v.voice_summary, name="voice_summary"),
]
