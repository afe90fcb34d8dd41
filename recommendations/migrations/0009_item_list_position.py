from django.db import migrations, models

# Every existing item's place in the list, as models.number_items_in_list_order() sets it.
NUMBER_ITEMS = """
UPDATE recommendations_item SET list_position = ranked.position FROM (
    SELECT item.id AS id, ROW_NUMBER() OVER (
        ORDER BY source.published_on, source.code, item.number, item.id
    ) AS position
    FROM recommendations_item AS item INNER JOIN recommendations_source AS source ON source.id = item.source_id
) AS ranked
WHERE recommendations_item.id = ranked.id
"""


class Migration(migrations.Migration):

    dependencies = [
        ('recommendations', '0008_item_status_target_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='item',
            name='list_position',
            field=models.PositiveIntegerField(editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name='item',
            index=models.Index(fields=['list_position'], name='recommendat_list_po_0fbd87_idx'),
        ),
        migrations.AddIndex(
            model_name='item',
            index=models.Index(fields=['status', 'list_position'], name='recommendat_status_d8830e_idx'),
        ),
        migrations.RunSQL(NUMBER_ITEMS, reverse_sql=migrations.RunSQL.noop),
    ]
