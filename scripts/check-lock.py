"""Check that requirements/*.txt still cover pyproject.toml: every dependency pinned, in range.

Cheap and offline, so `make test` can run it; re-resolving (pip-compile) needs the network
and minutes. When it fails: `make lock` (keeps the other pins) or `make upgrade` (newest).
"""

import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        if match := PIN.match(line):
            found[canonicalize_name(match[1])] = match[2]
    return found


def problems(lock: Path, requirements: list[str]) -> list[str]:
    pinned = pins(lock)
    errors = []
    for text in requirements:
        requirement = Requirement(text)
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        version = pinned.get(canonicalize_name(requirement.name))
        if version is None:
            errors.append(f"{lock.relative_to(ROOT)}: {requirement.name} is not pinned")
        elif not requirement.specifier.contains(version, prereleases=True):
            errors.append(
                f"{lock.relative_to(ROOT)}: {requirement.name}=={version} is outside {text!r}"
            )
    return errors


def main() -> int:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = project["dependencies"]
    test = project["optional-dependencies"]["test"]
    base, full = ROOT / "requirements/base.txt", ROOT / "requirements/test.txt"
    errors = problems(base, runtime) + problems(full, runtime + test)
    # The tests must run what production runs.
    base_pins, full_pins = pins(base), pins(full)
    errors += [
        f"requirements/test.txt: {name}=={full_pins.get(name)} but base.txt has {version}"
        for name, version in base_pins.items()
        if full_pins.get(name) != version
    ]
    if errors:
        print("The lock files do not match pyproject.toml; run `make lock`:", file=sys.stderr)
        print("\n".join(f"  {error}" for error in errors), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
