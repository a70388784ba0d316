"""Config: the packaged default YAML, a user's YAML over it, CLI overrides, validated once.

Every error names the file, the line and the key, so a user can fix it without reading code.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from plotdigit_cli.spec.families import FAMILIES
from plotdigit_cli.spec.families.base import ColorParams
from plotdigit_cli.spec.data import DataParams
from plotdigit_cli.spec.degrade import DegradeParams
from plotdigit_cli.spec.looks import LooksParams
from plotdigit_cli.base.limits import MAX_CONFIG_BYTES, MAX_CONFIG_DEPTH, MAX_IMAGE_SIDE
from plotdigit_cli.spec.params import MAX_WEIGHT, number
from plotdigit_cli.spec.params import weights as weights_table
from plotdigit_cli.spec.style import ImageParams, StyleParams, TextParams
from plotdigit_cli.spec.topics import TopicParams
from plotdigit_cli.spec.clutter import ClutterParams

IMAGE_SIZE = number(64, MAX_IMAGE_SIDE, integer=True)
# Top-level sections checked by a params dataclass, in the order they are read.
SECTIONS = {"image": ImageParams, "colors": ColorParams, "style": StyleParams, "text": TextParams,
            "data": DataParams, "degrade": DegradeParams, "looks": LooksParams, "topics": TopicParams,
            "clutter": ClutterParams}
RENDERERS = ("matplotlib", "vega")


class ConfigError(ValueError):
    """A config value or file that cannot be used; the message names where and why."""


@dataclass(frozen=True)
class Config:
    image: ImageParams
    types: tuple[tuple[str, float], ...]  # (family, weight > 0), in registry order
    colors: ColorParams
    style: StyleParams
    text: TextParams
    data: DataParams
    degrade: DegradeParams
    looks: LooksParams
    topics: TopicParams
    clutter: ClutterParams
    renderers: tuple[tuple[str, float], ...]  # (renderer, weight > 0): which program draws a chart
    charts: dict[str, Any]  # family name -> its frozen params dataclass

    def to_dict(self) -> dict:
        """The resolved config as plain data: recorded in the manifest, compared on resume."""
        out = {name: _plain(getattr(self, name)) for name in SECTIONS}
        out["types"] = dict(self.types)
        out["renderers"] = dict(self.renderers)
        out["charts"] = {name: _plain(p) for name, p in self.charts.items()}
        return out


def _plain(params: Any) -> dict:
    return {k: _plain_value(v) for k, v in dataclasses.asdict(params).items()}


def _plain_value(v: Any) -> Any:
    """Tuples back to YAML's shapes: weights tables to mappings, others to lists."""
    if isinstance(v, tuple) and v and all(isinstance(x, tuple) and len(x) == 2 for x in v):
        return {k: w for k, w in v}
    return list(v) if isinstance(v, tuple) else v


def default_text() -> str:
    return resources.files("plotdigit_cli").joinpath("configs/default.yaml").read_text(encoding="utf-8")


def load_config(path: str | Path | None = None, *, image_size: int | None = None,
                types: list[str] | None = None) -> Config:
    """Default config, overridden by the YAML at `path`, then by the CLI's --image-size and --types."""
    tree, _ = _parse(default_text(), "default config")
    source, lines = "default config", {}
    if path is not None:
        path = Path(path)
        text = _read_text(path)
        user, lines = _parse(text, str(path))
        _check_known_keys(user, tree, (), lines, str(path))
        tree = _merge(tree, user)
        image = user.get("image") if isinstance(user, dict) else None
        if isinstance(image, dict) and "aspect" in image and "ratios" not in image:
            tree["image"]["ratios"] = {"free": 1}  # a file that sets the aspect range means it
        source = str(path)
    return _build(tree, lines, source, image_size=image_size, types=types)


def _read_text(path: Path) -> str:
    """The config file's text; files over MAX_CONFIG_BYTES are refused before they are read whole."""
    if not path.exists():
        raise ConfigError(f"config file not found: {path}")
    if not path.is_file():
        raise ConfigError(f"config {path} is not a regular file")
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_CONFIG_BYTES + 1)
    except OSError as e:
        raise ConfigError(f"cannot read config {path}: {e.strerror or e}") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"config {path} is over {MAX_CONFIG_BYTES >> 10} KiB, the limit of a config file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ConfigError(f"config {path} is not UTF-8 text (byte {e.start})") from None


def _screen(text: str, source: str) -> None:
    """Refuse what would make building the tree explode before it is built: aliases (one alias of
    an alias of ... expands exponentially when walked) and nesting deeper than any config needs."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            raise ConfigError(f"{source} line {event.start_mark.line + 1}: YAML aliases (*{event.anchor}) "
                              "are not allowed in a config; write the value out")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_CONFIG_DEPTH:
                raise ConfigError(f"{source} line {event.start_mark.line + 1}: nested deeper than "
                                  f"{MAX_CONFIG_DEPTH} levels")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _parse(text: str, source: str) -> tuple[dict, dict]:
    """YAML text -> (plain tree, {key path: line number}), with a one-line message on bad YAML."""
    try:
        _screen(text, source)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        tree = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise ConfigError(f"{source}{where}: malformed YAML: {problem}") from None
    if tree is None:
        return {}, {}
    if not isinstance(tree, dict):
        raise ConfigError(f"{source}: the top level must be a mapping of keys, got {type(tree).__name__}")
    lines: dict[tuple, int] = {}
    _record_lines(node, (), lines)
    return tree, lines


def _record_lines(node: Any, prefix: tuple, lines: dict) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            path = prefix + (key_node.value,)
            lines[path] = key_node.start_mark.line + 1
            _record_lines(value_node, path, lines)


def _where(source: str, lines: dict, path: tuple) -> str:
    line = lines.get(path)
    return f"{source} line {line}" if line else source


def _check_known_keys(user: Any, default: Any, prefix: tuple, lines: dict, source: str) -> None:
    if not isinstance(user, dict) or not isinstance(default, dict):
        return
    for key, value in user.items():
        path = prefix + (key,)
        if key not in default:
            dotted = ".".join(map(str, path))
            close = difflib.get_close_matches(str(key), [str(k) for k in default], n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ConfigError(f"{_where(source, lines, path)}: unknown config key '{dotted}'{hint}")
        if not _taken_whole(path, default[key]):
            _check_known_keys(value, default[key], path, lines, source)


def _taken_whole(path: tuple, default: Any) -> bool:
    """`types` and every weights table ({name: number}) are replaced whole, not merged key by key,
    so a file names exactly its mixture of families, sheets, fonts..."""
    if len(path) == 1 and path[0] in SECTIONS:  # a section of knobs that are all numbers (clutter) is still merged
        return False
    return path in (("types",), ("renderers",)) or (isinstance(default, dict) and bool(default)
                                  and all(isinstance(v, (int, float)) for v in default.values()))


def _merge(base: dict, over: dict, prefix: tuple = ()) -> dict:
    out = dict(base)
    for key, value in over.items():
        path = prefix + (key,)
        if isinstance(value, dict) and isinstance(base.get(key), dict) and not _taken_whole(path, base[key]):
            out[key] = _merge(base[key], value, path)
        else:
            out[key] = value
    return out


def _section(tree: dict, key: str, source: str, lines: dict) -> dict:
    value = tree.get(key)
    if not isinstance(value, dict):
        raise ConfigError(f"{_where(source, lines, (key,))}: '{key}' must be a mapping, got {value!r}")
    return value


def _checked(check, value: Any, source: str, lines: dict, path: tuple) -> Any:
    try:
        return check(value)
    except ValueError as e:
        raise ConfigError(f"{_where(source, lines, path)}: {'.'.join(path)} {e}") from None


def _params(cls: type, values: dict, path: tuple, source: str, lines: dict) -> Any:
    """Check each field of dataclass `cls` with the checker in its metadata."""
    if not isinstance(values, dict):
        raise ConfigError(f"{_where(source, lines, path)}: '{'.'.join(path)}' must be a mapping")
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name not in values:
            raise ConfigError(f"{source}: missing config key '{'.'.join(path + (f.name,))}'")
        kwargs[f.name] = _checked(f.metadata["check"], values[f.name], source, lines, path + (f.name,))
    return cls(**kwargs)


MIN_TEXT_PX = 0.75  # the smallest font at the lowest dpi; FreeType refuses text under half a pixel, and
# the smallest text drawn is "small" (0.83 of it: value labels)


def _check_text_scale(image: ImageParams, style: StyleParams, source: str, lines: dict) -> None:
    """Fields that are each valid can still combine into text too small to draw: dpi is the
    longer side over its inches, and the smallest text is the smallest font at the lowest dpi."""
    dpi = image.size[0] / image.inches[1]
    px = style.font_size[0] * dpi / 72
    if px < MIN_TEXT_PX:
        raise ConfigError(f"{_where(source, lines, ('style', 'font_size'))}: style.font_size {style.font_size[0]:g} pt "
                          f"at {dpi:.3g} dpi (image.size {image.size[0]} px over image.inches {image.inches[1]:g}) is "
                          f"{px:.2g} px of text; at least {MIN_TEXT_PX:g} px is needed: raise image.size or "
                          "style.font_size, or lower image.inches")


def _build(tree: dict, lines: dict, source: str, *, image_size: int | None, types: list[str] | None) -> Config:
    sections = {name: _params(cls, _section(tree, name, source, lines), (name,), source, lines)
                for name, cls in SECTIONS.items()}
    if image_size is not None:
        size = _checked(IMAGE_SIZE, image_size, "command line", {}, ("--image-size",))
        sections["image"] = dataclasses.replace(sections["image"], size=(size, size), aspect=(1.0, 1.0),
                                                ratios=(("free", 1.0),))
    _check_text_scale(sections["image"], sections["style"], source, lines)

    weights = _section(tree, "types", source, lines)
    mixture = []
    for name, weight in weights.items():
        if name not in FAMILIES:
            raise ConfigError(f"{_where(source, lines, ('types', name))}: unknown chart type '{name}' "
                              f"(known: {', '.join(FAMILIES)})")
        weight = _checked(number(0.0, MAX_WEIGHT), weight, source, lines, ("types", name))
        if weight > 0:
            mixture.append((name, weight))
    if types is not None:
        if not types:
            raise ConfigError(f"--types: no chart type given (known: {', '.join(FAMILIES)})")
        unknown = [t for t in types if t not in FAMILIES]
        if unknown:
            raise ConfigError(f"--types: unknown chart type '{unknown[0]}' (known: {', '.join(FAMILIES)})")
        # Restrict to the named families, keeping the config's weights; a family the file
        # leaves out (weight 0) gets weight 1 rather than silently producing nothing.
        configured = dict(mixture)
        mixture = [(t, configured.get(t, 1.0)) for t in dict.fromkeys(types)]
    if not mixture:
        raise ConfigError(f"{_where(source, lines, ('types',))}: no chart type has a weight above 0")
    order = list(FAMILIES)
    mixture.sort(key=lambda item: order.index(item[0]))

    renderers = _checked(weights_table(RENDERERS), tree.get("renderers"), source, lines, ("renderers",))
    chart_tree = _section(tree, "charts", source, lines)
    charts = {name: _params(family.params, chart_tree.get(name), ("charts", name), source, lines)
              for name, family in FAMILIES.items()}
    return Config(types=tuple(mixture), renderers=renderers, charts=charts, **sections)
