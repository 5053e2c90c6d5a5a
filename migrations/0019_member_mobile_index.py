from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

# A member found by mobile (the roster import's match, a registration's roster match in the review
# queue, a verified phone linked to its imported member) read the trigram index of 0009 on
# PostgreSQL, which serves a search inside a mobile but answers an equality by reading every row
# that shares the digits' trigrams: at a city's 50 000 members the review queue of 50 registrants
# took about a second a page. A b-tree answers the same in well under a millisecond.


class Migration(migrations.Migration):
    dependencies = [('models', '0018_roster_exports')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Member',
            index=Index(fields=['mobile']),
        ),
    ]
