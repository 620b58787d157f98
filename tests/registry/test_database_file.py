"""A database file alone reveals no name, IIN, phone or address: not in the member table,
not in uploads waiting for confirmation, not in the audit log, not in the WAL."""

from __future__ import annotations

import re

from kenes.core.roster import check_file
from tests.conftest import person, write_csv
from tests.registry.test_commands import kenes

UPLOAD_AND_VIEW = """
from django.contrib.auth import get_user_model
from kenes.registry.batches import do_upload, run_check
from kenes.registry.models import ConstituentGroup, Member
from kenes.registry.services import do_grant_role, get_member_for_viewing, do_update_member
user = get_user_model().objects.create_user("officer", password="a-long-password-1")
do_grant_role(user, "admin", acting_user="test")
batch = do_upload(open({path!r}, "rb").read(), filename="pending.csv",
                  group=ConstituentGroup.objects.get(slug="workers"), strict=False,
                  acting_user=user)
run_check(str(batch.pk))
member = get_member_for_viewing(Member.objects.first().pk, acting_user=user)
do_update_member(member, {{"phone": "+77019998877", "address": "г. Тараз, ул. Новая, 1"}},
                 acting_user=user)
"""


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def test_the_sqlite_file_holds_no_personal_data_in_the_clear(tmp_path):
    var = tmp_path / "var"
    env = {"KENES_ENV": "development", "KENES_VAR_DIR": str(var)}
    imported = write_csv(tmp_path / "imported.csv", [person(n) for n in range(1, 30)])
    pending = write_csv(tmp_path / "pending.csv", [person(n) for n in range(100, 110)])
    for args in (
        ["migrate"],
        ["groups", "add", "workers", "--name", "Рабочие"],
        ["members", "import", str(imported), "--group", "workers"],
        ["shell", "-c", UPLOAD_AND_VIEW.format(path=str(pending))],
        ["rotate-keys"],
    ):
        done = kenes(*args, env=env)
        assert done.returncode == 0, done.stderr
    assert check_file(imported).invalid == 0
    raw = b"".join(p.read_bytes() for p in var.glob("kenes.sqlite3*"))
    text = raw.decode("utf-8", errors="ignore")
    flat = _digits(text)
    secrets = [person(n) for n in range(1, 30)] + [person(n) for n in range(100, 110)]
    for name, _born, iin, phone, _region, address in secrets:
        assert name not in text and name.split()[1] not in text
        assert iin not in flat
        assert _digits(phone)[1:] not in flat  # 10 digits without the country code
        assert address not in text
    assert "77019998877" not in flat and "ул. Новая" not in text
    assert "Рабочие" in text  # the file was really read: a group's name is not personal
