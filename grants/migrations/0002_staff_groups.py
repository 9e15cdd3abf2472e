from django.db import migrations

# Which model permissions each staff role gets. Administrators use the Django admin for the rest.
ROLE_PERMISSIONS = {
    "case_officer": {
        "view": [
            "application",
            "organisation",
            "attachment",
            "budgetline",
            "partner",
            "round",
            "track",
            "grant",
            "payment",
            "report",
            "decision",
            "decisionmeeting",
            "event",
        ],
        "add": ["assessment", "supplementrequest", "internalcomment", "conflictofinterest"],
        "change": ["assessment", "application", "report", "payment"],
    },
    "decision_maker": {
        "view": [
            "application",
            "organisation",
            "assessment",
            "round",
            "track",
            "grant",
            "payment",
            "report",
            "event",
            "publication",
            "budgetchange",
        ],
        "add": ["decisionmeeting", "decision", "publication", "budgetchange", "recoveryclaim"],
        "change": ["decisionmeeting", "decision", "publication", "recoveryclaim", "payment"],
    },
    "administrator": {
        "view": ["*"],
        "add": ["round", "track", "user", "membership", "organisation", "budgetchange"],
        "change": ["round", "track", "user", "membership", "organisation"],
    },
}


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    grants_perms = Permission.objects.filter(content_type__app_label="grants")
    for name, grants_by_action in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for action, models in grants_by_action.items():
            perms = grants_perms.filter(codename__startswith=f"{action}_")
            if models != ["*"]:
                perms = perms.filter(codename__in=[f"{action}_{m}" for m in models])
            group.permissions.add(*perms)


class Migration(migrations.Migration):
    dependencies = [
        ("grants", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
