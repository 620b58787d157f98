"""Background work (django-tasks): projections too large for a request."""

from django.contrib.auth import get_user_model
from django_tasks import task

from kenes.parliament import scenarios
from kenes.parliament.models import Scenario


@task()
def run_scenario(scenario_id: int, user_id: int | None) -> None:
    scenario = Scenario.objects.filter(pk=scenario_id).first()
    if scenario is None:
        return
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    scenarios.do_run(scenario, acting_user=user)
