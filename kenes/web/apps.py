from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "kenes.web"
    label = "web"
