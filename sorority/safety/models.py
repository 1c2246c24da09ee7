"""The editable directory of emergency numbers and partner hotlines."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Hotline(models.Model):
    class Channel(models.TextChoices):
        CALL = "call", _("Call")
        SMS = "sms", _("SMS")

    name = models.CharField(max_length=120)
    number = models.CharField(max_length=32)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.CALL)
    description_fr = models.CharField(max_length=200)
    description_en = models.CharField(max_length=200)
    emergency = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("hotline")

    def __str__(self) -> str:
        return f"{self.name} {self.number}"

    @property
    def tel(self) -> str:
        """The number as a tel:/sms: target (digits and leading + only)."""
        digits = "".join(ch for ch in self.number if ch.isdigit() or ch == "+")
        return f"{'sms' if self.channel == self.Channel.SMS else 'tel'}:{digits}"

    def description(self, language: str) -> str:
        return self.description_en if language.startswith("en") else self.description_fr
