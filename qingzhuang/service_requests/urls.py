from django.urls import URLPattern, URLResolver

app_name = "service_requests"
urlpatterns: list[URLPattern | URLResolver] = []
