from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "kenes.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from kenes.audit import anchors, verifiers

        # `kenes audit verify`: stored receipts still extended by the chain, and everything
        # published still matching the head recorded when it was published.
        verifiers.register("receipts", anchors.check_stored_receipts)
        verifiers.register("published", anchors.check_published)
