from pathlib import Path

import pytest

from kenes.core.consensus import ConsensusInputError, read_polis_export
from kenes.core.consensus.polis_files import read_published_groups

COMMENTS = (
    "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
    "1,x,0,0,0,0,1,Fix the roads\n"
    "2,x,1,0,0,0,-1,Spam\n"
    "3,x,2,1,0,0,0,Cheaper internet\n"
)


def write(folder: Path, name: str, text: str) -> Path:
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_votes_csv_keeps_each_voters_latest_vote_by_timestamp(tmp_path):
    write(tmp_path, "comments.csv", COMMENTS)
    write(
        tmp_path,
        "votes.csv",
        "timestamp,datetime,comment-id,voter-id,vote\n"
        "30,x,0,7,-1\n"  # the latest vote of voter 7 on comment 0, listed first
        "10,x,0,7,1\n"
        "20,x,2,8,0\n",
    )
    matrix = read_polis_export(tmp_path)
    assert matrix.participants == ("7", "8")
    assert [s.id for s in matrix.statements] == ["0", "1", "2"]
    assert matrix.statements[1].moderated == -1
    dense = matrix.to_dense()
    assert dense[0, 0] == -1 and dense[1, 2] == 0 and matrix.vote_count == 2


def test_participants_votes_csv_is_read_when_votes_csv_is_absent(tmp_path):
    write(tmp_path, "comments.csv", COMMENTS)
    write(
        tmp_path,
        "participants-votes.csv",
        "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1,2\n"
        "0,1,0,2,1,0,1,,0\n"
        "1,,0,1,0,1,,-1,\n",
    )
    matrix = read_polis_export(tmp_path)
    assert matrix.vote_count == 3
    assert matrix.statements[0].text == "Fix the roads"
    assert read_published_groups(tmp_path / "participants-votes.csv") == {"0": "1"}


def test_a_bad_vote_names_the_file_and_line(tmp_path):
    write(tmp_path, "comments.csv", COMMENTS)
    write(
        tmp_path, "votes.csv", "timestamp,datetime,comment-id,voter-id,vote\n1,x,0,7,1\n2,x,0,8,5\n"
    )
    with pytest.raises(ConsensusInputError, match=r"votes\.csv, line 3: column vote is '5'"):
        read_polis_export(tmp_path)


def test_a_vote_on_a_comment_missing_from_comments_csv_names_the_line(tmp_path):
    write(tmp_path, "comments.csv", COMMENTS)
    write(tmp_path, "votes.csv", "timestamp,datetime,comment-id,voter-id,vote\n1,x,9,7,1\n")
    with pytest.raises(ConsensusInputError, match=r"votes\.csv, line 2: comment 9 is not in"):
        read_polis_export(tmp_path)


def test_a_missing_column_is_reported_on_line_1(tmp_path):
    write(tmp_path, "comments.csv", "comment-id,moderated\n0,1\n")
    write(tmp_path, "votes.csv", "comment-id,voter-id,vote\n")
    with pytest.raises(ConsensusInputError, match=r"comments\.csv, line 1: .*comment-body"):
        read_polis_export(tmp_path)


def test_a_bad_cell_in_participants_votes_names_line_and_column(tmp_path):
    write(
        tmp_path,
        "participants-votes.csv",
        "participant,group-id,n-comments,n-votes,n-agree,n-disagree,0,1\n0,,0,1,1,0,1,\n1,,0,1,0,0,,x\n",
    )
    with pytest.raises(ConsensusInputError, match=r"line 3: column '1' should be a number"):
        read_polis_export(tmp_path)


def test_a_folder_without_votes_says_which_files_it_needs(tmp_path):
    write(tmp_path, "comments.csv", COMMENTS)
    with pytest.raises(ConsensusInputError, match="neither votes.csv"):
        read_polis_export(tmp_path)


def test_the_fast_and_the_careful_votes_reader_give_the_same_matrix():
    from kenes.core.consensus.fast_votes import read_votes_fast
    from kenes.core.consensus.polis_files import read_comments, read_votes_checked

    from .conftest import conversation_folder

    folder = conversation_folder("vtaiwan.uberx")
    statements = read_comments(folder / "comments.csv")
    fast = read_votes_fast(folder / "votes.csv", statements)
    careful = read_votes_checked(folder / "votes.csv", statements)
    assert fast is not None and fast.participants == careful.participants
    for part in ("rows", "cols", "votes"):
        assert (getattr(fast, part) == getattr(careful, part)).all()
    assert fast.vote_count == 49443  # README: 49,997 events, 49,443 after the latest per pair


def test_voter_ids_that_are_not_numbers_are_read_by_the_careful_reader(tmp_path):
    write(tmp_path, "comments.csv", COMMENTS)
    write(
        tmp_path,
        "votes.csv",
        "timestamp,datetime,comment-id,voter-id,vote\n1,x,0,ann,1\n2,x,2,bob,-1\n",
    )
    assert read_polis_export(tmp_path).participants == ("ann", "bob")
