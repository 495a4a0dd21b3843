"""The county of an application as a column of its own (filled from its organisation), the
indexes of the list orderings, and on PostgreSQL the name search's index: the set of one- and
two-character pieces of a name (bases_name_grams), in a GIN index, which answers a contains-match
of any length, two Chinese characters too (pg_trgm's trigrams cannot)."""

import django.db.models.deletion
from django.db import migrations, models

NAME_GRAMS = """
CREATE OR REPLACE FUNCTION bases_name_grams(name text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(upper(name), i, n)), '{}')
    FROM generate_series(1, char_length(name)) AS i, (VALUES (1), (2)) AS sizes(n)
    WHERE i + n - 1 <= char_length(name)
$$;
CREATE OR REPLACE FUNCTION bases_query_grams(query text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN char_length(query) < 2 THEN ARRAY[upper(query)]
    ELSE (SELECT array_agg(DISTINCT substr(upper(query), i, 2))
          FROM generate_series(1, char_length(query) - 1) AS i) END
$$;
CREATE INDEX application_name_grams ON bases_application USING gin (bases_name_grams(applicant_name));
CREATE INDEX organisation_name_grams ON bases_organisation USING gin (bases_name_grams(name));
"""
DROP_NAME_GRAMS = """
DROP INDEX IF EXISTS application_name_grams;
DROP INDEX IF EXISTS organisation_name_grams;
DROP FUNCTION IF EXISTS bases_name_grams(text);
DROP FUNCTION IF EXISTS bases_query_grams(text);
"""


def fill_county(apps, schema_editor):
    Application = apps.get_model("bases", "Application")
    Organisation = apps.get_model("bases", "Organisation")
    for county_id in Organisation.objects.values_list("county_id", flat=True).distinct():
        Application.objects.filter(organisation__county_id=county_id).update(county_id=county_id)


def name_grams(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('bases', '0012_attachment_named_storage'),
    ]

    operations = [
        migrations.AddField(
            model_name='application',
            name='county',
            field=models.ForeignKey(db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='bases.county', verbose_name='所在区、县（市）'),
        ),
        migrations.RunPython(fill_county, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='application',
            index=models.Index(models.OrderBy(models.F('updated_at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='application_recent'),
        ),
        migrations.AddIndex(
            model_name='application',
            index=models.Index(models.F('county'), models.OrderBy(models.F('updated_at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='application_county_recent'),
        ),
        migrations.AddIndex(
            model_name='application',
            index=models.Index(fields=['state', 'level'], name='application_state_level'),
        ),
        migrations.AddIndex(
            model_name='application',
            index=models.Index(fields=['reference'], name='application_reference_prefix', opclasses=['varchar_pattern_ops']),
        ),
        migrations.AddIndex(
            model_name='base',
            index=models.Index(models.OrderBy(models.F('recognised_on'), descending=True), models.F('name'), name='base_recognised'),
        ),
        migrations.RunPython(name_grams(NAME_GRAMS), name_grams(DROP_NAME_GRAMS)),
    ]
