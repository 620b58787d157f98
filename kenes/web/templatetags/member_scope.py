"""Template filters that ask the scoping layer what an officer may see of a member."""

from __future__ import annotations

from typing import Any

from django import template

from kenes.registry.models import ConstituentGroup, Member
from kenes.registry.scoping import groups_seen

register = template.Library()


@register.filter
def groups_seen_by(member: Member, user: Any) -> list[ConstituentGroup]:
    """`member`'s groups that `user` may see (kenes.registry.scoping.groups_seen)."""
    return groups_seen(user, member)
