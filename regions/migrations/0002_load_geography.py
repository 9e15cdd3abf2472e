from django.db import migrations


def load(apps, schema_editor):
    from regions.loading import load_geography

    load_geography(apps.get_model("regions", "Lan"), apps.get_model("regions", "Kommun"))


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
