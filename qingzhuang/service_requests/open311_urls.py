from django.urls import URLPattern, URLResolver, path

from qingzhuang.service_requests import open311 as v

app_name = "open311"
urlpatterns: list[URLPattern | URLResolver] = [
    path("services.json", v.services_list, name="services"),
    path("requests.json", v.requests_view, name="requests"),
    path("requests/<str:code>.json", v.request_detail, name="request"),
]
