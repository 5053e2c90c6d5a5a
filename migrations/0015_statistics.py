from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0014_markets')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Snapshot',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.ForeignKeyField('models.Org', source_field='org_id', db_constraint=True, to_field='id', related_name='snapshots', on_delete=OnDelete.CASCADE)),
                ('as_of', fields.DateField()),
                ('source', fields.CharField(default='manual', max_length=20)),
                ('state', fields.CharField(default='draft', max_length=20)),
                ('figures', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('taken_by', fields.ForeignKeyField('models.User', source_field='taken_by_id', null=True, db_constraint=True, to_field='id', related_name='snapshots_taken', on_delete=OnDelete.SET_NULL)),
                ('taken_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('submitted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('submitted_by', fields.ForeignKeyField('models.User', source_field='submitted_by_id', null=True, db_constraint=True, to_field='id', related_name='snapshots_submitted', on_delete=OnDelete.SET_NULL)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decided_by', fields.ForeignKeyField('models.User', source_field='decided_by_id', null=True, db_constraint=True, to_field='id', related_name='snapshots_decided', on_delete=OnDelete.SET_NULL)),
                ('return_reason', fields.CharField(null=True, max_length=500)),
            ],
            options={'table': 'snapshots', 'app': 'models', 'unique_together': (('org', 'as_of'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SnapshotCorrection',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('snapshot', fields.ForeignKeyField('models.Snapshot', source_field='snapshot_id', db_constraint=True, to_field='id', related_name='corrections', on_delete=OnDelete.CASCADE)),
                ('reason', fields.CharField(max_length=500)),
                ('changes', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('made_by', fields.ForeignKeyField('models.User', source_field='made_by_id', null=True, db_constraint=True, to_field='id', related_name='snapshot_corrections', on_delete=OnDelete.SET_NULL)),
                ('made_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'snapshot_corrections', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SnapshotMember',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('snapshot', fields.ForeignKeyField('models.Snapshot', source_field='snapshot_id', db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.CASCADE)),
                ('member_id', fields.IntField()),
                ('name', fields.CharField(max_length=50)),
                ('unit_name', fields.CharField(max_length=100)),
                ('mobile', fields.CharField(max_length=11)),
                ('is_owner', fields.BooleanField()),
                ('household_district', fields.CharField(max_length=50)),
                ('life_org_name', fields.CharField(max_length=100)),
                ('home_org', fields.CharField(max_length=100)),
                ('category', fields.CharField(max_length=20)),
                ('standing', fields.CharField(max_length=20)),
                ('placement', fields.CharField(max_length=20)),
                ('market_name', fields.CharField(null=True, max_length=100)),
                ('stall_no', fields.CharField(null=True, max_length=30)),
                ('filled_by_name', fields.CharField(null=True, max_length=50)),
                ('filled_by_phone', fields.CharField(null=True, max_length=11)),
                ('filled_on', fields.DateField(null=True)),
            ],
            options={'table': 'snapshot_members', 'app': 'models', 'indexes': [Index(fields=['snapshot_id', 'member_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
