"""The web tests' small registry (workers and farmers), for the participation tests."""

from tests.web.conftest import registry  # noqa: F401  (fixture used here)
