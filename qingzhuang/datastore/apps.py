from django.apps import AppConfig


class DatastoreConfig(AppConfig):
    name = "qingzhuang.datastore"
    label = "datastore"
