"""The scenario pages: create from the table or a CSV, see the result, share, edit, delete;
who may open what (role × page), and the historical replay page."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kenes.parliament import scenarios
from kenes.parliament.models import Scenario, Status

pytestmark = pytest.mark.django_db

ROLES = ("admin", "regional", "group", "auditor", "nobody")


def form_data(**changes):  # type: ignore[no-untyped-def]
    data = {
        "title": "Alone or together",
        "rules_id": "kz-majilis-2023",
        "our_party": "Ours",
        "draws": "2000",
        "seed": "3",
        "party_0": "Amanat",
        "share_0": "52",
        "sample_size_0": "1200",
        "party_1": "Auyl",
        "share_1": "11",
        "party_2": "Ours",
        "share_2": "4",
        "party_3": "Partner",
        "share_3": "3,5",
        "alliance_0": "Ours+Partner",
        "retention_0": "85",
    }
    return data | changes


def make(user, *, shared=False, **changes):  # type: ignore[no-untyped-def]
    base = {
        "title": f"{user.username}'s",
        "rules_id": "kz-majilis-2023",
        "draws": 1000,
        "seed": 1,
        "polls": [
            {"party": "A", "share": 60.0, "sample_size": 1000},
            {"party": "B", "share": 30.0, "sample_size": 1000},
        ],
        "alliances": [],
        "our_party": "B",
    }
    scenario = scenarios.do_create_scenario(acting_user=user, **(base | changes))
    scenarios.do_set_shared(scenario, shared, acting_user=user)
    return scenario


def test_an_officer_builds_a_scenario_from_the_table_and_sees_the_result(client_for):
    client = client_for("group")
    response = client.post(reverse("scenario_add"), form_data())
    scenario = Scenario.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("scenario_detail", args=[scenario.pk])
    assert scenario.status == Status.DONE
    assert [r["sample_size"] for r in scenario.polls] == [1200] * 4
    assert scenario.polls[3]["share"] == 3.5
    assert scenario.alliances == [{"parties": ["Ours", "Partner"], "retention": 0.85}]
    html = client.get(response.url).content.decode()
    assert 'id="share-needed"' in html
    assert 'data-alliance="Ours+Partner"' in html
    assert html.count("<circle") >= 69  # the hemicycle's seats and the mean dots
    assert 'id="hemicycle-modal"' in html


def test_a_csv_upload_replaces_the_table(client_for):
    upload = SimpleUploadedFile(
        "polls.csv", b"party,share,sample_size\nAmanat,50,1000\nOurs,6,1000\n", "text/csv"
    )
    data = form_data(alliance_0="", retention_0="") | {"polls_file": upload}
    client_for("admin").post(reverse("scenario_add"), data)
    assert [r["party"] for r in Scenario.objects.get().polls] == ["Amanat", "Ours"]


def test_an_upload_error_names_the_line_and_creates_nothing(client_for):
    upload = SimpleUploadedFile("polls.csv", b"party,share\nAmanat,50\nOurs,six\n", "text/csv")
    response = client_for("admin").post(
        reverse("scenario_add"), form_data() | {"polls_file": upload}
    )
    assert response.status_code == 200
    assert "Строка 3" in str(response.context["form"].errors["polls_file"])  # ru by default
    assert not Scenario.objects.exists()


def test_an_alliance_with_an_unknown_party_is_refused_on_the_form(client_for):
    response = client_for("admin").post(reverse("scenario_add"), form_data(alliance_0="Ours+Ghost"))
    assert response.status_code == 200 and "Ghost" in response.content.decode()
    assert not Scenario.objects.exists()


def test_a_large_scenario_runs_as_a_task_from_the_page(client_for):
    client = client_for("admin")
    client.post(reverse("scenario_add"), form_data(draws="60000"))
    scenario = Scenario.objects.get()
    assert scenarios.runs_in_background(scenario)
    assert scenario.status == Status.DONE  # the immediate task backend ran it
    assert scenario.result["projection"]["draws"] == 60000


def test_a_scenario_still_computing_polls_and_refreshes_without_javascript(client_for, officers):
    scenario = make(officers["admin"])  # created, not yet run: pending
    html = client_for("admin").get(reverse("scenario_detail", args=[scenario.pk])).content.decode()
    status_url = reverse("scenario_status", args=[scenario.pk])
    assert f'hx-get="{status_url}"' in html
    assert '<noscript><meta http-equiv="refresh"' in html
    assert f'href="{reverse("scenario_detail", args=[scenario.pk])}"' in html
    scenarios.do_run(scenario, acting_user=officers["admin"])
    fragment = client_for("admin").get(status_url).content.decode()
    assert "hx-get" not in fragment and "hemicycle-modal" in fragment


def test_the_owner_shares_and_unshares(client_for, officers):
    scenario = make(officers["group"])
    client = client_for("group")
    url = reverse("scenario_share", args=[scenario.pk])
    client.post(url, {"shared": "1"})
    assert Scenario.objects.get().shared
    assert client_for("auditor").get(reverse("scenario_list")).context["others"].count() == 1
    client.post(url, {"shared": "0"})
    assert not Scenario.objects.get().shared
    assert client_for("auditor").get(reverse("scenario_list")).context["others"].count() == 0


def test_the_owner_edits_and_the_old_result_is_replaced(client_for, officers):
    client = client_for("group")
    client.post(reverse("scenario_add"), form_data())
    scenario = Scenario.objects.get()
    old = scenario.result["projection"]
    edit = client.get(reverse("scenario_edit", args=[scenario.pk]))
    assert edit.context["form"]["share_3"].value() == "3.5"
    client.post(reverse("scenario_edit", args=[scenario.pk]), form_data(share_2="7"))
    scenario.refresh_from_db()
    assert scenario.polls[2]["share"] == 7.0 and scenario.status == Status.DONE
    assert scenario.result["projection"] != old


def test_other_officers_may_not_change_a_shared_scenario(client_for, officers):
    scenario = make(officers["group"], shared=True)
    client = client_for("regional")
    assert client.get(reverse("scenario_detail", args=[scenario.pk])).status_code == 200
    for name in ("scenario_edit", "scenario_share", "scenario_delete", "scenario_run"):
        response = client.post(reverse(name, args=[scenario.pk]), form_data(title="Hijacked"))
        assert response.status_code == 403, name
    scenario.refresh_from_db()
    assert scenario.title == "group's" and scenario.shared


def test_deleting_needs_the_confirmation_box(client_for, officers):
    scenario = make(officers["group"])
    client = client_for("group")
    url = reverse("scenario_delete", args=[scenario.pk])
    client.post(url)
    assert Scenario.objects.exists()
    response = client.post(url, {"confirm": "yes"})
    assert response.url == reverse("scenario_list") and not Scenario.objects.exists()


# page, whose scenario (shared?), expected for admin regional group auditor nobody
MATRIX = [
    ("scenario_list", None, (200, 200, 200, 200, 403)),
    ("scenario_add", None, (200, 200, 200, 403, 403)),
    ("historical", None, (200, 200, 200, 200, 403)),
    ("scenario_detail", "shared", (200, 200, 200, 200, 403)),
    ("scenario_detail", "private", (200, 404, 200, 404, 403)),
    ("scenario_status", "shared", (200, 200, 200, 200, 403)),
    ("scenario_edit", "shared", (200, 403, 200, 403, 403)),
    ("scenario_edit", "private", (200, 404, 200, 404, 403)),
]


@pytest.mark.parametrize("page,kind,expected", MATRIX, ids=[f"{p}-{k}" for p, k, _ in MATRIX])
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_role_page_matrix(client_for, officers, page, kind, expected, role_index):
    args = []
    if kind:
        args = [make(officers["group"], shared=kind == "shared").pk]
    response = client_for(ROLES[role_index]).get(reverse(page, args=args))
    assert response.status_code == expected[role_index], (ROLES[role_index], page, kind)


def test_pages_have_no_inline_styles_or_scripts(client_for, officers):
    client = client_for("admin")
    client.post(reverse("scenario_add"), form_data())
    scenario = Scenario.objects.get()
    for url in (
        reverse("scenario_list"),
        reverse("scenario_add"),
        reverse("scenario_detail", args=[scenario.pk]),
        reverse("historical") + "?election=kz-majilis-2021&rules=kz-majilis-2023",
    ):
        html = client.get(url).content.decode()
        assert "style=" not in html, url
        assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None, url


def test_the_historical_page_shows_official_and_replayed_seats_side_by_side(client_for):
    response = client_for("auditor").get(
        reverse("historical"), {"election": "kz-majilis-2021", "rules": "kz-majilis-2023"}
    )
    rows = {r["party"]: (r["official"], r["replayed"]) for r in response.context["rows"]}
    assert rows["Nur Otan"] == (76, 51) and rows["Auyl"] == (0, 4)
    html = response.content.decode()
    assert 'id="hemicycle-official"' in html and 'id="hemicycle-replayed"' in html


def test_the_historical_page_defaults_to_the_original_rules(client_for):
    response = client_for("admin").get(reverse("historical"), {"election": "kz-majilis-2016"})
    assert response.context["rules_id"] == "kz-majilis-2012"
    assert all(r["official"] == r["replayed"] for r in response.context["rows"])


def own_results(**changes):  # type: ignore[no-untyped-def]
    data = {
        "results": "party,votes\nLeader,900000\nSecond,60000\nThird,40000\n",
        "held_rules": "kz-majilis-2007",
        "replay_rules": "kz-majilis-2012",
    }
    return data | changes


def test_typed_in_results_are_replayed_side_by_side_with_the_runner_up_admitted(client_for):
    response = client_for("auditor").post(reverse("historical"), own_results())
    assert response.status_code == 200
    rows = {r["party"]: (r["official"], r["replayed"]) for r in response.context["rows"]}
    assert rows["Leader"] == (98, 98 - rows["Second"][1])
    assert rows["Second"][0] == 0 and rows["Second"][1] >= 2
    html = response.content.decode()
    assert 'id="hemicycle-official"' in html and 'id="hemicycle-replayed"' in html
    own = response.context["own"]
    assert own.counted and response.context["official_rules"].id == "kz-majilis-2007"


def test_uploaded_results_replace_the_typed_lines(client_for):
    upload = SimpleUploadedFile("r.csv", b"party,votes,official_seats\nA,700,70\nB,300,28\n")
    response = client_for("admin").post(
        reverse("historical"), own_results(results="X,1\n", results_file=upload)
    )
    rows = {r["party"]: r["official"] for r in response.context["rows"]}
    assert rows == {"A": 70, "B": 28}


def test_bad_typed_in_lines_are_refused_naming_the_line(client_for):
    client = client_for("regional")
    response = client.post(reverse("historical"), own_results(results="A,100\nB,many\n"))
    assert response.status_code == 200 and "own" not in response.context
    errors = response.context["own_form"].errors["results"]
    assert any("2" in e and "many" in e for e in errors)


@pytest.mark.parametrize("role,expected", list(zip(ROLES, (200, 200, 200, 200, 403), strict=True)))
def test_typed_in_results_have_the_permissions_of_the_historical_page(client_for, role, expected):
    response = client_for(role).post(reverse("historical"), own_results())
    assert response.status_code == expected


def test_the_own_results_page_has_no_inline_styles_or_scripts(client_for):
    html = client_for("admin").post(reverse("historical"), own_results()).content.decode()
    assert "style=" not in html
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None
