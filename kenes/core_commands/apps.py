from django.apps import AppConfig


class CoreCommandsConfig(AppConfig):
    name = "kenes.core_commands"
    label = "core_commands"
