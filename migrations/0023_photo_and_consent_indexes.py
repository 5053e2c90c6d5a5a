from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

# Rows read by their parent without an index for it: a meeting's photos (its record and the
# ledger's, from a table that gains thousands a year) and a member's consents (withdrawing them,
# from a table of every grant with its full text).


class Migration(migrations.Migration):
    dependencies = [('models', '0022_mobile_search_upper')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='ActivityPhoto',
            index=Index(fields=['activity_id']),
        ),
        ops.AddIndex(
            model_name='Consent',
            index=Index(fields=['member_id']),
        ),
    ]
