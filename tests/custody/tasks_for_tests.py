"""A background task that needs personal data, for the custody tests (django-tasks needs
a task at module level)."""

from django_tasks import task

from kenes.security.keys import field_keys


@task()
def count_field_keys() -> int:
    return len(field_keys())
