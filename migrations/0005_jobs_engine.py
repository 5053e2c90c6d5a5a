from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0004_plates')]

    initial = False

    operations = [
        ops.CreateModel(
            name='FileRecord',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('size', fields.BigIntField()),
                ('chunks', fields.IntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'stored_files', 'app': 'models', 'pk_attr': 'key'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FileChunk',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('file', fields.ForeignKeyField('models.FileRecord', source_field='file_id', db_constraint=True, to_field='key', related_name='parts', on_delete=OnDelete.CASCADE)),
                ('seq', fields.IntField()),
                ('data', fields.BinaryField()),
            ],
            options={'table': 'stored_file_chunks', 'app': 'models', 'unique_together': (('file', 'seq'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        # The home-made runner's heartbeat is gone: the job engine watches its workers itself.
        ops.RemoveField(model_name='PlateJob', name='heartbeat_at'),
        ops.AddField(
            model_name='PlateJob',
            name='expires_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='PlateJob',
            name='active_scope',
            field=fields.CharField(null=True, unique=True, max_length=40),
        ),
        ops.AddField(
            model_name='PlateJob',
            name='file_deleted_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='PlateJob',
            name='runner',
            field=fields.CharField(null=True, max_length=32),
        ),
        ops.AddField(
            model_name='PlateJob',
            name='started_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
