"""plotdigit: seeded synthetic charts with pixel-exact labels, written as webdataset shards."""

__version__ = "0.1.0"
