from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0010_meeting_record')]

    initial = False

    operations = [
        ops.CreateModel(
            name='MemberCode',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='codes', on_delete=OnDelete.CASCADE)),
                ('code', fields.CharField(unique=True, max_length=16)),
                ('active_key', fields.IntField(null=True, unique=True)),
                ('issued_by', fields.ForeignKeyField('models.User', source_field='issued_by_id', null=True, db_constraint=True, to_field='id', related_name='issued_member_codes', on_delete=OnDelete.SET_NULL)),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'member_codes', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OfflineScan',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('activity', fields.ForeignKeyField('models.Activity', source_field='activity_id', db_constraint=True, to_field='id', related_name='offline_scans', on_delete=OnDelete.CASCADE)),
                ('device_id', fields.CharField(max_length=64)),
                ('seq', fields.IntField()),
                ('member_code', fields.CharField(max_length=64)),
                ('scanned_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('counted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', null=True, db_constraint=True, to_field='id', related_name='offline_scans', on_delete=OnDelete.SET_NULL)),
                ('outcome', fields.CharField(max_length=24)),
                ('uploaded_by', fields.ForeignKeyField('models.User', source_field='uploaded_by_id', null=True, db_constraint=True, to_field='id', related_name='offline_scans', on_delete=OnDelete.SET_NULL)),
                ('uploaded_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'offline_scans', 'app': 'models', 'unique_together': (('device_id', 'seq'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
