from django.urls import path

from qingzhuang.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("metrics/", views.metrics_page, name="metrics"),
    path("metrics/settings/", views.settings_save, name="settings"),
    path("evidence/", views.evidence, name="evidence"),
    path("scores/", views.scores_page, name="scores"),
    path("scores/compute/", views.scores_compute, name="scores_compute"),
    path("scores/<int:pk>/", views.score_detail, name="score_detail"),
    path("indicators/", views.indicators_page, name="indicators"),
    path("indicators/save/", views.indicator_save, name="indicator_save"),
    path("schemes/save/", views.scheme_save, name="scheme_save"),
    path("signals/", views.signals_page, name="signals"),
    path("signals/settings/", views.signals_settings_save, name="signals_settings"),
    path("report/", views.report, name="report"),
]
