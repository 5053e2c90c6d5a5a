from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0017_snapshot_jobs')]

    initial = False

    operations = [
        ops.CreateModel(
            name='RosterExport',
            fields=[
                ('file_key', fields.CharField(null=True, max_length=64)),
                ('file_size', fields.IntField(null=True)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('file_deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('state', fields.CharField(default='queued', max_length=16)),
                ('error', fields.CharField(null=True, max_length=200)),
                ('active_key', fields.CharField(null=True, unique=True, max_length=48)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('requested_by', fields.ForeignKeyField('models.User', source_field='requested_by_id', db_constraint=True, to_field='id', related_name='roster_exports', on_delete=OnDelete.CASCADE)),
                ('snapshot', fields.ForeignKeyField('models.Snapshot', source_field='snapshot_id', db_constraint=True, to_field='id', related_name='roster_exports', on_delete=OnDelete.CASCADE)),
                ('rows', fields.IntField(default=0)),
            ],
            options={'table': 'roster_exports', 'app': 'models', 'pk_attr': 'id'},
            bases=['MadeFile', 'AskedJob'],
        ),
    ]
