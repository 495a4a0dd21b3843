# The header's unread badge: a partial index over unread rows only, by user.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0007_list_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(("read_at__isnull", True)), fields=["user"], name="notification_unread_by_user"
            ),
        ),
    ]
