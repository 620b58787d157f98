"""The report's downloads: the statement table (CSV) and Pol.is-compatible files (ZIP)."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pytest

from kenes.agenda import exports
from kenes.agenda.analysis import do_recompute, vote_matrix
from kenes.agenda.models import (
    Consultation,
    OpinionVote,
    Participant,
    Statement,
    StatementStatus,
)
from kenes.core.consensus import Statement as CoreStatement
from kenes.core.consensus import VoteMatrix, analyse, read_polis_export, read_published_groups
from kenes.core.consensus.synthetic import planted_conversation

DAY = datetime.date(2026, 11, 1)


def new_consultation(**fields: object) -> Consultation:
    values: dict[str, object] = {
        "title": "Что важнее всего?",
        "question": "Что должно войти в программу?",
        "cutoff_on": DAY,
        "seed": 7,
        "phase": "vote",
    }
    values.update(fields)
    return Consultation.objects.create(**values)


def load_votes(
    consultation: Consultation,
    matrix: VoteMatrix,
    *,
    groups_of: Mapping[int, Sequence[str]] | None = None,
    region_of: Mapping[int, str] | None = None,
) -> tuple[list[Participant], list[Statement]]:
    """Store a vote matrix through the agenda models: row i → participants[i], column j →
    statements[j] (approved); returns both in matrix order."""
    statements = [
        Statement.objects.create(consultation=consultation, text=s.text, created_on=DAY)
        for s in matrix.statements
    ]
    participants = [
        Participant.objects.create(
            consultation=consultation,
            key=f"key-{consultation.pk}-{i}",
            groups=list((groups_of or {}).get(i, [])),
            region_code=(region_of or {}).get(i, ""),
        )
        for i in range(len(matrix.participants))
    ]
    OpinionVote.objects.bulk_create(
        OpinionVote(statement=statements[c], participant=participants[r], value=v)
        for r, c, v in zip(
            matrix.rows.tolist(), matrix.cols.tolist(), matrix.votes.tolist(), strict=True
        )
    )
    return participants, statements


def planted(consultation: Consultation, participants: int = 60, statements: int = 12):  # type: ignore[no-untyped-def]
    conversation = planted_conversation(
        participants, statements, participants * 10, 2, seed=3, common_ground=0.25
    )
    stored = load_votes(consultation, conversation.matrix)
    do_recompute(consultation.pk)
    consultation.refresh_from_db()
    return conversation, stored


def unzip(content: bytes, into: Path) -> Path:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        archive.extractall(into)
    folders = {name.split("/")[0] for name in names}
    assert len(folders) == 1, "all files sit in one folder"
    return into / folders.pop()


def same_matrix(a: VoteMatrix, b: VoteMatrix) -> None:
    assert a.participants == b.participants
    assert [(s.id, s.text, s.moderated) for s in a.statements] == [
        (s.id, s.text, s.moderated) for s in b.statements
    ]
    np.testing.assert_array_equal(a.to_dense(), b.to_dense())


@pytest.mark.django_db
def test_polis_zip_read_back_gives_the_same_matrix_and_the_same_opinion_groups(tmp_path):
    consultation = new_consultation()
    planted(consultation)
    folder = unzip(exports.polis_zip(consultation), tmp_path)

    read = read_polis_export(folder)

    original = vote_matrix(consultation)
    same_matrix(read, original)
    groups_read = [g.participants.tolist() for g in analyse(read, seed=7).groups]
    stored = consultation.analysis["groups"]
    assert [[read.participants[i] for i in g] for g in groups_read] == [
        g["participants"] for g in stored
    ]


@pytest.mark.django_db
def test_participants_votes_csv_alone_reads_back_the_same_votes_and_groups(tmp_path):
    consultation = new_consultation()
    planted(consultation)
    folder = unzip(exports.polis_zip(consultation), tmp_path)
    (folder / "votes.csv").unlink()  # read_polis_export then reads participants-votes.csv

    read = read_polis_export(folder)

    same_matrix(read, vote_matrix(consultation))
    published = read_published_groups(folder / "participants-votes.csv")
    assert published == {
        p: str(g["id"]) for g in consultation.analysis["groups"] for p in g["participants"]
    }


@pytest.mark.django_db
def test_polis_files_name_participants_only_by_their_pseudonymous_pk(tmp_path):
    consultation = new_consultation()
    _, (participants, _) = planted(consultation, participants=30)
    folder = unzip(exports.polis_zip(consultation), tmp_path)

    with (folder / "votes.csv").open(encoding="utf-8") as handle:
        voters = {row["voter-id"] for row in csv.DictReader(handle)}

    assert voters == {str(p.pk) for p in participants}
    every_text = "".join(p.read_text(encoding="utf-8") for p in folder.iterdir())
    assert all(p.key not in every_text for p in participants)


@pytest.mark.django_db
def test_only_approved_statements_and_their_votes_are_exported(tmp_path):
    consultation = new_consultation()
    matrix = VoteMatrix.from_votes(
        [("a", "0", 1), ("a", "1", -1), ("b", "0", 1), ("b", "1", 1)],
    )
    _, statements = load_votes(consultation, matrix)
    Statement.objects.filter(pk=statements[1].pk).update(
        status=StatementStatus.HIDDEN, text="Иванов Иван, ул. Абая 1"
    )
    folder = unzip(exports.polis_zip(consultation), tmp_path)

    comments = (folder / "comments.csv").read_text(encoding="utf-8")
    votes = list(csv.DictReader((folder / "votes.csv").open(encoding="utf-8")))
    assert "Абая" not in comments
    assert {row["comment-id"] for row in votes} == {str(statements[0].pk)}
    assert len(votes) == 2
    hidden = read_report(consultation)[1]
    assert (hidden["status"], hidden["text"]) == ("hidden", ""), "hidden for what it says"


def read_report(consultation: Consultation) -> list[dict[str, str]]:
    content = exports.report_csv(consultation)
    assert content.startswith(b"\xef\xbb\xbf"), "a byte-order mark, for spreadsheet programs"
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


WORKERS = [f"w{i}" for i in range(5)]
FARMERS = [f"f{i}" for i in range(5)]


def hand_case(consultation: Consultation) -> list[Statement]:
    """Workers w0-w4, farmers f0-f4, "both" in both groups, traders t0 and t1; regions:
    workers and "both" in Almaty city (KZ-75), the others in Karaganda Region (KZ-35).

    Statement 0 (13 votes): w0-w2 agree, w3 disagrees, w4 passes; f0 agrees, f1-f4
    disagree; "both" agrees; t0, t1 agree. Workers: 4 of 6 agree (67%); farmers: 2 of 6
    (33%); traders: only 2 votes, too few to show.
    Statement 1 (10 votes): w0-w4 and f0-f3 agree, "both" disagrees. Workers: 5 of 6
    (83%); farmers: 4 of 5 (80%); traders: no votes.
    """
    votes = (
        [(w, "0", v) for w, v in zip(WORKERS, (1, 1, 1, -1, 0), strict=True)]
        + [(f, "0", v) for f, v in zip(FARMERS, (1, -1, -1, -1, -1), strict=True)]
        + [("both", "0", 1), ("t0", "0", 1), ("t1", "0", 1)]
        + [(w, "1", 1) for w in WORKERS]
        + [(f, "1", 1) for f in FARMERS[:4]]
        + [("both", "1", -1)]
    )
    matrix = VoteMatrix.from_votes(
        votes, [CoreStatement("0", "Statement 0"), CoreStatement("1", "Statement 1")]
    )
    slugs = {w: ["workers"] for w in WORKERS} | {f: ["farmers"] for f in FARMERS}
    slugs |= {"both": ["farmers", "workers"], "t0": ["traders"], "t1": ["traders"]}
    almaty = set(WORKERS) | {"both"}
    _, statements = load_votes(
        consultation,
        matrix,
        groups_of={i: slugs[p] for i, p in enumerate(matrix.participants)},
        region_of={
            i: "KZ-75" if p in almaty else "KZ-35" for i, p in enumerate(matrix.participants)
        },
    )
    do_recompute(consultation.pk)
    consultation.refresh_from_db()
    return statements


@pytest.mark.django_db
def test_report_csv_counts_and_constituent_group_shares_by_hand(groups):
    consultation = new_consultation()
    statements = hand_case(consultation)
    Statement.objects.create(
        consultation=consultation,
        text="=HYPERLINK(1)",
        status=StatementStatus.PENDING,
        created_on=DAY,
    )

    rows = read_report(consultation)

    assert [r["statement_id"] for r in rows[:2]] == [str(s.pk) for s in statements]
    first, second, pending = rows
    assert (first["agree"], first["disagree"], first["pass"]) == ("7", "5", "1")
    assert (second["agree"], second["disagree"], second["pass"]) == ("9", "1", "0")
    shares = [
        (row["Рабочие (workers) agree_share"], row["Фермеры (farmers) agree_share"])
        for row in (first, second)
    ]
    assert shares == [("0.6667", "0.3333"), ("0.8333", "0.8000")]
    assert first["Торговцы (traders) agree_share"] == "", "2 votes: too few to show"
    assert pending["status"] == "pending"
    assert pending["text"] == "'=HYPERLINK(1)", "a formula is written as text"
    assert pending["consensus_score"] == ""


@pytest.mark.django_db
def test_report_csv_gives_each_opinion_group_its_agree_share_and_a_consensus_score():
    consultation = new_consultation()
    conversation, (participants, statements) = planted(consultation)

    rows = read_report(consultation)

    letters = [exports.group_letter(g["id"]) for g in consultation.analysis["groups"]]
    assert letters == ["A", "B"]
    common = {str(statements[j].pk) for j in conversation.common_ground.tolist()}
    for row in rows:
        shares = [float(row[f"opinion_group_{x}_agree_share"]) for x in letters]
        if row["statement_id"] in common:
            assert min(shares) > 0.5, "common ground: every group agrees"
            assert float(row["consensus_score"]) > 0.5
        else:
            assert min(shares) < 0.5 < max(shares), "elsewhere the planted groups split"


@pytest.mark.django_db
def test_opinion_group_shares_of_an_older_stored_analysis_are_tallied_the_same_way():
    consultation = new_consultation()
    planted(consultation, participants=30)
    stored = consultation.analysis
    older = {k: v for k, v in stored.items() if k != "by_opinion_group"}

    letters = [exports.group_letter(g["id"]) for g in stored["groups"]]
    assert stored["by_opinion_group"]["labels"] == letters
    assert exports.opinion_group_breakdown(consultation, older) == stored["by_opinion_group"]
