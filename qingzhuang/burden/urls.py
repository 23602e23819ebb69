from django.urls import URLPattern, URLResolver, path

from qingzhuang.burden import views

app_name = "burden"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.ledger, name="ledger"),
    path("new/", views.demand_new, name="demand_new"),
    path("d/<int:pk>/", views.demand_detail, name="demand"),
    path("d/<int:pk>/edit/", views.demand_edit, name="demand_edit"),
    path("d/<int:pk>/delete/", views.demand_delete, name="demand_delete"),
    path("import/", views.import_demands, name="import"),
    path("import/sample.csv", views.import_sample, name="import_sample"),
    path("upload/", views.upload_document, name="upload"),
    path("rules/", views.rules, name="rules"),
    path("rules/<str:code>/", views.rule_edit, name="rule_edit"),
    path("admission/", views.admission, name="admission"),
    path("admission/<int:pk>/", views.admission_detail, name="admission_detail"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("report/", views.monthly_report, name="report"),
]
