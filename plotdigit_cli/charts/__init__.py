"""The chart families, registered in one table: adding a family touches this file and its module."""

from plotdigit_cli.charts.bar import HORIZONTAL, VERTICAL
from plotdigit_cli.charts.base import Family
from plotdigit_cli.charts.line import DOT_LINE, LINE
from plotdigit_cli.charts.pie import PIE
from plotdigit_cli.charts.scatter import SCATTER

FAMILIES: dict[str, Family] = {f.name: f for f in (VERTICAL, HORIZONTAL, SCATTER, LINE, DOT_LINE, PIE)}
