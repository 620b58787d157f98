"""URLs of the agenda pages (filled in as they are built)."""

urlpatterns: list = []
