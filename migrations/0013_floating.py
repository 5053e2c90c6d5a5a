from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0012_evaluation')]

    initial = False

    operations = [
        ops.CreateModel(
            name='FloatingComment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='floating_comments', on_delete=OnDelete.CASCADE)),
                ('year', fields.SmallIntField()),
                ('grade', fields.CharField(max_length=24)),
                ('text', fields.TextField(unique=False)),
                ('written_by', fields.ForeignKeyField('models.User', source_field='written_by_id', null=True, db_constraint=True, to_field='id', related_name='floating_comments', on_delete=OnDelete.SET_NULL)),
                ('writer_name', fields.CharField(default='', max_length=50)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'floating_comments', 'app': 'models', 'unique_together': (('member', 'year'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FloatingRecord',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.OneToOneField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='floating', on_delete=OnDelete.CASCADE)),
                ('id_number_sealed', fields.CharField(max_length=200)),
                ('id_number_masked', fields.CharField(max_length=18)),
                ('home_org_contact', fields.CharField(max_length=50)),
                ('home_org_phone', fields.CharField(max_length=20)),
                ('home_org_address', fields.CharField(max_length=200)),
                ('inflow_on', fields.DateField()),
                ('activity_card_no', fields.CharField(default='', max_length=30)),
                ('proof_state', fields.CharField(default='missing', max_length=12)),
                ('proof_key', fields.CharField(null=True, max_length=64)),
                ('proof_type', fields.CharField(null=True, max_length=20)),
                ('proof_uploaded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('proof_reason', fields.CharField(null=True, max_length=300)),
                ('proof_confirmed_on', fields.DateField(null=True)),
                ('proof_by', fields.ForeignKeyField('models.User', source_field='proof_by_id', null=True, db_constraint=True, to_field='id', related_name='floating_proofs', on_delete=OnDelete.SET_NULL)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'floating_records', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LetterBatch',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.ForeignKeyField('models.Org', source_field='org_id', db_constraint=True, to_field='id', related_name='letter_batches', on_delete=OnDelete.CASCADE)),
                ('year', fields.SmallIntField()),
                ('requested_by', fields.ForeignKeyField('models.User', source_field='requested_by_id', null=True, db_constraint=True, to_field='id', related_name='letter_batches', on_delete=OnDelete.SET_NULL)),
                ('full_id_numbers', fields.BooleanField(default=False)),
                ('state', fields.CharField(default='queued', max_length=10)),
                ('total', fields.IntField(default=0)),
                ('done', fields.IntField(default=0)),
                ('skipped', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('file_key', fields.CharField(null=True, max_length=64)),
                ('error', fields.CharField(null=True, max_length=300)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'floating_letter_batches', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Letter',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='floating_letters', on_delete=OnDelete.CASCADE)),
                ('org', fields.ForeignKeyField('models.Org', source_field='org_id', db_constraint=True, to_field='id', related_name='floating_letters', on_delete=OnDelete.RESTRICT)),
                ('year', fields.SmallIntField()),
                ('number', fields.IntField()),
                ('code', fields.CharField(unique=True, max_length=16)),
                ('batch', fields.ForeignKeyField('models.LetterBatch', source_field='batch_id', null=True, db_constraint=True, to_field='id', related_name='letters', on_delete=OnDelete.SET_NULL)),
                ('sent_on', fields.DateField()),
                ('received_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('receipt_channel', fields.CharField(null=True, max_length=10)),
                ('receiver_name', fields.CharField(null=True, max_length=50)),
                ('receiver_org', fields.CharField(null=True, max_length=100)),
                ('receiver_phone', fields.CharField(null=True, max_length=20)),
                ('receipt_file_key', fields.CharField(null=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'floating_letters', 'app': 'models', 'unique_together': (('member', 'year'), ('org', 'year', 'number')), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LetterCounter',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.ForeignKeyField('models.Org', source_field='org_id', db_constraint=True, to_field='id', related_name='letter_counters', on_delete=OnDelete.CASCADE)),
                ('year', fields.SmallIntField()),
                ('last_number', fields.IntField(default=0)),
            ],
            options={'table': 'floating_letter_counters', 'app': 'models', 'unique_together': (('org', 'year'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReceiptReminder',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='receipt_reminders', on_delete=OnDelete.CASCADE)),
                ('org', fields.ForeignKeyField('models.Org', source_field='org_id', db_constraint=True, to_field='id', related_name='receipt_reminders', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharField(default='pending', max_length=10)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('error', fields.CharField(default='', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'floating_receipt_reminders', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
