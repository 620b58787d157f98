"""URLs of the parliament pages (filled in as they are built)."""

urlpatterns: list = []
