"""Model fields whose values are sealed (AES-GCM) in the database."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models

from kenes.security.sealing import open_sealed, seal


class SealedTextField(models.TextField):
    """A text value stored sealed; Python code sees plaintext (or None)."""

    description = "Text encrypted at rest"

    def to_plain(self, value: str) -> Any:
        return value

    def from_plain(self, value: Any) -> str:
        return str(value)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return None
        return self.to_plain(open_sealed(value))

    def get_prep_value(self, value: Any) -> str | None:
        if value is None or value == "":
            return None
        return seal(self.from_plain(value))

    def to_python(self, value: Any) -> Any:
        return value

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in {"isnull"}:
            raise TypeError(
                f"{self.name} is encrypted: it cannot be filtered with __{lookup_name}; "
                "use its blind index."
            )
        return super().get_lookup(lookup_name)


class SealedDateField(SealedTextField):
    description = "Date encrypted at rest"

    def to_plain(self, value: str) -> datetime.date:
        return datetime.date.fromisoformat(value)

    def from_plain(self, value: Any) -> str:
        if isinstance(value, str):
            value = datetime.date.fromisoformat(value)
        return value.isoformat()
