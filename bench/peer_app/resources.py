"""The django-import-export resource for the peer model, tuned as its docs advise for speed.

Fastest documented settings (docs "Bulk imports" / ResourceOptions): use_bulk, no
instance look-up (force_init_instance: the database starts empty), no diffs, no
HTML diffs, skipped rows not reported. The peer validates only what its widgets
parse (here: the birth date as DD.MM.YYYY); one documented hook,
before_import_row, refuses an IIN repeated in the file, since the unique IIN
would otherwise make a bulk insert fail and roll back the whole import.
"""

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets

from bench.peer_app.models import PlainMember


class PlainMemberResource(resources.ModelResource):
    full_name = fields.Field(attribute="full_name", column_name="ФИО")
    birth_date = fields.Field(
        attribute="birth_date",
        column_name="Дата рождения",
        widget=widgets.DateWidget(format="%d.%m.%Y"),
    )
    iin = fields.Field(attribute="iin", column_name="ИИН")
    phone = fields.Field(attribute="phone", column_name="Телефон")
    region = fields.Field(attribute="region", column_name="Регион")
    address = fields.Field(attribute="address", column_name="Адрес")

    class Meta:
        model = PlainMember
        fields = ("full_name", "birth_date", "iin", "phone", "region", "address")
        import_id_fields = ("iin",)
        use_bulk = True
        batch_size = 2000  # the same chunk size as Kenes' importer
        force_init_instance = True
        skip_diff = True
        skip_html_diff = True
        report_skipped = False
        use_transactions = True

    def __init__(self, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(**kwargs)
        self._seen_iins: set[str] = set()

    def before_import_row(self, row, **kwargs):  # type: ignore[no-untyped-def]
        iin = (row.get("ИИН") or "").strip()
        if iin in self._seen_iins:
            raise ValidationError({"iin": "IIN repeated in the file"})
        self._seen_iins.add(iin)
