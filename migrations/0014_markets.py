from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0013_floating')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Attestation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('market', fields.ForeignKeyField('models.Market', source_field='market_id', db_constraint=True, to_field='id', related_name='attestations', on_delete=OnDelete.CASCADE)),
                ('year', fields.SmallIntField()),
                ('item_key', fields.CharField(max_length=30)),
                ('met', fields.BooleanField()),
                ('note', fields.CharField(default='', max_length=500)),
                ('inspector', fields.CharField(max_length=50)),
                ('checked_on', fields.DateField()),
                ('recorded_by', fields.ForeignKeyField('models.User', source_field='recorded_by_id', null=True, db_constraint=True, to_field='id', related_name='attestations', on_delete=OnDelete.SET_NULL)),
                ('recorded_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'market_attestations', 'app': 'models', 'unique_together': (('market', 'year', 'item_key'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Evidence',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('market', fields.ForeignKeyField('models.Market', source_field='market_id', db_constraint=True, to_field='id', related_name='evidence', on_delete=OnDelete.CASCADE)),
                ('year', fields.SmallIntField()),
                ('item_key', fields.CharField(max_length=30)),
                ('file_key', fields.CharField(max_length=64)),
                ('content_type', fields.CharField(max_length=40)),
                ('size', fields.IntField()),
                ('uploaded_by', fields.ForeignKeyField('models.User', source_field='uploaded_by_id', null=True, db_constraint=True, to_field='id', related_name='market_evidence', on_delete=OnDelete.SET_NULL)),
                ('uploaded_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'market_evidence', 'app': 'models', 'indexes': [Index(fields=['market_id', 'year', 'item_key'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SpotCheck',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('market', fields.ForeignKeyField('models.Market', source_field='market_id', db_constraint=True, to_field='id', related_name='spot_checks', on_delete=OnDelete.CASCADE)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='spot_checks', on_delete=OnDelete.CASCADE)),
                ('stall_no', fields.CharField(max_length=30)),
                ('hung', fields.BooleanField()),
                ('readable', fields.BooleanField()),
                ('note', fields.CharField(default='', max_length=200)),
                ('photo_key', fields.CharField(max_length=64)),
                ('inspector', fields.ForeignKeyField('models.User', source_field='inspector_id', null=True, db_constraint=True, to_field='id', related_name='spot_checks', on_delete=OnDelete.SET_NULL)),
                ('checked_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'market_spot_checks', 'app': 'models', 'indexes': [Index(fields=['market_id', 'checked_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Market',
            name='address',
            field=fields.CharField(default='', db_default='', max_length=200),
        ),
        ops.AddField(
            model_name='Market',
            name='funds_yuan',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Market',
            name='has_board',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Market',
            name='has_room',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Market',
            name='operator_contact',
            field=fields.CharField(default='', db_default='', max_length=50),
        ),
        ops.AddField(
            model_name='Market',
            name='operator_name',
            field=fields.CharField(default='', db_default='', max_length=100),
        ),
        ops.AddField(
            model_name='Market',
            name='org_form',
            field=fields.CharField(null=True, max_length=20),
        ),
        ops.AddField(
            model_name='Market',
            name='org_level',
            field=fields.CharField(null=True, max_length=20),
        ),
        ops.AddField(
            model_name='Market',
            name='scope',
            field=fields.JSONField(default=list, db_default='[]', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Market',
            name='stars',
            field=fields.SmallIntField(null=True),
        ),
        ops.AddField(
            model_name='Market',
            name='updated_at',
            field=fields.DatetimeField(null=True, auto_now=True, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Market',
            name='vendor_count',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Market',
            name='workers',
            field=fields.JSONField(default=list, db_default='[]', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
    ]
