"""The small registry of the web tests (workers in Almaty, farmers in Karaganda)."""

from tests.web.conftest import registry  # noqa: F401
