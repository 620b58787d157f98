"""URLs of the parliament pages: seat scenarios and historical replays."""

from django.urls import path

from kenes.web.views import historical, scenarios

urlpatterns = [
    path("scenarios/", scenarios.scenario_list, name="scenario_list"),
    path("scenarios/new/", scenarios.scenario_add, name="scenario_add"),
    path("scenarios/history/", historical.historical, name="historical"),
    path("scenarios/<int:scenario_id>/", scenarios.scenario_detail, name="scenario_detail"),
    path("scenarios/<int:scenario_id>/status/", scenarios.scenario_status, name="scenario_status"),
    path("scenarios/<int:scenario_id>/edit/", scenarios.scenario_edit, name="scenario_edit"),
    path("scenarios/<int:scenario_id>/run/", scenarios.scenario_run, name="scenario_run"),
    path("scenarios/<int:scenario_id>/share/", scenarios.scenario_share, name="scenario_share"),
    path("scenarios/<int:scenario_id>/delete/", scenarios.scenario_delete, name="scenario_delete"),
]
