from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0007_roster_imports')]

    initial = False

    operations = [
        ops.AddField(
            model_name='AuthToken',
            name='agent',
            field=fields.CharField(default='', db_default='', max_length=200),
        ),
        ops.AddField(
            model_name='AuthToken',
            name='kind',
            field=fields.CharField(default='app', db_default='app', max_length=8),
        ),
        ops.AddField(
            model_name='AuthToken',
            name='last_used_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
