"""Keyed hashes under secrets that are sealed in the database and survive key rotation.

A blind index under the field key itself (kenes.security.sealing.blind_index) changes when
the key is rotated, so every row holding one must be rewritten. That is impossible for the
append-only audit log and needless for the rest: these hashes use a random secret per
purpose (`IndexSecret`), sealed under the field key. A seized copy of a sealed server holds
only the sealed secret, so it cannot compute a hash to test a guess (e.g. every member id);
`kenes rotate-keys` re-seals the secret and every hash stays valid.

Uses: which member an audit entry is about (kenes.audit.services.member_target) and the
voter tokens that tie a vote's personal codes to its roll (kenes.participation.voters).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from typing import Any

from kenes.security.keys import current_key


def index_secret(name: str, *, model: Any = None) -> bytes:
    """The secret called `name`, made at first use; raises Sealed while the server is sealed.

    Read from the database at every use (one indexed row): nothing opened under the field
    key is kept in this process, so a seal leaves no secret behind in memory.
    `model` is the IndexSecret model to use (a migration passes its historical one).
    """
    if model is None:
        from kenes.audit.models import IndexSecret as model  # noqa: N813 (one name for both)
    row = model.objects.filter(name=name).first()  # opening the value raises Sealed
    if row is None:
        current_key()  # Sealed here, before any write (not inside the insert's savepoint)
        fresh = base64.b64encode(os.urandom(32)).decode()
        model.objects.bulk_create([model(name=name, sealed=fresh)], ignore_conflicts=True)
        row = model.objects.get(name=name)  # the first writer's, if two raced
    return base64.b64decode(row.sealed)


def keyed_hash(name: str, text: str, *, model: Any = None) -> str:
    """HMAC-SHA256 of `text` under the secret `name`, as hex."""
    return hmac.new(index_secret(name, model=model), text.encode(), hashlib.sha256).hexdigest()
