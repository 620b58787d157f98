from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendaConfig(AppConfig):
    name = "kenes.agenda"
    label = "agenda"
    verbose_name = _("Consultations and programme")
    default_auto_field = "django.db.models.BigAutoField"
