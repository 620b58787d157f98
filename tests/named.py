"""Finding a test's member by their whole name: names are sealed, so through the name index
and then compared opened (the way a page finds them)."""

from __future__ import annotations

from typing import Any


def member_named(name: str) -> Any:
    from kenes.registry.models import Member
    from kenes.registry.name_search import with_name

    found = [m for m in with_name(Member.objects.all(), name) if m.full_name == name]
    if len(found) != 1:
        raise AssertionError(f"{len(found)} members are named {name!r}")
    return found[0]
