import sorority.core.validators
from django.core.exceptions import ValidationError
from django.db import migrations, models


def to_e164(apps, schema_editor):
    """Rewrite stored phone numbers in E.164; one that is not a number is dropped."""
    Profile = apps.get_model("places", "Profile")
    for profile in Profile.objects.exclude(phone="").only("pk", "phone", "show_phone"):
        try:
            phone = sorority.core.validators.normalise_phone(profile.phone)
        except ValidationError:
            phone = ""
        if phone != profile.phone:
            Profile.objects.filter(pk=profile.pk).update(
                phone=phone, show_phone=profile.show_phone and bool(phone)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("places", "0002_offerindex_cell_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="profile",
            name="phone",
            field=models.CharField(
                blank=True,
                max_length=20,
                validators=[sorority.core.validators.validate_phone_e164],
                verbose_name="phone",
            ),
        ),
        migrations.RunPython(to_e164, migrations.RunPython.noop),
    ]
