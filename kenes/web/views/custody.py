"""The custody page: sealed or not, *Seal now*, and each trustee's share towards an unseal.

For the national admin and the trustees only (kenes.registry.scoping, Action.KEEP_CUSTODY);
only trustees enter shares, each from their own account. A share typed in is sent to the
key holder and never shown, stored or sent back: the page says how many are in, a refusal
says in one sentence what to check on the paper (the holder's code and numbers, never its
English text, become the sentence). Seal now asks once, then acts at once.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from kenes.registry.custody import EnteredShare, custody_state, do_enter_share, do_seal
from kenes.registry.scoping import Action, can, is_trustee
from kenes.web import twostep

#: A share is 31 words; a paper copy with numbers and line breaks stays far below this.
MAX_SHARE_TEXT = 4000


def _allowed(request: HttpRequest) -> None:
    if not can(request.user, Action.KEEP_CUSTODY):
        raise PermissionDenied


def _number(params: dict[str, Any], name: str) -> int:
    try:
        return int(params.get(name) or 0)
    except (TypeError, ValueError):
        return 0


def refusal_sentence(result: EnteredShare) -> str:
    """Why a share did not count, in one sentence in the reader's language."""
    p = result.params
    position = _number(p, "position")
    code = result.code
    if code == "too_few_words":
        return _(
            "This share has %(words)s words; a share has %(expected)s: compare it with the paper."
        ) % {"words": _number(p, "words"), "expected": _number(p, "expected") or 31}
    if code == "unknown_word":
        return _(
            "Word %(position)s is not in the word list: check its spelling on the paper "
            "(the first four letters are enough)."
        ) % {"position": position}
    if code == "word_copied_wrongly":
        return _("Word %(position)s was copied wrongly: compare it with the paper.") % {
            "position": position
        }
    if code == "words_swapped":
        return _("Words %(position)s and %(next)s are swapped: compare them with the paper.") % {
            "position": position,
            "next": position + 1,
        }
    if code == "word_repeated":
        return _("Word %(position)s repeats the word before it: write it once.") % {
            "position": position
        }
    if code == "word_extra":
        return _("Word %(position)s is one too many: compare the share with the paper.") % {
            "position": position
        }
    if code == "word_missing":
        after = _number(p, "after")
        if after == 0:
            return _("A word is missing before the first word: compare the share with the paper.")
        return _("A word is missing after word %(after)s: compare the share with the paper.") % {
            "after": after
        }
    if code == "checksum":
        return _(
            "The share's checksum does not match: more than one word is wrong, or the share "
            "is of another set; compare every word with the paper."
        )
    if code == "another_set":
        return _("This share belongs to another set of shares, not to this server's.")
    if code == "trustee_already_entered":
        return _("You have already entered a share; another trustee must enter theirs.")
    if code == "share_already_entered":
        return _("This share has already been entered by another trustee.")
    if code == "does_not_rebuild":
        return _(
            "These shares do not rebuild this server's key, so they were all forgotten: "
            "every trustee must enter their share again."
        )
    if code == "not_set_up":
        return _("Custody is not set up: there is nothing to unseal.")
    if code == "holder_unavailable":
        return _("The key holder is not running: ask the server's operator to start it.")
    if code == "empty":
        return _("Type the words of your share, as they are on your paper.")
    return _("This is not a share of this server: compare it with the paper.")


def _page(request: HttpRequest, *, refusal: str = "", status: int = 200) -> HttpResponse:
    state = custody_state()
    trustee = is_trustee(request.user)
    response = render(
        request,
        "web/custody/page.html",
        {
            "state": state,
            "is_trustee": trustee,
            # sealed, only a passkey logs a trustee in (app codes are sealed): say so now
            "needs_passkey": trustee and not twostep.has_passkey(request.user),
            "entered_mine": request.user.get_username() in state.entered_by,
            "minutes_left": (state.expires_in + 59) // 60 if state.expires_in else None,
            "refusal": refusal,
            "max_share_text": MAX_SHARE_TEXT,
        },
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@login_required
def custody_page(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    return _page(request)


@never_cache
@login_required
@require_POST
def custody_seal(request: HttpRequest) -> HttpResponse:
    """Seal now: the first click asks, the confirmation seals for every worker at once."""
    _allowed(request)
    if request.POST.get("confirm") != "1":
        return render(request, "web/custody/confirm_seal.html", {"state": custody_state()})
    do_seal(acting_user=request.user)
    messages.success(
        request,
        _("The server is sealed: personal data cannot be read until the trustees unseal it."),
    )
    return redirect("custody")


@sensitive_post_parameters("share")  # never in an error report
@never_cache
@login_required
@require_POST
def custody_enter(request: HttpRequest) -> HttpResponse:
    """A trustee's own share: counted once; when k are in, the server is unsealed."""
    _allowed(request)
    if not is_trustee(request.user):
        raise PermissionDenied
    text = request.POST.get("share", "")
    if not text.strip() or len(text) > MAX_SHARE_TEXT:
        code = "empty" if not text.strip() else "not_a_share"
        return _page(
            request, refusal=refusal_sentence(EnteredShare(ok=False, code=code)), status=400
        )
    result = do_enter_share(text, acting_user=request.user)
    del text
    if not result.ok:
        # rendered, not redirected: the sentence is never stored in a session or cookie
        return _page(request, refusal=refusal_sentence(result), status=400)
    if result.unsealed_now:
        messages.success(request, _("The server is unsealed: your share was the last one needed."))
    elif not result.sealed:
        messages.info(request, _("The server is already unsealed: your share was not needed."))
    elif result.counted:
        messages.success(
            request,
            ngettext(
                "Your share is counted: %(entered)s of %(threshold)s share entered.",
                "Your share is counted: %(entered)s of %(threshold)s shares entered.",
                result.threshold,
            )
            % {"entered": result.entered, "threshold": result.threshold},
        )
    else:
        messages.info(request, _("Your share was already counted; it counts once."))
    return redirect("custody")
