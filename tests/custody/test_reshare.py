"""Changing who holds the keys: re-sharing, a new master key, a new field key, share sheets.

Real files and real commands: `kenes keyholder`, `kenes unseal` and most changes run as
processes on a temporary var/; some changes run through call_command in this process,
whose settings point at the same var/. The race runs real threads and real processes.
"""

from __future__ import annotations

import base64
import contextlib
import html.parser
import io
import json
import re
import stat
import subprocess
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from kenes.core.custody import CustodyError, combine, share_from_text, split, unwrap
from kenes.core.custody.share_text import share_to_text
from kenes.custody import store
from kenes.custody.errors import CustodyProblem
from tests.core.custody.test_share_text import modules_of_segno_svg
from tests.custody.conftest import Custody

SHAPE = {"shares", "threshold", "trustees"}


def _keys_json(custody: Custody) -> Path:
    return custody.var / "custody" / "keys.json"


def _record(custody: Custody) -> dict:  # type: ignore[type-arg]
    return dict(json.loads(_keys_json(custody).read_text()))


def _change(custody: Custody, *args: str, shares: list[str]) -> subprocess.CompletedProcess[str]:
    return custody.kenes("custody", *args, stdin="".join(s + "\n" for s in shares))


def _refused(capsys_err: str, *needles: str) -> None:
    assert capsys_err.strip().endswith("Nothing changed."), capsys_err
    for needle in needles:
        assert needle in capsys_err, (needle, capsys_err)


def _call(*args: str, shares: list[str]) -> tuple[int, str, str]:
    """`kenes custody ...` in this process (call_command), shares on its stdin."""
    out, err = io.StringIO(), io.StringIO()
    stdin = io.StringIO("".join(s + "\n" for s in shares))
    try:
        call_command("custody", *args, stdin=stdin, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def _leftovers(custody: Custody) -> list[str]:
    """Files in the custody folder besides keys.json and its lock (a temp file left behind)."""
    return sorted(
        p.name
        for p in (custody.var / "custody").iterdir()
        if p.name not in {store.FILE_NAME, store.LOCK_NAME}
    )


# --- reshare -----------------------------------------------------------------------------


def test_reshare_gives_new_shares_of_the_same_master_and_refuses_the_old_set_by_name(custody):
    custody.start_holder()
    old = custody.init(trustees=5, threshold=3)
    assert custody.unseal(old[:3]).returncode == 0
    before = _record(custody)

    done = _change(
        custody, "reshare", "--trustees", "4", "--threshold", "2", "--json", shares=old[1:4]
    )

    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert set(payload) == SHAPE
    assert (payload["trustees"], payload["threshold"], len(payload["shares"])) == (4, 2, 4)
    new = payload["shares"]
    new_set = share_from_text(new[0]).set_id
    after = _record(custody)
    # nothing re-encrypted: the wrapped keys and the master's check are the same bytes
    assert after["keys"] == before["keys"]
    assert after["master_check"] == before["master_check"]
    assert (after["set_id"], after["threshold"], after["trustees"]) == (new_set, 2, 4)
    assert after["set_id"] != before["set_id"]
    assert after["retired_sets"][0] == before["set_id"]
    assert stat.S_IMODE(_keys_json(custody).stat().st_mode) == 0o600
    assert _leftovers(custody) == []
    # the holder did not need to know: still unsealed
    assert custody.status() == {
        "set_up": True,
        "sealed": False,
        "threshold": 2,
        "trustees": 4,
        "set_id": new_set,
    }

    assert custody.kenes("seal").returncode == 0
    refused = custody.unseal(old[:3])
    assert refused.returncode == 1
    assert "another set" in refused.stderr
    assert custody.sealed()
    assert custody.unseal([new[3], new[0]]).returncode == 0
    assert not custody.sealed()

    # old paper brought back to the command is refused by its set id, and changes nothing
    again = _change(custody, "reshare", "--trustees", "5", "--threshold", "3", shares=old[:3])
    assert again.returncode == 1
    _refused(again.stderr, f"belongs to set {before['set_id']}, which was replaced")
    assert _record(custody) == after


def test_reshare_while_sealed_without_a_holder_keeps_it_sealed(custody):
    old = custody.init(trustees=3, threshold=2)  # no holder at all: the change needs none
    done = _change(
        custody, "reshare", "--trustees", "3", "--threshold", "2", "--json", shares=old[:2]
    )
    assert done.returncode == 0, done.stderr
    assert custody.status()["sealed"] is True
    custody.start_holder()
    assert custody.status()["sealed"] is True
    assert custody.unseal(json.loads(done.stdout)["shares"][1:]).returncode == 0


@pytest.mark.parametrize(
    ("case", "needle"),
    [
        ("too_few", "3 of the 5 trustees' shares are needed, one per line on stdin; 2 given."),
        ("mistyped", "Share 2 cannot be read"),
        ("twice", "given twice"),
        ("other_server", "not to this server's set"),
        ("none", "0 given"),
        ("bad_counts", "The threshold must be at least 2"),
        ("forged_same_set", "do not rebuild this server's master key"),
    ],
)
def test_bad_shares_exit_1_with_one_sentence_and_change_nothing(custody, case, needle):
    old = custody.init(trustees=5, threshold=3)
    set_id = share_from_text(old[0]).set_id
    words = old[1].split()
    words[6] = "zoo" if words[6] != "zoo" else "abandon"
    forged = [share_to_text(s) for s in split(b"\x07" * 32, shares=5, threshold=3, set_id=set_id)]
    given = {
        "too_few": old[:2],
        "mistyped": [old[0], " ".join(words), old[2]],
        "twice": [old[0], old[0], old[2]],
        "other_server": [share_to_text(s) for s in split(b"\x01" * 32, shares=5, threshold=3)][:3],
        "none": [],
        "bad_counts": old[:3],
        "forged_same_set": forged[:3],
    }[case]
    counts = ("--trustees", "5", "--threshold", "1" if case == "bad_counts" else "3")
    before = _keys_json(custody).read_bytes()

    for action in (("reshare", *counts), ("rotate-master", *counts), ("add-key",)):
        if case == "bad_counts" and action[0] == "add-key":
            continue
        code, out, err = _call(*action, "--json", shares=given)
        assert code == 1, (action, out, err)
        assert out == ""
        _refused(err, needle)
        assert len(err.strip().splitlines()) == 1
        assert _keys_json(custody).read_bytes() == before
        assert _leftovers(custody) == []
    assert share_from_text(old[0]).set_id == _record(custody)["set_id"]


def test_a_sheet_folder_inside_var_is_refused_before_anything_changes(custody):
    old = custody.init(trustees=3, threshold=2)
    before = _keys_json(custody).read_bytes()
    for action in (("reshare", "--trustees", "3", "--threshold", "2"), ("rotate-master",)):
        done = _change(custody, *action, "--sheets", str(custody.var / "paper"), shares=old[:2])
        assert done.returncode == 1
        _refused(done.stderr, "is copied with the server")
        assert _keys_json(custody).read_bytes() == before
        assert not (custody.var / "paper").exists()


def test_a_failure_while_writing_sheets_leaves_the_old_custody_in_force(custody, tmp_path):
    old = custody.init(trustees=3, threshold=2)
    before = _keys_json(custody).read_bytes()

    def fail(texts, record):  # type: ignore[no-untyped-def]
        raise CustodyProblem("The printer folder vanished. Nothing changed.")

    with pytest.raises(CustodyProblem):
        store.reshare(old[:2], trustees=3, threshold=2, before_commit=fail)
    with pytest.raises(CustodyProblem):
        store.rotate_master(old[:2], before_commit=fail)
    assert _keys_json(custody).read_bytes() == before
    assert _leftovers(custody) == []
    # a file where the folder should be: refused, nothing written, nothing changed
    blocker = tmp_path / "sheets"
    blocker.write_text("not a folder")
    code, out, err = _call(
        "reshare", "--trustees", "3", "--threshold", "2", "--sheets", str(blocker), shares=old[:2]
    )
    assert code == 1 and out == ""
    _refused(err, "is not a folder")
    assert _keys_json(custody).read_bytes() == before


# --- the race ----------------------------------------------------------------------------


def test_two_reshares_at_once_one_wins_and_keys_json_stays_whole(custody):
    """Two operators re-share from the same old shares at the same moment, as processes."""
    old = custody.init(trustees=5, threshold=3)
    results: list[subprocess.CompletedProcess[str]] = []
    start = threading.Barrier(2)

    def run(shares: list[str]) -> None:
        start.wait()
        results.append(
            _change(
                custody, "reshare", "--trustees", "5", "--threshold", "3", "--json", shares=shares
            )
        )

    threads = [threading.Thread(target=run, args=(s,)) for s in (old[:3], old[2:])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    won = [r for r in results if r.returncode == 0]
    lost = [r for r in results if r.returncode != 0]
    assert len(won) == 1 and len(lost) == 1, [(r.returncode, r.stderr) for r in results]
    record = _record(custody)  # valid JSON
    winners = json.loads(won[0].stdout)["shares"]
    assert record["set_id"] == share_from_text(winners[0]).set_id
    _refused(lost[0].stderr, "which was replaced")
    assert _leftovers(custody) == []


def test_reshares_overlapping_inside_the_change_still_give_one_winner(custody):
    """Without the lock, both would read the old file, both pass, and the first one's
    trustees would hold paper that opens nothing. Each change waits (a bounded wait) for
    the other to reach the same point before it writes; with the lock it never does."""
    old = custody.init(trustees=5, threshold=3)
    meet = threading.Barrier(2, timeout=3)
    outcomes: dict[str, object] = {}

    def stall(texts, record):  # type: ignore[no-untyped-def]
        # the other change waits for the lock: this one goes on alone
        with contextlib.suppress(threading.BrokenBarrierError):
            meet.wait()

    def run(name: str, shares: list[str]) -> None:
        try:
            outcomes[name] = store.reshare(shares, trustees=4, threshold=2, before_commit=stall)[1]
        except CustodyProblem as exc:
            outcomes[name] = exc

    threads = [
        threading.Thread(target=run, args=(n, s)) for n, s in (("a", old[:3]), ("b", old[1:4]))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    won = [v for v in outcomes.values() if isinstance(v, list)]
    assert len(won) == 1, outcomes
    assert _record(custody)["set_id"] == share_from_text(won[0][0]).set_id


def test_a_reader_never_sees_half_a_keys_json_during_changes(custody):
    shares = custody.init(trustees=3, threshold=2)
    stop = threading.Event()
    bad: list[str] = []
    reads = 0

    def read() -> None:
        nonlocal reads
        while not stop.is_set():
            try:
                store.read_record()
                reads += 1
            except CustodyProblem as exc:
                bad.append(str(exc))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for n in range(30):
            if n % 3 == 2:
                shares = store.rotate_master(shares[:2])[1]
            else:
                shares = store.reshare(shares[1:], trustees=3, threshold=2)[1]
    finally:
        stop.set()
        reader.join()
    assert bad == []
    assert reads > 0
    assert len(_record(custody)["retired_sets"]) == store.RETIRED_KEPT


# --- rotate-master -----------------------------------------------------------------------


def test_rotate_master_rewraps_the_same_field_keys_and_old_shares_open_no_new_copy(
    custody, settings
):
    custody.start_holder()
    old = custody.init(trustees=5, threshold=3)
    assert custody.unseal(old[:3]).returncode == 0
    old_file = _record(custody)  # a copy of var/ taken before the rotation

    done = _change(custody, "rotate-master", "--json", shares=[old[4], old[1], old[3]])

    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert set(payload) == SHAPE and (payload["trustees"], payload["threshold"]) == (5, 3)
    new = payload["shares"]
    new_file = _record(custody)
    assert [k["key_id"] for k in new_file["keys"]] == [k["key_id"] for k in old_file["keys"]]
    assert all(
        a["wrapped"] != b["wrapped"]
        for a, b in zip(new_file["keys"], old_file["keys"], strict=True)
    )
    assert new_file["master_check"] != old_file["master_check"]
    assert new_file["retired_sets"][0] == old_file["set_id"]
    assert _leftovers(custody) == []
    assert custody.status()["sealed"] is False  # the holder keeps serving the same keys

    old_master = combine([share_from_text(s) for s in old[:3]])
    new_master = combine([share_from_text(s) for s in new[2:]])
    field_key = base64.urlsafe_b64decode(settings.KENES_FIELD_KEYS[0])
    key_id = store.key_id(field_key)
    purpose = store.wrap_purpose(key_id)

    def blob(record):  # type: ignore[no-untyped-def]
        (entry,) = [k for k in record["keys"] if k["key_id"] == key_id]
        return base64.b64decode(entry["wrapped"])

    # the new master opens the new file, to the same field key: nothing re-encrypted
    assert unwrap(new_master, blob(new_file), purpose=purpose) == field_key
    # old shares do not open the new file ...
    with pytest.raises(CustodyError):
        unwrap(old_master, blob(new_file), purpose=purpose)
    # ... but still open a copy of the old one: why old copies of keys.json must go too
    assert unwrap(old_master, blob(old_file), purpose=purpose) == field_key

    assert custody.kenes("seal").returncode == 0
    assert custody.unseal(old[:3]).returncode == 1
    assert custody.unseal(new[:3]).returncode == 0


def test_rotate_master_can_change_k_and_n(custody):
    old = custody.init(trustees=3, threshold=2)
    done = _change(
        custody, "rotate-master", "--trustees", "7", "--threshold", "4", "--json", shares=old[:2]
    )
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["shares"]) == 7
    assert (_record(custody)["threshold"], _record(custody)["trustees"]) == (4, 7)


# --- add-key -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_add_key_then_rotate_keys_reseals_every_member_under_the_new_key(
    custody, registry, client_for
):
    from kenes.registry.keyrotation import do_rotate_keys
    from kenes.registry.models import Member
    from kenes.security.keys import current_key
    from kenes.security.sealing import sealed_key_id

    address = Member.objects.get(pk=registry["worker"].pk).address
    custody.start_holder()
    shares = custody.init(trustees=5, threshold=3)
    assert custody.unseal(shares[:3]).returncode == 0
    old_id = _record(custody)["keys"][0]["key_id"]

    done = _change(custody, "add-key", "--json", shares=shares[2:])

    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    new_id = payload["key_id"]
    assert payload == {"key_id": new_id, "keys": [new_id, old_id], "holder": "serves"}
    assert new_id != old_id
    assert [k["key_id"] for k in _record(custody)["keys"]] == [new_id, old_id]
    assert _record(custody)["set_id"] == share_from_text(shares[0]).set_id  # same paper
    assert custody.status()["sealed"] is False

    admin = client_for("admin")
    page = admin.get(reverse("member_detail", args=[registry["worker"].pk]))  # a new request
    assert page.status_code == 200 and address in page.content.decode()
    assert current_key().key_id == new_id
    # values sealed under the old key still open before the rotation
    assert Member.objects.get(pk=registry["worker"].pk).address == address
    result = do_rotate_keys(acting_user="test")
    assert result["key"] == new_id
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT iin FROM {Member._meta.db_table}")  # noqa: S608
        stored = [row[0] for row in cursor.fetchall()]
    assert stored and {sealed_key_id(value) for value in stored} == {new_id}
    assert Member.objects.get(pk=registry["worker"].pk).address == address

    # after a seal, k trustees open both keys again with the same shares
    assert custody.kenes("seal").returncode == 0
    assert custody.unseal(shares[1:4]).returncode == 0
    page = admin.get(reverse("member_detail", args=[registry["worker"].pk]))
    assert page.status_code == 200 and address in page.content.decode()
    assert current_key().key_id == new_id
    assert Member.objects.get(pk=registry["worker"].pk).address == address


def test_add_key_while_sealed_leaves_the_holder_sealed(custody):
    custody.start_holder()
    shares = custody.init(trustees=3, threshold=2)
    done = _change(custody, "add-key", "--json", shares=shares[:2])
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["holder"] == "sealed"
    assert custody.sealed()
    assert custody.unseal(shares[1:]).returncode == 0


# --- share sheets ------------------------------------------------------------------------


class _Sheet(html.parser.HTMLParser):
    """The words (span.word) and the inline SVG of a share sheet."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.numbered: list[str] = []
        self._in_word = self._in_list = False
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.extend(attrs)
        classes = dict(attrs).get("class") or ""
        self._in_word = tag == "span" and "word" in classes.split()
        if tag == "ol" and "words" in classes.split():
            self._in_list = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "ol":
            self._in_list = False
        self._in_word = False

    def handle_data(self, data: str) -> None:
        if self._in_word:
            self.words.append(data.strip())
        if self._in_list:
            self.numbered.append(data)


def _decode_qr(svg: str) -> str:
    import zxingcpp  # test extra: an independent QR reader
    from PIL import Image as image_module

    dark = modules_of_segno_svg(svg)
    size = max(max(x for x, _ in dark), max(y for _, y in dark)) + 1 + 4
    image = image_module.new("L", (size, size), 255)
    for x, y in dark:
        image.putpixel((x, y), 0)
    image = image.resize((size * 6, size * 6), image_module.NEAREST)
    # only QR codes: a stretch of modules can also pass for a short ITF bar code (1 in ~1,200)
    (barcode,) = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return str(barcode.text)


@pytest.mark.parametrize("action", ["init", "reshare", "rotate-master"])
def test_each_trustee_gets_a_printable_sheet_that_reads_back_to_their_share(
    custody, tmp_path, action
):
    folder = tmp_path / "paper"
    if action == "init":
        done = custody.kenes(
            "custody",
            "init",
            "--trustees",
            "4",
            "--threshold",
            "3",
            "--json",
            "--sheets",
            str(folder),
        )
    else:
        old = custody.init(trustees=3, threshold=2)
        done = _change(
            custody,
            action,
            "--trustees",
            "4",
            "--threshold",
            "3",
            "--json",
            "--sheets",
            str(folder),
            shares=old[:2],
        )
    assert done.returncode == 0, done.stderr
    shares = json.loads(done.stdout)["shares"]
    set_id = share_from_text(shares[0]).set_id
    files = sorted(folder.iterdir())
    assert [f.name for f in files] == [
        f"kenes-share-{set_id}-{i:03d}-of-004.html" for i in range(1, 5)
    ]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for index, (path, text) in enumerate(zip(files, shares, strict=True), 1):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        page = path.read_text(encoding="utf-8")
        sheet = _Sheet()
        sheet.feed(page)
        share = share_from_text(text)
        assert len(sheet.words) == 31
        assert share_from_text(" ".join(sheet.words)) == share
        assert share_from_text(" ".join(sheet.numbered)) == share  # as typed from paper
        (svg,) = re.findall(r"<svg\b.*?</svg>", page, flags=re.DOTALL)
        assert share_from_text(_decode_qr(svg)) == share
        assert set_id in page
        assert f"Share {index} of 4, any 3 open the server." in page
        assert f"Доля {index} из 4: любые 3 открывают сервер." in page
        assert f"Үлес {index} / 4" in page
        assert "никогда не фотографируйте" in page.lower()
        assert "kenes unseal" in page
        # nothing loaded from anywhere, nothing run
        assert not re.search(r"https?:", page, flags=re.IGNORECASE)
        assert "script" not in sheet.tags and "link" not in sheet.tags and "img" not in sheet.tags
        assert not [a for a, _ in sheet.attributes if a in {"src", "href"} or a.startswith("on")]
        assert "url(" not in page and "@import" not in page and "@font-face" not in page
        assert "size: A4" in page


def test_status_gives_the_set_id_and_keeps_its_documented_keys(custody):
    assert custody.status() == {
        "set_up": False,
        "sealed": False,
        "threshold": None,
        "trustees": None,
        "set_id": None,
    }
    shares = custody.init(trustees=3, threshold=2)
    status = custody.status()
    assert status["set_id"] == share_from_text(shares[0]).set_id
    assert {"sealed", "threshold", "trustees"} <= set(status)
    text = custody.kenes("custody", "status")
    assert status["set_id"] in text.stdout


@pytest.mark.django_db
def test_each_change_is_in_the_audit_log_without_a_share_or_a_key(custody):
    from kenes.audit.models import AuditEntry

    old = custody.init(trustees=3, threshold=2)
    old_set = share_from_text(old[0]).set_id
    code, out, err = _call(
        "reshare", "--trustees", "4", "--threshold", "3", "--json", shares=old[:2]
    )
    assert code == 0, err
    new = json.loads(out)["shares"]
    code, out, err = _call("rotate-master", "--json", shares=new[:3])
    assert code == 0, err
    newest = json.loads(out)["shares"]
    code, out, err = _call("add-key", "--json", shares=newest[1:])
    assert code == 0, err
    key_id = json.loads(out)["key_id"]

    rows = {e.action: e.detail for e in AuditEntry.objects.filter(action__startswith="custody.")}
    new_set, newest_set = (share_from_text(s[0]).set_id for s in (new, newest))
    assert rows["custody.reshare"] == {
        "origin": "command",
        "old_set": old_set,
        "set_id": new_set,
        "threshold": 3,
        "trustees": 4,
        "sheets": 0,
    }
    assert rows["custody.rotate_master"]["old_set"] == new_set
    assert rows["custody.rotate_master"]["set_id"] == newest_set
    assert rows["custody.add_key"] == {
        "origin": "command",
        "key_id": key_id,
        "keys": 2,
        "holder": "sealed",
    }
    logged = json.dumps(list(rows.values()))
    for text in [*old, *new, *newest]:
        assert text.split()[0] not in logged.split('"')
