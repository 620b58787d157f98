"""Share sheets: one printable HTML page per trustee, to keep the share on paper.

Each page holds the share's words, numbered and in large type, the same words as a QR
code (an inline SVG from kenes.core.custody.share_text.share_qr_svg), the set id, "share
i of n, any k open the server", and how to keep it, in Russian, Kazakh and English. The
page loads nothing: no link to another file or host, no script, no web font, so it prints
the same from any browser, offline.

A sheet is a share in a file: it is written 0600, never inside the server's var/ (a copy
of var/ must not carry what opens it), and is meant to be printed and deleted at once.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .errors import CustodyProblem

TEMPLATE = "custody/share_sheet.html"


def sheet_name(set_id: str, index: int, trustees: int) -> str:
    return f"kenes-share-{set_id}-{index:03d}-of-{trustees:03d}.html"


def render_sheet(share_text: str, *, trustees: int) -> str:
    """The HTML page of one share (its text as `share_to_text` writes it)."""
    from kenes.core.custody.share_text import share_from_text, share_qr_svg, share_words

    share = share_from_text(share_text)
    return render_to_string(
        TEMPLATE,
        {
            "index": share.index,
            "trustees": trustees,
            "threshold": share.threshold,
            "set_id": share.set_id,
            "words": share_words(share),
            "qr_svg": mark_safe(share_qr_svg(share)),  # noqa: S308 - segno's SVG, no input
        },
    )


def check_directory(directory: Path) -> Path:
    """Refuse a folder inside the server's var/ (or custody's): a share there sits beside
    what it opens, and travels with every copy of it."""
    target = directory.expanduser().resolve()
    for guarded in (Path(settings.VAR_DIR), Path(settings.KENES_CUSTODY_DIR)):
        guarded = guarded.resolve()
        if target == guarded or guarded in target.parents:
            raise CustodyProblem(
                f"Share sheets cannot be written into {target}: it is inside {guarded}, which "
                "is copied with the server. Give a folder on the printing machine or a "
                "removable disk. Nothing changed."
            )
    if target.exists() and not target.is_dir():
        raise CustodyProblem(f"{target} is not a folder. Nothing changed.")
    return target


def write_sheets(directory: Path, share_texts: Sequence[str], *, trustees: int) -> list[Path]:
    """Write one sheet per share into `directory` (made 0700 if missing), files 0600.

    All or nothing: an existing file is never overwritten, and on any failure the sheets
    already written are removed before the error is raised.
    """
    from kenes.core.custody.share_text import share_from_text

    target = check_directory(directory)
    pages = []
    for text in share_texts:
        share = share_from_text(text)
        pages.append(
            (
                target / sheet_name(share.set_id, share.index, trustees),
                render_sheet(text, trustees=trustees),
            )
        )
    written: list[Path] = []
    try:
        target.mkdir(mode=0o700, parents=True, exist_ok=True)
        for path, page in pages:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            written.append(path)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(page)
                fh.flush()
                os.fsync(fh.fileno())
    except OSError as exc:
        remove_sheets(written)
        raise CustodyProblem(
            f"The share sheets could not be written to {target} ({exc.strerror or exc}). "
            "Nothing changed."
        ) from exc
    return written


def remove_sheets(paths: Sequence[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
