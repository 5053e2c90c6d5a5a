from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

# A market's members, read at a city's size (50 000 members, 500 in the market) without reading
# them all: its page's count of members trading there and the roster filtered by market (members by
# market_id), its 六化 page (who traded there on a day: member_periods by market; which of them held
# a plate: plates by member).


class Migration(migrations.Migration):
    dependencies = [('models', '0020_review_and_audit_indexes')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Member',
            index=Index(fields=['market_id']),
        ),
        ops.AddIndex(
            model_name='MemberPeriod',
            index=Index(fields=['market_id', 'valid_from']),
        ),
        ops.AddIndex(
            model_name='Plate',
            index=Index(fields=['member_id']),
        ),
    ]
