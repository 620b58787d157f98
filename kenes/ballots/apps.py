from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BallotsConfig(AppConfig):
    name = "kenes.ballots"
    label = "ballots"
    verbose_name = _("Elections and motions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kenes.audit import anchors, verifiers
        from kenes.ballots import box

        verifiers.register("ballot_boxes", box.check_published_boxes)
        anchors.register_digest(box.BOX, box.current_digest, box.box_name)
