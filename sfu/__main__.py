# SPDX-License-Identifier: AGPL-3.0-or-later
"""Run the SFU: python -m sfu --config sfu.yaml"""

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from sfu.config import ConfigError, load_config
from sfu.server import run_server


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m sfu", description="Run the Hubs SFU.")
    parser.add_argument("--config", type=Path, required=True, help="path of the YAML config file")
    args = parser.parse_args()

    try:
        config = load_config(args.config)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2

    logging.basicConfig(
        level=config.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # aioice and aiortc log every STUN and DTLS step at INFO/DEBUG.
    logging.getLogger("aioice").setLevel(logging.WARNING)
    logging.getLogger("aiortc").setLevel(logging.WARNING)

    try:
        import uvloop

        uvloop.install()
    except ImportError:
        logging.getLogger("sfu").info("uvloop not installed; using the default event loop")

    asyncio.run(run_server(config))
    return 0


if __name__ == "__main__":
    sys.exit(main())
