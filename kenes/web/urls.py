from django.urls import path

from kenes.web.views import (
    accounts,
    audit,
    dashboard,
    delegates,
    groups,
    imports,
    members,
    readiness,
)

urlpatterns = [
    path("login/", accounts.LoginView.as_view(), name="login"),
    path("logout/", accounts.LogoutView.as_view(), name="logout"),
    path("account/two-step/", accounts.two_step, name="two_step"),
    path("", dashboard.dashboard, name="dashboard"),
    path("groups/", groups.group_list, name="groups"),
    path("groups/new/", groups.group_add, name="group_add"),
    path("groups/<slug:slug>/", groups.group_detail, name="group_detail"),
    path("members/", members.member_list, name="members"),
    path("members/new/", members.member_add, name="member_add"),
    path("members/<int:member_id>/", members.member_detail, name="member_detail"),
    path("import/", imports.import_start, name="import"),
    path("import/<uuid:batch_id>/", imports.import_batch, name="import_batch"),
    path("import/<uuid:batch_id>/status/", imports.import_batch_status, name="import_batch_status"),
    path("import/<uuid:batch_id>/confirm/", imports.import_confirm, name="import_confirm"),
    path("import/<uuid:batch_id>/discard/", imports.import_discard, name="import_discard"),
    path("readiness/", readiness.readiness, name="readiness"),
    path("readiness/dossier.xlsx", readiness.dossier, name="readiness_dossier"),
    path("delegates/", delegates.delegates, name="delegates"),
    path("audit/", audit.audit_log, name="audit"),
]
