# "target" means a target level or date in this project: an extension overlay adjusts an item (a category or a
# requirement), so its fields say so. Renames only: no row changes.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_references_profiles_string_ids"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="extensionoverlay", name="unique_overlay_target"),
        migrations.RenameField(model_name="extensionoverlay", old_name="target", new_name="item_kind"),
        migrations.RenameField(model_name="extensionoverlay", old_name="target_key", new_name="item_key"),
        migrations.AddConstraint(
            model_name="extensionoverlay",
            constraint=models.UniqueConstraint(fields=("extension", "item_key"), name="unique_overlay_item"),
        ),
    ]
