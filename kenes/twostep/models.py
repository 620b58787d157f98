"""An app code (TOTP, RFC 6238) whose secret is sealed under the field key.

django-otp's own TOTPDevice keeps the secret as hex in the clear: a copy of the database
would let its holder make every officer's codes. Here the column holds only
``kenes.security.sealing.seal(hex secret)``, bound to the officer (the associated data names
the user id), so a sealed secret copied onto another officer's row does not open. Reading
the secret needs the field key: under custody, while the server is sealed, ``bin_key``
raises ``Sealed`` and no code can be checked (passkeys still work: they are public keys).

The arithmetic (tolerance, drift, replay guard, throttling) is django-otp's, borrowed
method by method, so the behaviour is exactly that of TOTPDevice.
"""

from __future__ import annotations

import secrets
from binascii import unhexlify
from typing import Any

from django.db import models
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice

from kenes.security.keys import current_key
from kenes.security.sealing import open_sealed, seal, sealed_key_id

SECRET_BYTES = 20


def secret_context(user_id: int) -> bytes:
    """The associated data of a sealed secret: its purpose and its officer."""
    return f"kenes totp v1 user {user_id}".encode()


def seal_secret(hex_secret: str, *, user_id: int) -> str:
    return seal(hex_secret, context=secret_context(user_id))


class SealedTOTPDevice(TimestampMixin, ThrottlingMixin, Device):
    sealed_key = models.TextField(help_text="The hex secret, sealed under the field key.")
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = "app code (sealed TOTP secret)"

    @classmethod
    def create_for(cls, user: Any, **fields: Any) -> SealedTOTPDevice:
        """A device with a fresh random secret, sealed before it reaches the database."""
        hex_secret = secrets.token_hex(SECRET_BYTES)
        return cls.objects.create(
            user=user, sealed_key=seal_secret(hex_secret, user_id=user.pk), **fields
        )

    @property
    def key(self) -> str:
        """The hex secret, opened in memory (raises Sealed while the server is sealed)."""
        return open_sealed(self.sealed_key, context=secret_context(self.user_id))

    @property
    def bin_key(self) -> bytes:
        return unhexlify(self.key.encode())

    def reseal_if_old(self) -> None:
        """After `kenes rotate-keys`: a secret sealed under an older key is sealed again
        under the newest, the next time it is used (old keys may then be dropped)."""
        if sealed_key_id(self.sealed_key) != current_key().key_id:
            self.sealed_key = seal_secret(self.key, user_id=self.user_id)
            self.save(update_fields=["sealed_key"])

    verify_token = TOTPDevice.verify_token
    get_throttle_factor = TOTPDevice.get_throttle_factor
    config_url = TOTPDevice.config_url
    _read_str_from_settings = TOTPDevice._read_str_from_settings
