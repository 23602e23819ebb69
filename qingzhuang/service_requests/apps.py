from django.apps import AppConfig


class ServiceRequestsConfig(AppConfig):
    name = "qingzhuang.service_requests"
    label = "service_requests"
