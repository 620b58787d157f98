from django.apps import AppConfig


class BackupConfig(AppConfig):
    name = "kenes.backup"
    label = "backup"

    def ready(self) -> None:
        from kenes.backup import checks  # noqa: F401  (registers the system checks)
