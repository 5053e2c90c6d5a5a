from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0006_member_history')]

    initial = False

    operations = [
        ops.CreateModel(
            name='RosterImport',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.ForeignKeyField('models.Org', source_field='org_id', db_constraint=True, to_field='id', related_name='roster_imports', on_delete=OnDelete.CASCADE)),
                ('requested_by', fields.ForeignKeyField('models.User', source_field='requested_by_id', db_constraint=True, to_field='id', related_name='roster_imports', on_delete=OnDelete.CASCADE)),
                ('filename', fields.CharField(max_length=200)),
                ('state', fields.CharField(default='checked', max_length=12)),
                ('total', fields.IntField(default=0)),
                ('created', fields.IntField(default=0)),
                ('updated', fields.IntField(default=0)),
                ('unchanged', fields.IntField(default=0)),
                ('errors', fields.IntField(default=0)),
                ('rows', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('report', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('failure', fields.CharField(null=True, max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('committed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'roster_imports', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
