"""A trigram index on PostgreSQL lets the public search's `search_text LIKE '%word%'` use an
index. SQLite has no such index and scans; the migration does nothing there.

The public data version's triggers are not made by a migration: grants/apps.py makes sure of
them after every `migrate`, because SQLite drops a table's triggers when a migration rebuilds it."""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS grant_search_trgm_idx ON grants_grant"
            " USING gin (search_text gin_trgm_ops)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS grant_search_trgm_idx")


class Migration(migrations.Migration):
    dependencies = [("grants", "0002_staff_groups")]

    operations = [migrations.RunPython(create_index, drop_index)]
