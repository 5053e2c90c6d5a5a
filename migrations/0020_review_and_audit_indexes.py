from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

# Two lists that read whole tables at a city's size: the review queue of a subtree (registrations
# by life org, pending or all), and the audit trail by org, by actor and by target (the table keeps
# every change and grows by the year). Creating them on a big audit table takes a few seconds, run
# with the rest of `migrate` before the new version starts.


class Migration(migrations.Migration):
    dependencies = [('models', '0019_member_mobile_index')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='AuditEntry',
            index=Index(fields=['org_id']),
        ),
        ops.AddIndex(
            model_name='AuditEntry',
            index=Index(fields=['actor_id']),
        ),
        ops.AddIndex(
            model_name='AuditEntry',
            index=Index(fields=['target_type', 'target_id']),
        ),
        ops.AddIndex(
            model_name='Registration',
            index=Index(fields=['life_org_id', 'status']),
        ),
    ]
