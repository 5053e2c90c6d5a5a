from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0016_ledger_exports')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SnapshotJob',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=8)),
                ('requested_by', fields.ForeignKeyField('models.User', source_field='requested_by_id', db_constraint=True, to_field='id', related_name='snapshot_jobs', on_delete=OnDelete.CASCADE)),
                ('org', fields.ForeignKeyField('models.Org', source_field='org_id', db_constraint=True, to_field='id', related_name='snapshot_jobs', on_delete=OnDelete.CASCADE)),
                ('as_of', fields.DateField()),
                ('reason', fields.CharField(null=True, max_length=500)),
                ('state', fields.CharField(default='queued', max_length=16)),
                ('error', fields.CharField(null=True, max_length=200)),
                ('snapshot', fields.ForeignKeyField('models.Snapshot', source_field='snapshot_id', null=True, db_constraint=True, to_field='id', related_name='jobs', on_delete=OnDelete.SET_NULL)),
                ('correction', fields.ForeignKeyField('models.SnapshotCorrection', source_field='correction_id', null=True, db_constraint=True, to_field='id', related_name='jobs', on_delete=OnDelete.SET_NULL)),
                ('active_key', fields.CharField(null=True, unique=True, max_length=48)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'snapshot_jobs', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
