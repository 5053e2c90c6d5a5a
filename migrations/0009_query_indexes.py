from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

# Roster search (GET /members?q=) matches inside names, shop names, stall numbers and mobiles:
# `UPPER(CAST(col AS VARCHAR)) LIKE '%…%'` (and `CAST(mobile AS VARCHAR) LIKE '%…%'`), which no
# b-tree serves. On PostgreSQL, trigram indexes on exactly those expressions do (pg_trgm is a
# trusted extension: the database's owner may create it). SQLite scans, which is fine for the
# embedded default's sizes.
# PostgreSQL normalises the query's `UPPER(CAST(name AS VARCHAR))` to `upper(name::text)`: the
# index must be written so (an index on the spelled-out cast keeps a second cast and is never used).
TRIGRAM = {
    "members_name_trgm": "UPPER(name)",
    "members_unit_name_trgm": "UPPER(unit_name)",
    "members_stall_no_trgm": "UPPER(stall_no)",
    "members_mobile_trgm": "(mobile::text)",
}


async def trigram_indexes(apps, schema_editor):
    client = schema_editor.client
    if client.capabilities.dialect != "postgres":
        return
    await client.execute_script("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in TRIGRAM.items():
        await client.execute_script(f"CREATE INDEX IF NOT EXISTS {name} ON members USING gin ({expression} gin_trgm_ops)")


async def drop_trigram_indexes(apps, schema_editor):
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        for name in TRIGRAM:
            await client.execute_script(f"DROP INDEX IF EXISTS {name}")

class Migration(migrations.Migration):
    dependencies = [('models', '0008_desk_tokens')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Activity',
            index=Index(fields=['org_id', 'starts_at']),
        ),
        ops.AddIndex(
            model_name='Attendance',
            index=Index(fields=['member_id']),
        ),
        ops.AddIndex(
            model_name='AuthToken',
            index=Index(fields=['user_id']),
        ),
        ops.AddIndex(
            model_name='Member',
            index=Index(fields=['life_org_id', 'membership']),
        ),
        ops.AddIndex(
            model_name='Member',
            index=Index(fields=['name', 'id']),
        ),
        ops.AddIndex(
            model_name='MemberPeriod',
            index=Index(fields=['life_org_id', 'valid_from']),
        ),
        ops.AddIndex(
            model_name='Registration',
            index=Index(fields=['user_id']),
        ),
        ops.RunPython(trigram_indexes, drop_trigram_indexes),
    ]
