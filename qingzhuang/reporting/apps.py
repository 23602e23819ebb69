from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "qingzhuang.reporting"
    label = "reporting"
