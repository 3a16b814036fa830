"""User settings: ``settings.toml`` in the user config directory, overridable from the environment.

A setting paperdeck does not know, or a value it cannot use, is a warning naming the file and the line,
never silently ignored: a typo in a style name otherwise looks like paperdeck ignoring you. The JSON
file of earlier versions is read once and migrated to TOML beside it.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from paperdeck.store.cite import STYLES
from paperdeck.store.clipboard import ROUTES

KNOWN = {"cite_style": STYLES, "clipboard": ROUTES}
KEY_PATTERN = re.compile(r"^[\w+\-]+(,[\w+\-]+)*$")  # Textual key names: "y", "ctrl+k", "f2,ctrl+y"


@dataclass
class Settings:
    cite_style: str = "bibtex"  # what `c` copies
    clipboard: str = "auto"  # auto, system or osc52
    keys: dict[str, str] = field(default_factory=dict)  # binding id -> keys, fed to App.set_keymap
    warnings: list[str] = field(default_factory=list)  # what was wrong with the file, to tell the user
    path: Path | None = None
    key_lines: dict[str, int] = field(default_factory=dict)  # binding id -> its line in the file
    autoexport: list = field(default_factory=list)  # store.autoexport.AutoExport: files kept in step
    theme: str | None = None  # the browser's Textual theme; saved when chosen in the app
    theme_line: int | None = None


def settings_path() -> Path:
    return platformdirs.user_config_path("paperdeck") / "settings.toml"


def _line_of(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(rf"\s*[\"']?{re.escape(key)}[\"']?\s*=", line):
            return number
    return None


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _migrate_json(toml_path: Path, warnings: list[str]) -> None:
    """The JSON settings of earlier versions become ``settings.toml``; the old file is left as it was."""
    json_path = toml_path.with_suffix(".json")
    if toml_path.exists() or not json_path.is_file():
        return
    try:
        data = json.loads(json_path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as error:
        warnings.append(f"{json_path}: not read ({error}); using the defaults")
        return
    lines = ["# paperdeck settings (migrated from settings.json)"]
    lines += [f"{key} = {_toml_string(str(value))}" for key, value in data.items() if not isinstance(value, dict)]
    try:
        toml_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    except OSError as error:
        warnings.append(f"{toml_path}: could not migrate {json_path.name} ({error}); read it this time only")
        return
    warnings.append(f"{json_path}: migrated to {toml_path}")


def load_settings(path: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """The file's values, then ``PAPERDECK_CITE_STYLE`` and ``PAPERDECK_CLIPBOARD``; problems become warnings."""
    environ = os.environ if environ is None else environ
    path = path or settings_path()
    settings = Settings(path=path)
    warnings = settings.warnings
    _migrate_json(path, warnings)
    text, data = "", {}
    if path.is_file():
        try:
            text = path.read_text(encoding="utf-8")
            data = tomllib.loads(text)
        except (OSError, UnicodeDecodeError) as error:
            warnings.append(f"{path}: not read ({error}); using the defaults")
        except tomllib.TOMLDecodeError as error:
            warnings.append(f"{path}: not valid TOML ({error}); using the defaults")
    elif not path.exists() and path.with_suffix(".json").is_file():
        # The migration could not write the TOML file: read the JSON one as it is.
        try:
            data = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}

    def where(key: str) -> str:
        line = _line_of(text, key)
        return f"{path}:{line}" if line else str(path)

    for key, value in data.items():
        if key == "keys":
            settings.keys = _read_keys(value, where, warnings)
            settings.key_lines = {binding_id: line for binding_id in settings.keys
                                  if (line := _line_of(text, binding_id))}
        elif key == "theme":  # the UI knows the themes there are (unknown_theme)
            if isinstance(value, str) and value:
                settings.theme, settings.theme_line = value, _line_of(text, key)
            else:
                warnings.append(f"{where(key)}: theme = {value!r} is not a theme name")
        elif key == "autoexport":
            from paperdeck.store.autoexport import read_targets

            settings.autoexport = read_targets(value, where, warnings)
        elif key not in KNOWN:
            warnings.append(f"{where(key)}: unknown setting {key!r} "
                            f"(known: {', '.join([*KNOWN, 'theme', 'keys', 'autoexport'])})")
        elif value not in KNOWN[key]:
            warnings.append(f"{where(key)}: {key} = {value!r} is not one of {', '.join(KNOWN[key])}; "
                            f"using {getattr(settings, key)!r}")
        else:
            setattr(settings, key, value)
    for key, variable in (("cite_style", "PAPERDECK_CITE_STYLE"), ("clipboard", "PAPERDECK_CLIPBOARD")):
        value = environ.get(variable)
        if not value:
            continue
        if value in KNOWN[key]:
            setattr(settings, key, value)
        else:
            warnings.append(f"${variable}={value!r} is not one of {', '.join(KNOWN[key])}; ignored")
    return settings


def _read_keys(table: object, where, warnings: list[str]) -> dict[str, str]:
    if not isinstance(table, dict):
        warnings.append(f"{where('keys')}: [keys] must be a table of binding id = \"key\"")
        return {}
    keys = {}
    for binding_id, value in table.items():
        if not isinstance(value, str) or not KEY_PATTERN.match(value.replace(" ", "")):
            warnings.append(f"{where(binding_id)}: keys.{binding_id} = {value!r} is not a key name "
                            "(e.g. \"y\", \"ctrl+k\", \"f2,ctrl+y\")")
            continue
        keys[binding_id] = value.replace(" ", "")
    return keys


def unknown_binding_ids(settings: Settings, known_ids: set[str]) -> list[str]:
    """Warnings for ``[keys]`` entries that name no binding; the UI knows the ids, the file does not."""
    def where(binding_id: str) -> str:
        line = settings.key_lines.get(binding_id)
        return f"{settings.path}:{line}" if line else str(settings.path)

    return [f"{where(binding_id)}: keys.{binding_id}: no such key binding (the help screen lists the ids)"
            for binding_id in settings.keys if binding_id not in known_ids]


def save_setting(path: Path, key: str, value: str) -> None:
    """Set the top-level ``key = "value"`` in the settings file, the rest of it as it was (comments,
    tables, their order): its line replaced, or a new one before the first table. Written to a
    file beside it and renamed over it, so a kill leaves the old file or the new one."""
    line = f"{key} = {_toml_string(value)}"
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    lines = text.splitlines()
    first_table = next((i for i, old in enumerate(lines) if old.lstrip().startswith("[")), len(lines))
    for i in range(first_table):
        if re.match(rf"\s*[\"']?{re.escape(key)}[\"']?\s*=", lines[i]):
            old = re.match(r"""[^=]*=\s*("(?:[^"\\]|\\.)*"|'[^']*')(\s*#.*)$""", lines[i])
            lines[i] = line + (old.group(2) if old else "")  # its comment kept
            break
    else:
        at = first_table
        while at > 0 and not lines[at - 1].strip():  # after the top-level lines, before the blank ones
            at -= 1
        lines.insert(at, line)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".saving")
    partial.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(partial, path)
