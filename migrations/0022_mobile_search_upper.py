from tortoise import migrations
from tortoise.migrations import operations as ops

# The roster's search inside a mobile used a trigram index on (mobile::text): the very expression
# an equality on the mobile compiles to, and a trigram index answers equalities too (pg_trgm 1.4),
# by reading every row that shares the digits' trigrams and rechecking it. With the b-tree of 0019
# beside it, the planner still took the trigram index whenever its statistics looked cheap (rows
# fresh from an import sit in its pending list until a vacuum): 50 registrants' roster matches
# among 50 000 members took 240 ms that way, 0.6 ms by the b-tree. On UPPER(mobile), like the
# name's, shop's and stall's, it serves only the search (which asks `UPPER(...) LIKE`, and only
# for a text of digits: nothing else can be inside a mobile), and an equality can only take the
# b-tree.
OLD = "CREATE INDEX IF NOT EXISTS members_mobile_trgm ON members USING gin ((mobile::text) gin_trgm_ops)"
NEW = "CREATE INDEX IF NOT EXISTS members_mobile_trgm ON members USING gin (UPPER(mobile) gin_trgm_ops)"


async def _replace(schema_editor, create: str) -> None:
    client = schema_editor.client
    if client.capabilities.dialect != "postgres":
        return  # SQLite scans: no trigram indexes
    await client.execute_script("DROP INDEX IF EXISTS members_mobile_trgm")
    await client.execute_script(create)


async def upper_mobile(apps, schema_editor):
    await _replace(schema_editor, NEW)


async def text_mobile(apps, schema_editor):
    await _replace(schema_editor, OLD)


class Migration(migrations.Migration):
    dependencies = [('models', '0021_market_indexes')]

    initial = False

    operations = [
        ops.RunPython(upper_mobile, text_mobile),
    ]
