"""One table, one row per POST: what a plain Django poll app would store."""

from django.db import models


class PlainBallot(models.Model):
    code = models.CharField(max_length=32)
    receipt = models.CharField(max_length=32, unique=True)
    ranking = models.JSONField()
