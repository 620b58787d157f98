from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "kenes.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from kenes.registry import checks  # noqa: F401  (registers system checks)
