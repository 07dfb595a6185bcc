"""Every module and package of shop/ sits on a floor of the import-linter
contract (pyproject.toml), so a new area cannot skip the layers by being left
out; .ci/run runs the contract itself (lint-imports)."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_area_of_shop_is_on_a_floor():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    (contract,) = config["tool"]["importlinter"]["contracts"]
    on_floors = {
        name for layer in contract["layers"] for name in re.split(r"\s*[:|]\s*", layer.strip())
    }
    areas = {
        path.stem if path.suffix == ".py" else path.name
        for path in (ROOT / "shop").iterdir()
        if (path.suffix == ".py" and path.stem != "__init__")
        or (path.is_dir() and (path / "__init__.py").exists())
    }
    assert areas - on_floors == set()
    assert on_floors - areas == set()
