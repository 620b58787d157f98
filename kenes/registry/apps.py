from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "kenes.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        # registers system checks; audit rows for what custody commands do; the count of
        # sealed values per key that `kenes custody drop-key` asks for
        from kenes.registry import checks, custody, sealed_columns  # noqa: F401
