from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


# The history starts for members already on the roster: one event per tracked attribute,
# effective the day their record was made, and the one period that follows from them.
TRACKED = ("membership", "life_org_id", "category", "standing", "placement", "market_id", "stall_no",
           "business_status", "away_since")


async def start_history(apps, schema_editor):
    import datetime as dt
    from zoneinfo import ZoneInfo

    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"

    def marks(n):
        return ", ".join(f"${i}" for i in range(1, n + 1)) if postgres else ", ".join("?" * n)

    def day(value):
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(ZoneInfo("Asia/Shanghai")).date()

    rows = await client.execute_query_dict(
        "SELECT id, created_at, life_org_id, category, standing, placement, market_id, stall_no FROM members")
    for row in rows:
        on = day(row["created_at"])
        values = {**row, "membership": "active", "business_status": "operating", "away_since": None}
        for field in TRACKED:
            value = values[field]
            await client.execute_query(
                f"INSERT INTO member_events (member_id, field, old_value, new_value, effective_on, reason, recorded_at) "
                f"VALUES ({marks(7)})",
                [row["id"], field, None, None if value is None else str(value), on, "建档（历史记录从此开始）",
                 dt.datetime.now(dt.timezone.utc)])
        await client.execute_query(
            f"INSERT INTO member_periods (member_id, valid_from, valid_to, life_org_id, category, standing, placement, "
            f"market_id, stall_no, business_status, away_since, membership) VALUES ({marks(12)})",
            [row["id"], on, None, row["life_org_id"], row["category"], row["standing"], row["placement"],
             row["market_id"], row["stall_no"], "operating", None, "active"])
        await client.execute_query(f"UPDATE members SET on_roster_since = {marks(1)} WHERE id = "
                                   + ("$2" if postgres else "?"), [on, row["id"]])


class Migration(migrations.Migration):
    dependencies = [('models', '0005_jobs_engine')]

    initial = False

    operations = [
        ops.CreateModel(
            name='MemberEvent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('field', fields.CharField(max_length=20)),
                ('old_value', fields.CharField(null=True, max_length=100)),
                ('new_value', fields.CharField(null=True, max_length=100)),
                ('effective_on', fields.DateField()),
                ('reason', fields.CharField(default='', max_length=200)),
                ('recorded_by', fields.ForeignKeyField('models.User', source_field='recorded_by_id', null=True, db_constraint=True, to_field='id', related_name='member_events', on_delete=OnDelete.SET_NULL)),
                ('recorded_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'member_events', 'app': 'models', 'indexes': [Index(fields=['member_id', 'effective_on'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MemberPeriod',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='periods', on_delete=OnDelete.CASCADE)),
                ('valid_from', fields.DateField()),
                ('valid_to', fields.DateField(null=True)),
                ('life_org', fields.ForeignKeyField('models.Org', source_field='life_org_id', db_constraint=True, to_field='id', related_name='member_periods', on_delete=OnDelete.RESTRICT)),
                ('category', fields.CharField(max_length=20)),
                ('standing', fields.CharField(max_length=20)),
                ('placement', fields.CharField(max_length=20)),
                ('market', fields.ForeignKeyField('models.Market', source_field='market_id', null=True, db_constraint=True, to_field='id', related_name='member_periods', on_delete=OnDelete.RESTRICT)),
                ('stall_no', fields.CharField(null=True, max_length=30)),
                ('business_status', fields.CharField(max_length=20)),
                ('away_since', fields.DateField(null=True)),
                ('membership', fields.CharField(max_length=10)),
            ],
            options={'table': 'member_periods', 'app': 'models', 'indexes': [Index(fields=['valid_from', 'valid_to']), Index(fields=['member_id', 'valid_from'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Member',
            name='away_since',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Member',
            name='business_status',
            field=fields.CharField(default='operating', db_default='operating', max_length=20),
        ),
        ops.AddField(
            model_name='Member',
            name='business_status_since',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Member',
            name='full_member_on',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Member',
            name='gender',
            field=fields.CharField(null=True, max_length=10),
        ),
        ops.AddField(
            model_name='Member',
            name='joined_party_on',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Member',
            name='left_on',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Member',
            name='left_reason',
            field=fields.CharField(null=True, max_length=20),
        ),
        ops.AddField(
            model_name='Member',
            name='membership',
            field=fields.CharField(default='active', db_default='active', db_index=True, max_length=10),
        ),
        ops.AddField(
            model_name='Member',
            name='on_roster_since',
            field=fields.DateField(null=True),
        ),
        ops.RunPython(start_history, ops.RunPython.noop),
    ]
