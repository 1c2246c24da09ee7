"""Seed the directory with the emergency numbers and the partner hotlines of the brief."""

from django.db import migrations

HOTLINES = [
    ("Police secours", "17", "call", "Urgence immédiate : police ou gendarmerie", "Immediate danger: police", True),
    ("Numéro d'urgence européen", "112", "call", "Toutes urgences, depuis tout téléphone", "Any emergency, from any phone", True),
    ("Urgence par SMS", "114", "sms", "Si vous ne pouvez pas parler : écrivez", "If you cannot speak: text", True),
    ("Violences Femmes Info", "3919", "call", "Écoute anonyme et gratuite, 24 h/24", "Free, anonymous listening, 24/7", True),
    ("Samu social", "115", "call", "Hébergement d'urgence", "Emergency shelter", True),
    ("Coeurs de Guerrières", "06 60 58 96 05", "call", "Assistance violences conjugales", "Domestic-violence assistance", False),
    ("Un abri qui sauve des vies", "09 77 42 59 20", "call", "Assistance lieu sûr", "Safe-place assistance", False),
]


def seed(apps, schema_editor):
    Hotline = apps.get_model("safety", "Hotline")
    for position, (name, number, channel, fr, en, emergency) in enumerate(HOTLINES):
        Hotline.objects.get_or_create(
            number=number,
            defaults={
                "name": name,
                "channel": channel,
                "description_fr": fr,
                "description_en": en,
                "emergency": emergency,
                "position": position,
            },
        )


def unseed(apps, schema_editor):
    Hotline = apps.get_model("safety", "Hotline")
    Hotline.objects.filter(number__in=[h[1] for h in HOTLINES]).delete()


class Migration(migrations.Migration):
    dependencies = [("safety", "0001_hotline_directory")]
    operations = [migrations.RunPython(seed, unseed)]
