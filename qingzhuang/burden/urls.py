from django.urls import URLPattern, URLResolver

app_name = "burden"
urlpatterns: list[URLPattern | URLResolver] = []
