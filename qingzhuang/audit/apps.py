from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "qingzhuang.audit"
    label = "audit"
