"""The YAML loader for content: libyaml's safe loader when PyYAML was built with it.

The same safe subset of YAML either way; libyaml parses the intents folder about ten times
faster, which is most of building the matcher (each app start, each console reload).
"""

from __future__ import annotations

import yaml

SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
