"""A ledger made by the job engine: what the clerk who asked for it (and the staff over its org)
see while it is made, and the file once it is."""
from tortoise import fields

from server.jobs.files import MadeFile

LEDGER_FORMATS = {"xlsx": "Excel", "pdf": "PDF"}


class LedgerExport(MadeFile):
    id = fields.IntField(primary_key=True)
    requested_by = fields.ForeignKeyField("models.User", related_name="ledger_exports", on_delete=fields.CASCADE)
    org = fields.ForeignKeyField("models.Org", related_name="ledger_exports", on_delete=fields.CASCADE)
    year = fields.IntField()
    format = fields.CharField(max_length=4)
    state = fields.CharField(max_length=16, default="queued")
    meetings = fields.IntField(default=0)  # in the year, when it was asked for
    error = fields.CharField(max_length=200, null=True)
    # "ledger:<org>:<year>:<format>" while queued or running, else null: unique, so a second
    # request for the same ledger (a double click, a colleague) joins the one being made.
    active_key = fields.CharField(max_length=48, null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "ledger_exports"
