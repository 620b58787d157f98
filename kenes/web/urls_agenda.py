"""URLs of the consultation pages (kenes.agenda): members' pages with a personal code, no
account (views/agenda.py), officers' pages (views/agenda_admin.py, views/agenda_programme.py).
"""

from django.urls import path

from kenes.web.views import agenda, agenda_admin, agenda_programme, agenda_report

urlpatterns = [
    # Members: personal code, one statement at a time (no login)
    path("consult/", agenda.agenda_start, name="agenda_start"),
    path("consult/vote/", agenda.agenda_vote, name="agenda_vote"),
    path("consult/add/", agenda.agenda_add_statement, name="agenda_add_statement"),
    path("consult/<str:code>/", agenda.agenda_link, name="agenda_link"),
    # Officers
    path("consultations/", agenda_admin.agenda_list, name="agenda_list"),
    path("consultations/new/", agenda_admin.agenda_create, name="agenda_create"),
    path("consultations/<int:consultation_id>/", agenda_admin.agenda_detail, name="agenda_detail"),
    path(
        "consultations/<int:consultation_id>/phase/",
        agenda_admin.agenda_phase,
        name="agenda_phase",
    ),
    path(
        "consultations/<int:consultation_id>/codes/",
        agenda_admin.agenda_codes,
        name="agenda_codes",
    ),
    path(
        "consultations/<int:consultation_id>/statements/",
        agenda_admin.agenda_seed,
        name="agenda_seed",
    ),
    path(
        "consultations/<int:consultation_id>/moderation/",
        agenda_admin.agenda_moderation,
        name="agenda_moderation",
    ),
    path(
        "consultations/<int:consultation_id>/recompute/",
        agenda_admin.agenda_recompute,
        name="agenda_recompute",
    ),
    path(
        "consultations/<int:consultation_id>/programme/",
        agenda_programme.agenda_programme,
        name="agenda_programme",
    ),
    path(
        "consultations/<int:consultation_id>/programme/<int:plank_id>/move/",
        agenda_programme.agenda_plank_move,
        name="agenda_plank_move",
    ),
    path(
        "consultations/<int:consultation_id>/programme/<int:plank_id>/remove/",
        agenda_programme.agenda_plank_remove,
        name="agenda_plank_remove",
    ),
    path(
        "consultations/<int:consultation_id>/ratify/",
        agenda_programme.agenda_ratify,
        name="agenda_ratify",
    ),
    # report (REPORT helper): views/agenda_report.py
    path(
        "consultations/<int:consultation_id>/report/",
        agenda_report.agenda_report,
        name="agenda_report",
    ),
    path(
        "consultations/<int:consultation_id>/report.csv",
        agenda_report.agenda_report_csv,
        name="agenda_report_csv",
    ),
    path(
        "consultations/<int:consultation_id>/polis.zip",
        agenda_report.agenda_report_polis,
        name="agenda_report_polis",
    ),
    path(
        "consult/<str:code>/report/",
        agenda_report.agenda_report_member,
        name="agenda_report_member",
    ),
]
