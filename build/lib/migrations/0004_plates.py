from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0003_activity_photos')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Consent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='consents', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name='consents', on_delete=OnDelete.SET_NULL)),
                ('version', fields.CharField(max_length=20)),
                ('text', fields.TextField(unique=False)),
                ('granted_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('withdrawn_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'consents', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Plate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='plates', on_delete=OnDelete.CASCADE)),
                ('code', fields.CharField(unique=True, max_length=16)),
                ('active_key', fields.IntField(null=True, unique=True)),
                ('issued_by', fields.ForeignKeyField('models.User', source_field='issued_by_id', null=True, db_constraint=True, to_field='id', related_name='issued_plates', on_delete=OnDelete.SET_NULL)),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'plates', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PlateJob',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('requested_by', fields.ForeignKeyField('models.User', source_field='requested_by_id', db_constraint=True, to_field='id', related_name='plate_jobs', on_delete=OnDelete.CASCADE)),
                ('org', fields.ForeignKeyField('models.Org', source_field='org_id', null=True, db_constraint=True, to_field='id', related_name='plate_jobs', on_delete=OnDelete.CASCADE)),
                ('market', fields.ForeignKeyField('models.Market', source_field='market_id', null=True, db_constraint=True, to_field='id', related_name='plate_jobs', on_delete=OnDelete.CASCADE)),
                ('layout', fields.CharField(max_length=32)),
                ('state', fields.CharField(default='queued', db_index=True, max_length=16)),
                ('total', fields.IntField(default=0)),
                ('done', fields.IntField(default=0)),
                ('skipped', fields.IntField(default=0)),
                ('attempts', fields.IntField(default=0)),
                ('file_key', fields.CharField(null=True, max_length=64)),
                ('file_size', fields.IntField(null=True)),
                ('error', fields.CharField(null=True, max_length=200)),
                ('heartbeat_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'plate_jobs', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Profile',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.OneToOneField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='profile', on_delete=OnDelete.CASCADE)),
                ('pledge', fields.CharField(default='', max_length=200)),
                ('photo_key', fields.CharField(null=True, max_length=64)),
                ('consent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'profiles', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Rating',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('models.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='ratings', on_delete=OnDelete.CASCADE)),
                ('plate', fields.ForeignKeyField('models.Plate', source_field='plate_id', db_constraint=True, to_field='id', related_name='ratings', on_delete=OnDelete.CASCADE)),
                ('score', fields.SmallIntField()),
                ('comment', fields.CharField(default='', max_length=200)),
                ('is_complaint', fields.BooleanField(default=False)),
                ('customer', fields.CharField(max_length=64)),
                ('channel', fields.CharField(max_length=16)),
                ('day', fields.DateField()),
                ('nonce', fields.CharField(max_length=64)),
                ('status', fields.CharField(db_index=True, max_length=16)),
                ('flag_reason', fields.CharField(default='', max_length=32)),
                ('hidden_reason', fields.CharField(null=True, max_length=200)),
                ('moderated_by', fields.ForeignKeyField('models.User', source_field='moderated_by_id', null=True, db_constraint=True, to_field='id', related_name='moderated_ratings', on_delete=OnDelete.SET_NULL)),
                ('moderated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('reply', fields.CharField(null=True, max_length=300)),
                ('replied_by', fields.ForeignKeyField('models.User', source_field='replied_by_id', null=True, db_constraint=True, to_field='id', related_name='rating_replies', on_delete=OnDelete.SET_NULL)),
                ('replied_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'ratings', 'app': 'models', 'unique_together': (('member', 'customer', 'day'), ('member', 'nonce')), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
