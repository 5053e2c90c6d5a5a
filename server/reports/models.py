"""A ledger made by the job engine: what the clerk who asked for it (and the staff over its org)
see while it is made, and the file once it is."""
from tortoise import fields

from server.jobs.asked import AskedJob
from server.jobs.files import MadeFile

LEDGER_FORMATS = {"xlsx": "Excel", "pdf": "PDF"}


class LedgerExport(MadeFile, AskedJob):
    id = fields.IntField(primary_key=True)
    requested_by = fields.ForeignKeyField("models.User", related_name="ledger_exports", on_delete=fields.CASCADE)
    org = fields.ForeignKeyField("models.Org", related_name="ledger_exports", on_delete=fields.CASCADE)
    year = fields.IntField()
    format = fields.CharField(max_length=4)
    meetings = fields.IntField(default=0)  # in the year, when it was asked for
    # active_key (AskedJob): "ledger:<org>:<year>:<format>" while queued or running.

    class Meta:
        table = "ledger_exports"
