from django.urls import path

from qingzhuang.audit import views

app_name = "audit"
urlpatterns = [path("", views.entry_list, name="entries")]
