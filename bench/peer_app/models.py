"""The member table as a plain Django project would have it: no encryption, IIN unique."""

from django.db import models


class PlainMember(models.Model):
    full_name = models.CharField(max_length=300)
    birth_date = models.DateField(null=True, blank=True)
    iin = models.CharField(max_length=32, unique=True)
    phone = models.CharField(max_length=64, blank=True)
    region = models.CharField(max_length=200, blank=True)
    address = models.CharField(max_length=500, blank=True)
