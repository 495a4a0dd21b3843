"""Every application has its county (0013 filled it): not null from now on. A migration of its own,
since PostgreSQL cannot alter a table in the transaction that updated its rows."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("bases", "0013_application_county_and_list_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="application",
            name="county",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="bases.county",
                verbose_name="所在区、县（市）",
            ),
        ),
    ]
