"""Fixtures: custody's real key holder (tests/custody) and the web's logged-in clients."""

from tests.custody.conftest import custody  # noqa: F401
from tests.web.conftest import client_for, registry  # noqa: F401
