"""Background work (django-tasks): checking and importing uploaded member lists."""

from django_tasks import task

from kenes.registry import batches


@task()
def check_upload(batch_id: str) -> None:
    batches.run_check(batch_id)


@task()
def import_upload(batch_id: str, user_id: int) -> None:
    batches.run_import(batch_id, user_id)
