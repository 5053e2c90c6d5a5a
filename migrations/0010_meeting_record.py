from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0009_query_indexes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='MeetingPlan',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.ForeignKeyField('models.Org', source_field='org_id', db_constraint=True, to_field='id', related_name='meeting_plans', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=20)),
                ('every', fields.CharField(max_length=10)),
                ('times', fields.IntField(default=1)),
                ('updated_by', fields.ForeignKeyField('models.User', source_field='updated_by_id', null=True, db_constraint=True, to_field='id', related_name='meeting_plans', on_delete=OnDelete.SET_NULL)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'meeting_plans', 'app': 'models', 'unique_together': (('org', 'kind'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PlanReminder',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='plan_reminders', on_delete=OnDelete.CASCADE)),
                ('org', fields.ForeignKeyField('models.Org', source_field='org_id', db_constraint=True, to_field='id', related_name='plan_reminders', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharField(default='pending', max_length=10)),
                ('period', fields.CharField(default='', max_length=10)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('error', fields.CharField(default='', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'plan_reminders', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Activity',
            name='guests',
            field=fields.CharField(default='', db_default='', max_length=500),
        ),
        ops.AddField(
            model_name='Activity',
            name='host',
            field=fields.ForeignKeyField('models.Member', source_field='host_id', null=True, db_constraint=True, to_field='id', related_name='hosted_activities', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Activity',
            name='recorder',
            field=fields.ForeignKeyField('models.Member', source_field='recorder_id', null=True, db_constraint=True, to_field='id', related_name='recorded_activities', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Activity',
            name='resolutions',
            field=fields.JSONField(default=list, db_default='[]', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Activity',
            name='speaker',
            field=fields.ForeignKeyField('models.Member', source_field='speaker_id', null=True, db_constraint=True, to_field='id', related_name='spoken_activities', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Activity',
            name='speaker_name',
            field=fields.CharField(default='', db_default='', max_length=50),
        ),
        ops.AddField(
            model_name='Activity',
            name='topics',
            field=fields.JSONField(default=list, db_default='[]', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
    ]
