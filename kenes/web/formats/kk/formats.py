"""Kazakh number and date formats (Django ships none for "kk"; without them its numbers would
read the English way, "2,617.5"). Kazakh writes numbers as Russian does: "2 617,5"."""

DATE_FORMAT = "d.m.Y"
TIME_FORMAT = "G:i"
DATETIME_FORMAT = "d.m.Y H:i"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # non-breaking space
NUMBER_GROUPING = 3
