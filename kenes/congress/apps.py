from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CongressConfig(AppConfig):
    name = "kenes.congress"
    label = "congress"
    verbose_name = _("Congress")

    def ready(self) -> None:
        from kenes.congress.dossier import connect

        connect()
