"""The audit log, read-only, with the state of its hash chain; and the trustees' page.

The trustees' page (`audit_trustees`) lists the signed receipts with their countersignatures
and the trustees' registered keys. The national admin registers and retires keys and signs
a receipt for a meeting; a trustee (or the admin) attaches a countersignature file made
offline with `kenes audit countersign`. The auditor reads it. Keys are never made here: a
trustee's private key stays on their own machine (kenes.audit.trustees).
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kenes.audit import printing, receipts, trustees
from kenes.audit.services import (
    actions_recorded,
    detail_for_reading,
    entries_newest_first,
    verify,
)
from kenes.registry.scoping import Action, can, is_admin
from kenes.security.keys import Sealed
from kenes.web.views.common import page_of

#: A countersignature file is under 1 KB; anything far bigger is not one.
MAX_COUNTERSIGNATURE_BYTES = 16_384


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Action.VIEW_AUDIT_LOG):
        raise PermissionDenied
    action = request.GET.get("action", "").strip()
    page = page_of(request, entries_newest_first(action))
    rows = [(entry, detail_for_reading(entry)) for entry in page.object_list]
    return render(
        request,
        "web/audit.html",
        {
            "page": page,
            "rows": rows,
            "chain": verify(),
            "action": action,
            "actions": actions_recorded(),
            "sees_trustees": _sees_trustees(request.user),
        },
    )


# Trustees and receipts ---------------------------------------------------------------------


def _sees_trustees(user: Any) -> bool:
    return can(user, Action.VIEW_AUDIT_LOG) or can(user, Action.KEEP_CUSTODY)


class RegisterTrusteeForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Trustee's name (printed on receipts)"), max_length=150
    )
    public_key = forms.CharField(
        label=gettext_lazy("Public key"),
        max_length=100,
        help_text=gettext_lazy(
            "As `kenes audit trustee-key new` printed it on the trustee's own machine. Read the "
            "fingerprint back to the trustee before registering."
        ),
    )


class AttachForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Countersignature file"), required=False)
    text = forms.CharField(
        label=gettext_lazy("…or its content, pasted"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        max_length=MAX_COUNTERSIGNATURE_BYTES,
    )

    def payload(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is not None:
            if upload.size > MAX_COUNTERSIGNATURE_BYTES:
                raise trustees.TrusteeProblem(_("The file is too big to be a countersignature."))
            raw = upload.read()
        else:
            raw = (self.cleaned_data.get("text") or "").encode()
        if not raw.strip():
            raise trustees.TrusteeProblem(_("Choose the countersignature file or paste it."))
        try:
            return json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise trustees.TrusteeProblem(
                _("The file is not a countersignature (made by `kenes audit countersign`).")
            ) from exc


@login_required
def audit_trustees(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not _sees_trustees(user):
        raise PermissionDenied
    admin = is_admin(user)
    may_attach = can(user, Action.KEEP_CUSTODY)
    register = RegisterTrusteeForm(prefix="register")
    attach = AttachForm(prefix="attach")
    if request.method == "POST":
        step = request.POST.get("step", "")
        try:
            if step == "register" and admin:
                register = RegisterTrusteeForm(request.POST, prefix="register")
                if register.is_valid():
                    row = trustees.do_register_trustee(
                        register.cleaned_data["name"],
                        register.cleaned_data["public_key"],
                        acting_user=user,
                    )
                    messages.success(
                        request,
                        _("The key of %(name)s is registered (fingerprint %(fingerprint)s).")
                        % {"name": row.name, "fingerprint": _fingerprint(row.public_key)},
                    )
                    return redirect("audit_trustees")
            elif step == "retire" and admin:
                row = trustees.find_trustee(request.POST.get("trustee", ""))
                trustees.do_retire_trustee(row, acting_user=user)
                messages.success(request, _("The key of %(name)s is retired.") % {"name": row.name})
                return redirect("audit_trustees")
            elif step == "sign" and admin:
                receipt = receipts.do_sign_receipt(
                    acting_user=user, occasion=request.POST.get("occasion", "").strip()[:100]
                )
                messages.success(
                    request,
                    _("Receipt signed: entry %(seq)s, head %(head)s.")
                    % {"seq": receipt.seq, "head": receipt.head[:16]},
                )
                return redirect("audit_trustees")
            elif step == "attach" and may_attach:
                attach = AttachForm(request.POST, request.FILES, prefix="attach")
                if attach.is_valid():
                    row, created = trustees.do_attach_countersignature(
                        attach.payload(), acting_user=user
                    )
                    messages.success(request, trustees.attached_sentence(row, created))
                    return redirect("audit_trustees")
            else:
                raise PermissionDenied
        except trustees.TrusteeProblem as exc:
            messages.error(request, str(exc))
        except receipts.ChainBroken as exc:
            messages.error(request, str(exc))
        except Sealed:
            messages.error(
                request,
                _("The server is sealed: a receipt is signed once enough trustees unseal it."),
            )
    return render(
        request,
        "web/audit_trustees.html",
        {
            "trustees": [(t, _fingerprint(t.public_key)) for t in trustees.all_trustees()],
            "receipts": [data.as_json() for _row, data in trustees.recent_receipts()],
            "in_office": len(trustees.active_trustees()),
            "register": register if admin else None,
            "attach": attach if may_attach else None,
            "may_sign": admin,
        },
    )


def _fingerprint(public_key: str) -> str:
    return receipts.key_fingerprint(public_key)


def _receipt_or_404(request: HttpRequest, seq: int) -> dict[str, Any]:
    if not _sees_trustees(request.user):
        raise PermissionDenied
    data = trustees.stored_receipt(seq)
    if data is None:
        raise Http404
    return data.as_json()


@login_required
def audit_receipt_file(request: HttpRequest, seq: int) -> HttpResponse:
    """The receipt file a trustee countersigns (and `kenes audit verify --against` reads)."""
    response = JsonResponse(_receipt_or_404(request, seq), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="receipt-{seq}.json"'
    return response


@login_required
def audit_receipt_print(request: HttpRequest, seq: int) -> HttpResponse:
    """The printable receipt, with the countersignatures attached so far."""
    return HttpResponse(printing.printable(_receipt_or_404(request, seq)))
