"""Voter tokens: who is in a vote's electorate, without a member id in the clear.

A vote or consultation called for one constituent group names its group. Its personal
codes and its roll ("who may vote, who has voted") would, with a member id on each row,
tell a seized copy which members were in that group. So each row carries instead
`voter = HMAC(secret, purpose ":" member id)`, under a random secret sealed in the database
(kenes.audit.secrets, "voters"), and the member id itself sealed under the field key.

- Casting needs no key: the typed code's row gives its voter token, and the roll row with
  the same token is marked. A sealed server still takes ballots.
- Finding a member's rows (a new code replacing a lost one, a member's own page) computes
  the token: the server must be unsealed, as it must be to show the member anyway.
- The token differs per purpose, so rows of two votes cannot be joined to say that the same
  (unnamed) person was in both electorates.
- `kenes rotate-keys` re-seals the secret; the tokens already written stay valid.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from typing import Any

from kenes.audit.secrets import index_secret

SECRET = "voters"


def _token(secret: bytes, purpose: str, member_id: int) -> str:
    return hmac.new(secret, f"{purpose}:{int(member_id)}".encode(), hashlib.sha256).hexdigest()


def voter_token(purpose: str, member_id: int, *, model: Any = None) -> str:
    """The token of one member for one purpose (raises Sealed while sealed)."""
    return _token(index_secret(SECRET, model=model), purpose, member_id)


def voter_tokens(purpose: str, member_ids: Iterable[int], *, model: Any = None) -> dict[int, str]:
    """member id -> token for one purpose, reading the secret once."""
    secret = index_secret(SECRET, model=model)
    return {int(m): _token(secret, purpose, m) for m in member_ids}


def tokens_of_member(purposes: Iterable[str], member_id: int) -> dict[str, str]:
    """token -> purpose of one member across purposes (a member's own page)."""
    secret = index_secret(SECRET)
    return {_token(secret, p, member_id): p for p in purposes}
