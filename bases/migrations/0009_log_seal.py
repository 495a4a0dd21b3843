"""Seal the application log: a digest per entry chained per application (bases/log_seal.py), the
entries already written sealed in their order, then no forks; on PostgreSQL a trigger refuses any
UPDATE or DELETE of the log table, whoever sends it."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

from bases.log_seal import entry_digest

TRIGGER = """
CREATE OR REPLACE FUNCTION applicationlog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '办理记录只能追加，不能修改或删除（%）', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS applicationlog_append_only ON reviews_applicationlog;
CREATE TRIGGER applicationlog_append_only BEFORE UPDATE OR DELETE ON reviews_applicationlog
    FOR EACH ROW EXECUTE FUNCTION applicationlog_append_only();
"""
NO_TRIGGER = """
DROP TRIGGER IF EXISTS applicationlog_append_only ON reviews_applicationlog;
DROP FUNCTION IF EXISTS applicationlog_append_only();
"""


def seal_existing(apps, schema_editor):
    Log = apps.get_model("bases", "ApplicationLog")
    LogHead = apps.get_model("bases", "LogHead")
    previous_by_application = {}
    for entry in Log.objects.order_by("application_id", "pk").iterator():
        entry.previous_digest = previous_by_application.get(entry.application_id, "")
        entry.digest = entry_digest(entry)
        Log.objects.filter(pk=entry.pk).update(previous_digest=entry.previous_digest, digest=entry.digest)
        previous_by_application[entry.application_id] = entry.digest
    LogHead.objects.bulk_create(
        LogHead(application_id=application_id, digest=digest) for application_id, digest in previous_by_application.items()
    )


def postgresql_only(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # no parameters: the % of RAISE stays as it is

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("bases", "0008_reference_counter"),
    ]

    operations = [
        migrations.AddField(
            model_name="applicationlog",
            name="digest",
            field=models.CharField(blank=True, max_length=64, verbose_name="记录摘要（SHA-256）"),
        ),
        migrations.AddField(
            model_name="applicationlog",
            name="previous_digest",
            field=models.CharField(blank=True, max_length=64, verbose_name="上一条记录摘要"),
        ),
        migrations.AlterField(
            model_name="applicationlog",
            name="created_at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name="时间"),
        ),
        migrations.CreateModel(
            name="LogHead",
            fields=[
                (
                    "application",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="bases.application",
                        verbose_name="申报",
                    ),
                ),
                ("digest", models.CharField(max_length=64, verbose_name="末条记录摘要")),
            ],
            options={"verbose_name": "办理记录链末端", "verbose_name_plural": "办理记录链末端"},
        ),
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="applicationlog",
            constraint=models.UniqueConstraint(fields=("application", "previous_digest"), name="log_chain_without_forks"),
        ),
        migrations.RunPython(postgresql_only(TRIGGER), postgresql_only(NO_TRIGGER)),
    ]
