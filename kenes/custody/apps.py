from django.apps import AppConfig


class CustodyConfig(AppConfig):
    name = "kenes.custody"
    label = "custody"

    def ready(self) -> None:
        from kenes.custody import checks  # noqa: F401  (registers the system check)
