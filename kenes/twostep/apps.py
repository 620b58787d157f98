from django.apps import AppConfig


class TwoStepConfig(AppConfig):
    name = "kenes.twostep"
    label = "twostep"
    verbose_name = "Two-step login"
    default_auto_field = "django.db.models.BigAutoField"
