# SPDX-License-Identifier: AGPL-3.0-or-later
"""The join page's TypeScript passes the compiler's strict checks.

esbuild bundles without type checking, so type errors would otherwise
only show up as failures in the browser.
"""

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_join_page_typechecks():
    tsc = ROOT / "node_modules" / ".bin" / "tsc"
    assert tsc.exists(), "node_modules is missing; run ./hubs build first"
    assert shutil.which("node"), "Node.js is missing; ./hubs build names the package to install"

    result = subprocess.run([str(tsc), "-p", str(ROOT / "tsconfig.json")], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)

    assert result.returncode == 0, result.stdout + result.stderr
