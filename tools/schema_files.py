"""Regenerate the JSON Schema files shipped in the package from campaignflow.schema.

    python tools/schema_files.py          # rewrite src/campaignflow/schemas/*.json
    python tools/schema_files.py --check  # exit 1 if they are out of date (a test checks the same)
"""

from __future__ import annotations

import sys
from pathlib import Path

from campaignflow.schema import schema_text

OUT = Path(__file__).resolve().parents[1] / "src" / "campaignflow" / "schemas"


def main(argv: list[str]) -> int:
    stale = []
    for name, fragment in (("plan.schema.json", False), ("include.schema.json", True)):
        path = OUT / name
        text = schema_text(fragment=fragment)
        if "--check" in argv:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    for name in stale:
        print(f"{name} is out of date: run python tools/schema_files.py", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
