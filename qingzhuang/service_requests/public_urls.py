from django.urls import URLPattern, URLResolver, path

from qingzhuang.service_requests import public_views as v

app_name = "public"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.intake, name="intake"),
    path("v/<str:code>/", v.intake, name="intake_village"),
    path("v/<str:code>/poster/", v.poster, name="poster"),
    path("v/<str:code>/qr.svg", v.qr_svg, name="qr"),
    path("ok/<str:code>/", v.thanks, name="thanks"),
    path("s/", v.status_lookup, name="lookup"),
    path("s/<str:code>/", v.status, name="status"),
    path("cb/<str:token>/", v.callback, name="callback"),
]
