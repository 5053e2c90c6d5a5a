from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0011_offline_checkin')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Cycle',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.ForeignKeyField('models.Org', source_field='org_id', db_constraint=True, to_field='id', related_name='evaluation_cycles', on_delete=OnDelete.RESTRICT)),
                ('year', fields.SmallIntField()),
                ('scheme', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('self_until', fields.DateField()),
                ('peer_until', fields.DateField()),
                ('review_until', fields.DateField()),
                ('roster_on', fields.DateField()),
                ('announce_days', fields.SmallIntField(default=7)),
                ('announced_on', fields.DateField(null=True)),
                ('announce_until', fields.DateField(null=True)),
                ('public_code', fields.CharField(null=True, unique=True, max_length=16)),
                ('finalized_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='evaluation_cycles', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'evaluation_cycles', 'app': 'models', 'unique_together': (('org', 'year'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Evaluation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('cycle', fields.ForeignKeyField('models.Cycle', source_field='cycle_id', db_constraint=True, to_field='id', related_name='evaluations', on_delete=OnDelete.CASCADE)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='evaluations', on_delete=OnDelete.CASCADE)),
                ('org', fields.ForeignKeyField('models.Org', source_field='org_id', db_constraint=True, to_field='id', related_name='evaluations', on_delete=OnDelete.RESTRICT)),
                ('market', fields.ForeignKeyField('models.Market', source_field='market_id', null=True, db_constraint=True, to_field='id', related_name='evaluations', on_delete=OnDelete.SET_NULL)),
                ('placement', fields.CharField(max_length=20)),
                ('category', fields.CharField(max_length=20)),
                ('exclusion', fields.CharField(null=True, max_length=30)),
                ('veto_reason', fields.CharField(null=True, max_length=300)),
                ('vetoed_by', fields.ForeignKeyField('models.User', source_field='vetoed_by_id', null=True, db_constraint=True, to_field='id', related_name='evaluation_vetoes', on_delete=OnDelete.SET_NULL)),
                ('self_items', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('self_summary', fields.TextField(default='', unique=False)),
                ('self_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('review_items', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('adjustments', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('reviewed_by', fields.ForeignKeyField('models.User', source_field='reviewed_by_id', null=True, db_constraint=True, to_field='id', related_name='evaluation_reviews', on_delete=OnDelete.SET_NULL)),
                ('reviewed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('score', fields.DecimalField(null=True, max_digits=5, decimal_places=1)),
                ('stars', fields.SmallIntField(null=True)),
                ('outstanding', fields.BooleanField(default=False)),
            ],
            options={'table': 'evaluations', 'app': 'models', 'unique_together': (('cycle', 'member'),), 'indexes': [Index(fields=['member_id', 'cycle_id']), Index(fields=['cycle_id', 'org_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Correction',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('evaluation', fields.ForeignKeyField('models.Evaluation', source_field='evaluation_id', db_constraint=True, to_field='id', related_name='corrections', on_delete=OnDelete.CASCADE)),
                ('old_stars', fields.SmallIntField(null=True)),
                ('new_stars', fields.SmallIntField(null=True)),
                ('reason', fields.CharField(max_length=300)),
                ('by', fields.ForeignKeyField('models.User', source_field='by_id', null=True, db_constraint=True, to_field='id', related_name='evaluation_corrections', on_delete=OnDelete.SET_NULL)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'evaluation_corrections', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FollowUp',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('evaluation', fields.OneToOneField('models.Evaluation', source_field='evaluation_id', db_constraint=True, to_field='id', related_name='follow_up', on_delete=OnDelete.CASCADE)),
                ('talk_on', fields.DateField(null=True)),
                ('talk_by', fields.CharField(default='', max_length=50)),
                ('talk_notes', fields.TextField(default='', unique=False)),
                ('mentor', fields.ForeignKeyField('models.Evaluation', source_field='mentor_id', null=True, db_constraint=True, to_field='id', related_name='mentoring', on_delete=OnDelete.SET_NULL)),
                ('due_on', fields.DateField(null=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'evaluation_follow_ups', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Objection',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('cycle', fields.ForeignKeyField('models.Cycle', source_field='cycle_id', db_constraint=True, to_field='id', related_name='objections', on_delete=OnDelete.CASCADE)),
                ('evaluation', fields.ForeignKeyField('models.Evaluation', source_field='evaluation_id', null=True, db_constraint=True, to_field='id', related_name='objections', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='evaluation_objections', on_delete=OnDelete.CASCADE)),
                ('reason', fields.CharField(max_length=500)),
                ('answer', fields.CharField(null=True, max_length=500)),
                ('answered_by', fields.ForeignKeyField('models.User', source_field='answered_by_id', null=True, db_constraint=True, to_field='id', related_name='evaluation_answers', on_delete=OnDelete.SET_NULL)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'evaluation_objections', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PeerGrade',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('rater', fields.ForeignKeyField('models.Evaluation', source_field='rater_id', db_constraint=True, to_field='id', related_name='grades_given', on_delete=OnDelete.CASCADE)),
                ('ratee', fields.ForeignKeyField('models.Evaluation', source_field='ratee_id', db_constraint=True, to_field='id', related_name='grades_received', on_delete=OnDelete.CASCADE)),
                ('grade', fields.CharField(null=True, max_length=10)),
                ('graded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'evaluation_peer_grades', 'app': 'models', 'unique_together': (('rater', 'ratee'),), 'indexes': [Index(fields=['ratee_id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
