from django.urls import include, path

from kenes.web.views import (
    accounts,
    audit,
    conflicts,
    dashboard,
    delegates,
    elections,
    files,
    groups,
    imports,
    members,
    officers,
    readiness,
    results,
    vote,
)

urlpatterns = [
    # Voting with a personal code, no account (views/vote.py). First: while a vote is open
    # these are most of the requests, and Django tries the patterns in order.
    path("vote/", vote.vote_start, name="vote"),
    path("vote/cast/", vote.vote_cast_page, name="vote_cast"),
    path("vote/receipt/", vote.vote_receipt, name="vote_receipt"),
    path("vote/<str:code>/", vote.vote_link, name="vote_link"),
    path("login/", accounts.LoginView.as_view(), name="login"),
    path("logout/", accounts.LogoutView.as_view(), name="logout"),
    path("account/two-step/", accounts.two_step, name="two_step"),
    path("account/password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path("", dashboard.dashboard, name="dashboard"),
    path("groups/", groups.group_list, name="groups"),
    path("groups/new/", groups.group_add, name="group_add"),
    path("groups/<slug:slug>/", groups.group_detail, name="group_detail"),
    path("members/", members.member_list, name="members"),
    path("members/new/", members.member_add, name="member_add"),
    path("members/<int:member_id>/", members.member_detail, name="member_detail"),
    path("members/conflicts/", conflicts.conflict_list, name="member_conflicts"),
    path(
        "members/conflicts/<int:conflict_id>/",
        conflicts.conflict_resolve,
        name="member_conflict_resolve",
    ),
    path("import/", imports.import_start, name="import"),
    path("import/<uuid:batch_id>/", imports.import_batch, name="import_batch"),
    path("import/<uuid:batch_id>/status/", imports.import_batch_status, name="import_batch_status"),
    path("import/<uuid:batch_id>/confirm/", imports.import_confirm, name="import_confirm"),
    path("import/<uuid:batch_id>/discard/", imports.import_discard, name="import_discard"),
    path("readiness/", readiness.readiness, name="readiness"),
    path("readiness/dossier.xlsx", readiness.dossier, name="readiness_dossier"),
    path("delegates/", delegates.delegates, name="delegates"),
    path("files/<uuid:bundle>/", files.bundle_page, name="prepared_files"),
    path("files/<uuid:bundle>/<uuid:file_id>/", files.download, name="prepared_file_download"),
    path("audit/", audit.audit_log, name="audit"),
    path("officers/", officers.officer_list, name="officers"),
    path("officers/<int:user_id>/grant/", officers.officer_grant, name="officer_grant"),
    path("officers/roles/<int:role_id>/revoke/", officers.officer_revoke, name="officer_revoke"),
    path("officers/<int:user_id>/password/", officers.officer_password, name="officer_password"),
    path("officers/<int:user_id>/active/", officers.officer_active, name="officer_active"),
    # Elections and motions: officers' pages (views/elections.py)
    path("elections/", elections.election_list, name="elections"),
    path("elections/new/", elections.election_add, name="election_add"),
    path("elections/<int:election_id>/", elections.election_detail, name="election_detail"),
    path(
        "elections/<int:election_id>/candidates/",
        elections.election_candidates,
        name="election_candidates",
    ),
    path("elections/<int:election_id>/open/", elections.election_open, name="election_open"),
    path("elections/<int:election_id>/close/", elections.election_close, name="election_close"),
    path(
        "elections/<int:election_id>/publish/",
        elections.election_publish,
        name="election_publish",
    ),
    path("elections/<int:election_id>/paper/", elections.election_paper, name="election_paper"),
    path(
        "elections/<int:election_id>/reissue/",
        elections.election_reissue,
        name="election_reissue",
    ),
    # Results and the published ballot box (views/results.py): public once published
    path("results/", results.published_list, name="results"),
    path("elections/<int:election_id>/result/", results.election_result, name="election_result"),
    path("elections/<int:election_id>/box/", results.election_box, name="election_box"),
    path("elections/<int:election_id>/box.blt", results.election_box_blt, name="election_box_blt"),
    path(
        "elections/<int:election_id>/box.json", results.election_box_json, name="election_box_json"
    ),
    # Consultations and the programme (urls_agenda.py); seat scenarios (urls_parliament.py)
    path("", include("kenes.web.urls_agenda")),
    path("", include("kenes.web.urls_parliament")),
]
